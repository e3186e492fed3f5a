/** /dashboard: the command dashboard (dark, for a 1920×1080 big screen and laptops). */
import { createRoot } from 'react-dom/client';
import { App as AntApp, ConfigProvider, theme } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import { useTranslation } from 'react-i18next';
import { setupI18n } from '../shared/i18n.js';
import { webConfig } from '../shared/map.js';
import { prefetchFirst } from './data.js';
import { DEFAULT_PERIOD, periodOf } from './period.js';
import { EN, ZH } from './i18n.js';
import { App, prefetchSession } from './App.js';
import './dashboard.css';

setupI18n(ZH, EN);
// what the first render needs, asked for while React starts
prefetchSession();
void webConfig().catch(() => undefined);
prefetchFirst(periodOf(DEFAULT_PERIOD));

function Root() {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider locale={i18n.language === 'en' ? enUS : zhCN} button={{ autoInsertSpace: false }}
      theme={{ algorithm: theme.darkAlgorithm, token: { colorPrimary: '#38bdf8', colorBgBase: '#07111f', borderRadius: 6, fontFamily: '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif' } }}>
      <AntApp>
        <App />
      </AntApp>
    </ConfigProvider>
  );
}

createRoot(document.getElementById('root')!).render(<Root />);
