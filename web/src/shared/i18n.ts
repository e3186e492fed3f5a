/** zh-CN first, English second: the page's strings, the chosen language kept in localStorage. */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';

export type Dict = Record<string, string>;

export function setupI18n(zh: Dict, en: Dict) {
  const lng = localStorage.getItem('pingan.lang') ?? (navigator.language.startsWith('en') ? 'en' : 'zh');
  void i18next.use(initReactI18next).init({
    resources: { zh: { translation: { ...COMMON_ZH, ...zh } }, en: { translation: { ...COMMON_EN, ...en } } },
    lng, fallbackLng: 'zh', interpolation: { escapeValue: false },
  });
  document.documentElement.lang = lng === 'en' ? 'en' : 'zh-CN';
  return i18next;
}

export function switchLanguage() {
  const next = i18next.language === 'en' ? 'zh' : 'en';
  localStorage.setItem('pingan.lang', next);
  void i18next.changeLanguage(next);
  document.documentElement.lang = next === 'en' ? 'en' : 'zh-CN';
}

export const COMMON_ZH: Dict = {
  'lang.switch': 'English', 'common.retry': '重试', 'common.loading': '加载中…', 'common.empty': '暂无数据', 'common.submit': '提交',
  'common.cancel': '取消', 'common.logout': '退出登录', 'common.login': '登录', 'common.username': '用户名', 'common.password': '密码',
  'common.totp': '动态验证码', 'common.offline': '网络已断开', 'common.save': '保存', 'common.close': '关闭', 'common.search': '搜索',
};
export const COMMON_EN: Dict = {
  'lang.switch': '中文', 'common.retry': 'Retry', 'common.loading': 'Loading…', 'common.empty': 'Nothing here yet', 'common.submit': 'Submit',
  'common.cancel': 'Cancel', 'common.logout': 'Sign out', 'common.login': 'Sign in', 'common.username': 'Username', 'common.password': 'Password',
  'common.totp': 'One-time code', 'common.offline': 'Offline', 'common.save': 'Save', 'common.close': 'Close', 'common.search': 'Search',
};
