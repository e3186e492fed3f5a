/** /admin: the administration pages (desktop). */
import { createRoot } from 'react-dom/client';
import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import { useTranslation } from 'react-i18next';
import { setupI18n } from '../shared/i18n.js';
import { EN, ZH } from './i18n.js';
import { App } from './App.js';
import './admin.css';

setupI18n(ZH, EN);

function Root() {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider locale={i18n.language === 'en' ? enUS : zhCN} button={{ autoInsertSpace: false }}
      theme={{ token: { colorPrimary: '#1d4ed8', borderRadius: 6, fontFamily: '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif' } }}>
      <AntApp>
        <App />
      </AntApp>
    </ConfigProvider>
  );
}

createRoot(document.getElementById('root')!).render(<Root />);
