/** Numbers as the dashboard shows them. */
export const rate = (r: number | null | undefined) => (r === null || r === undefined ? '—' : `${Math.round(r * 1000) / 10}%`);

export function duration(seconds: number | null, t: (k: string) => string): string {
  if (seconds === null) return '—';
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} ${t('unit.min')}`;
  if (seconds < 48 * 3600) return `${Math.round(seconds / 360) / 10} ${t('unit.hour')}`;
  return `${Math.round(seconds / 8640) / 10} ${t('unit.day')}`;
}

/** HH:mm:ss in Zhejiang's time. */
export const clock = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(11, 19);
