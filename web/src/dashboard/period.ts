/** Periods in Zhejiang's calendar (Asia/Shanghai, UTC+8 all year): from/to as ISO instants, trend buckets. */
export type PeriodKey = 'today' | '7d' | '30d' | 'year';
export const PERIODS: PeriodKey[] = ['today', '7d', '30d', 'year'];
export const DEFAULT_PERIOD: PeriodKey = '30d';

const DAY = 86_400_000;
const OFFSET = 8 * 3_600_000;

/** Midnight in Shanghai of the day holding `t`. */
export function startOfDay(t: number): number {
  return Math.floor((t + OFFSET) / DAY) * DAY - OFFSET;
}

export interface Period { from: string; to: string; trendFrom: string; interval: 'day' | 'month' }

export function periodOf(key: PeriodKey, now = Date.now()): Period {
  const today = startOfDay(now);
  const to = today + DAY;
  let from: number;
  if (key === 'today') from = today;
  else if (key === '7d') from = today - 6 * DAY;
  else if (key === '30d') from = today - 29 * DAY;
  else from = Date.UTC(new Date(now + OFFSET).getUTCFullYear(), 0, 1) - OFFSET;
  // one day makes no trend line: today shows the last 7 days
  const trendFrom = key === 'today' ? today - 6 * DAY : from;
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), trendFrom: new Date(trendFrom).toISOString(), interval: key === 'year' ? 'month' : 'day' };
}

/** The bucket labels the server uses (YYYY-MM-DD of the Shanghai day or month start), in order. */
export function buckets(fromIso: string, toIso: string, interval: 'day' | 'month'): string[] {
  const out: string[] = [];
  const to = Date.parse(toIso);
  const label = (t: number) => new Date(t + OFFSET).toISOString().slice(0, 10);
  if (interval === 'day') {
    for (let t = startOfDay(Date.parse(fromIso)); t < to; t += DAY) out.push(label(t));
  } else {
    const d = new Date(Date.parse(fromIso) + OFFSET);
    let y = d.getUTCFullYear(), m = d.getUTCMonth();
    for (;;) {
      const t = Date.UTC(y, m, 1) - OFFSET;
      if (t >= to) break;
      out.push(label(t));
      if (++m === 12) { m = 0; y++; }
    }
  }
  return out;
}
