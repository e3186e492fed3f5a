/** /console: the governance center's workbench (desktop). */
import { StrictMode, useCallback, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { useTranslation } from 'react-i18next';
import { App as AntApp, Button, ConfigProvider, Result, Spin } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import { currentSession, logout, type SessionUser } from '../shared/api.js';
import { setupI18n } from '../shared/i18n.js';
import { zh, en } from './strings.js';
import { Header } from './Header.js';
import { ChangePassword, Login } from './Login.js';
import { Workbench } from './Workbench.js';
import { errText } from './util.js';
import type { Me, OrgUnit } from './types.js';
import './console.css';

setupI18n(zh, en);

type Session = { state: 'loading' } | { state: 'error'; error: unknown } | { state: 'out' } | { state: 'in'; user: SessionUser };

function Console() {
  const { t, i18n } = useTranslation();
  const [session, setSession] = useState<Session>({ state: 'loading' });
  const [live, setLive] = useState<boolean | null>(null);
  const [who, setWho] = useState<{ me: Me; area: OrgUnit } | null>(null);
  const onWho = useCallback((me: Me, area: OrgUnit) => setWho({ me, area }), []);
  const onSignedOut = useCallback(() => { setWho(null); setSession({ state: 'out' }); }, []);

  const load = useCallback(async () => {
    setSession({ state: 'loading' });
    try {
      const user = await currentSession();
      setSession(user ? { state: 'in', user } : { state: 'out' });
    } catch (error) {
      setSession({ state: 'error', error });
    }
  }, []);
  useEffect(() => { void load(); }, [load]);
  useEffect(() => { document.title = `${t('app.title')} · ${i18n.language === 'en' ? 'Ping’an' : '平安'}`; }, [t, i18n.language]);

  const signOut = async () => {
    await logout();
    setWho(null);
    setSession({ state: 'out' });
  };
  const user = session.state === 'in' ? session.user : null;
  const staff = user && user.kind === 'staff' && (user.roles.includes('operator') || user.roles.includes('leader'));

  let body;
  if (session.state === 'loading') body = <div className="console-center"><Spin size="large" description={t('common.loading')} /></div>;
  else if (session.state === 'error') body = <Result status="warning" title={errText(session.error, i18n.language)} extra={<Button type="primary" onClick={() => void load()}>{t('common.retry')}</Button>} />;
  else if (session.state === 'out') body = <Login onSignedIn={(u) => setSession({ state: 'in', user: u })} />;
  else if (user!.mustChangePassword) body = <ChangePassword onDone={() => void load()} />;
  else if (!staff) body = <Result status="403" title={t('app.notStaff')} extra={<Button onClick={() => void signOut()}>{t('common.logout')}</Button>} />;
  else body = <Workbench onLive={setLive} onSignedOut={onSignedOut} onWho={onWho} />;

  return (
    <div className="console-root">
      <Header user={user} who={user ? who : null} live={staff ? live : null} onSignOut={() => void signOut()} />
      {body}
    </div>
  );
}

function Root() {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider locale={i18n.language === 'en' ? enUS : zhCN} theme={{ token: { colorPrimary: '#1677ff' } }}>
      <AntApp>
        <Console />
      </AntApp>
    </ConfigProvider>
  );
}

createRoot(document.getElementById('root')!).render(<StrictMode><Root /></StrictMode>);
