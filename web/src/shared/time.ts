/** Times as people in Zhejiang read them: Asia/Shanghai (UTC+8 all year), whatever zone the device is set to. */
export const TIME_ZONE = 'Asia/Shanghai';

const STYLES = {
  /** 11/29 18:15 */
  short: { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' },
  /** 2026/11/29 18:15 */
  minute: { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' },
  /** 2026/11/29 18:15:07 */
  second: { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false },
} satisfies Record<string, Intl.DateTimeFormatOptions>;

/** `iso` in Shanghai time, in the page's language ('en' or Chinese); '' for no time. */
export function localTime(iso: string | number | null | undefined, lang: string, style: keyof typeof STYLES = 'minute'): string {
  if (iso === null || iso === undefined || iso === '') return '';
  return new Date(iso).toLocaleString(lang === 'en' ? 'en-GB' : 'zh-CN', { ...STYLES[style], timeZone: TIME_ZONE });
}
