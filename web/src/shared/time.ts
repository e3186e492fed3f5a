import { useEffect, useState } from 'react';

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

/** The time, re-read every `ms` (a countdown: every second on the phone, every 30 s in a long list). */
export function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}
