/** /report: the citizen page (mobile first). Sign in with a phone code, report, follow one's reports. */
import { createRoot } from 'react-dom/client';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfigProvider, ErrorBlock, NavBar, SpinLoading, TabBar, Button } from 'antd-mobile';
import zhCN from 'antd-mobile/es/locales/zh-CN';
import enUS from 'antd-mobile/es/locales/en-US';
import '../shared/mobile.js';
import { currentSession, logout, type SessionUser } from '../shared/api.js';
import { setupI18n, switchLanguage } from '../shared/i18n.js';
import { zh, en } from './texts.js';
import { Login } from './Login.js';
import { ReportForm } from './ReportForm.js';
import { MyReports } from './MyReports.js';

setupI18n(zh, en);

function App() {
  const { t, i18n } = useTranslation();
  const [user, setUser] = useState<SessionUser | null | undefined>(undefined);
  const [failed, setFailed] = useState(false);
  const [tab, setTab] = useState<'report' | 'mine'>('report');
  const [openCase, setOpenCase] = useState<number | null>(null);

  const load = () => {
    setFailed(false);
    currentSession().then((u) => setUser(u && u.kind === 'citizen' ? u : null), () => setFailed(true));
  };
  useEffect(load, []);
  useEffect(() => { document.title = t('title'); }, [t, i18n.language]);

  const right = (
    <span style={{ display: 'flex', gap: 12 }}>
      <a role="button" aria-label="switch language" onClick={switchLanguage}>{t('lang.switch')}</a>
      {user && <a role="button" onClick={() => void logout().then(() => setUser(null))}>{t('common.logout')}</a>}
    </span>
  );
  let body;
  if (failed) body = <ErrorBlock status="disconnected" title={t('common.offline')} description={<Button size="small" onClick={load}>{t('common.retry')}</Button>} />;
  else if (user === undefined) body = <div style={{ padding: 48, textAlign: 'center' }}><SpinLoading /></div>;
  else if (!user) body = <Login onDone={setUser} />;
  else if (tab === 'report') body = <ReportForm onShow={(id) => { setOpenCase(id); setTab('mine'); }} />;
  else body = <MyReports open={openCase} onOpen={setOpenCase} />;

  return (
    <ConfigProvider locale={i18n.language === 'en' ? enUS : zhCN}>
      <div style={{ display: 'flex', flexDirection: 'column', minHeight: '100vh', maxWidth: 640, margin: '0 auto', background: '#f5f6f8' }}>
        <NavBar back={null} right={right}>{t('title')}</NavBar>
        <main style={{ flex: 1, paddingBottom: 60 }}>{body}</main>
        {user && (
          <TabBar activeKey={tab} onChange={(k) => { setTab(k as 'report' | 'mine'); setOpenCase(null); }} style={{ position: 'fixed', bottom: 0, left: 0, right: 0, background: '#fff', borderTop: '1px solid #eee' }}>
            <TabBar.Item key="report" title={t('tab.report')} />
            <TabBar.Item key="mine" title={t('tab.mine')} />
          </TabBar>
        )}
      </div>
    </ConfigProvider>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
