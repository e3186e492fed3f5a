/** The session decides: sign in, change the password, or the dashboard. */
import { Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { currentSession, logout, type SessionUser } from '../shared/api.js';
import { StaffGate } from '../shared/dashboard-login.js';
import { Dashboard } from './Dashboard.js';

let early: Promise<SessionUser | null> | undefined;
/** The session, asked for at startup beside the first figures (main.tsx); the first check takes it, later ones ask again. */
export function prefetchSession() {
  early = currentSession();
  early.catch(() => undefined);
}

/** The prefetched session once, then a fresh ask (after a sign-out or a retry). */
function takeSession(): Promise<SessionUser | null> {
  const session = early ?? currentSession();
  early = undefined;
  return session;
}

export function App() {
  const { t } = useTranslation();
  return (
    <StaffGate title={t('app.login')} session={takeSession}>
      {(user, signedOut) => user.kind === 'staff' ? <Dashboard user={user} onSignedOut={signedOut} />
        : <Result status="403" title={t('noAccess')} extra={<Button onClick={() => void logout().then(signedOut)}>{t('common.logout')}</Button>} />}
    </StaffGate>
  );
}
