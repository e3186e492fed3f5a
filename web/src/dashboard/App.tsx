/** The session decides: sign in, change the password, or the dashboard. */
import { useCallback, useEffect, useState } from 'react';
import { Button, Result, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError, currentSession, logout, type SessionUser } from '../shared/api.js';
import { switchLanguage } from '../shared/i18n.js';
import { ChangePassword, StaffLogin } from '../shared/dashboard-login.js';
import { Dashboard } from './Dashboard.js';

let early: Promise<SessionUser | null> | undefined;
/** The session, asked for at startup beside the first figures (main.tsx); the first check takes it, later ones ask again. */
export function prefetchSession() {
  early = currentSession();
  early.catch(() => undefined);
}

export function App() {
  const { t, i18n } = useTranslation();
  const [user, setUser] = useState<SessionUser | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(() => {
    setError(null);
    setUser(undefined);
    const session = early ?? currentSession();
    early = undefined;
    session.then(setUser).catch(setError);
  }, []);
  useEffect(load, [load]);

  const lang = (
    <Button className="lang-float" size="small" onClick={switchLanguage} aria-label={t('app.langLabel')}>{t('lang.switch')}</Button>
  );
  if (error) {
    return <Result status="error" title={error instanceof ApiError ? error.say(i18n.language) : String(error)}
      extra={<Button type="primary" onClick={load}>{t('common.retry')}</Button>} />;
  }
  if (user === undefined) return <div className="center"><Spin size="large" description={t('common.loading')} /></div>;
  if (user === null) return <div className="center">{lang}<StaffLogin title={t('app.login')} onSignedIn={setUser} /></div>;
  if (user.mustChangePassword) return <div className="center">{lang}<ChangePassword onDone={load} /></div>;
  if (user.kind !== 'staff') {
    return <Result status="403" title={t('noAccess')} extra={<Button onClick={() => void logout().then(() => setUser(null))}>{t('common.logout')}</Button>} />;
  }
  return <Dashboard user={user} onSignedOut={() => setUser(null)} />;
}
