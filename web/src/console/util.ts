/** Small helpers: the clock, deadlines and countdowns, dates, error text. */
import type { TFunction } from 'i18next';
import { ApiError } from '../shared/api.js';
import { DEADLINE_COLORS, L } from '../shared/map.js';
import type { Deadline } from './types.js';
import { localTime } from '../shared/time.js';


const RANK = ['normal', 'warning', 'overdue', 'escalated'];

/**
 * The deadline state to show: the server's (set by its sweep), raised by the clock when a
 * threshold passed since (the sweep runs every half minute).
 */
export function deadlineState(d: Deadline, now: number): string {
  let s = RANK.includes(d.state) ? d.state : 'normal';
  const passed = (iso: string | null) => iso !== null && Date.parse(iso) <= now;
  const raise = (to: string) => { if (RANK.indexOf(to) > RANK.indexOf(s)) s = to; };
  if (!d.stage) return s;
  if (passed(d.warnAt)) raise('warning');
  if (passed(d.dueAt)) raise('overdue');
  return s;
}

export const deadlineColor = (state: string) => DEADLINE_COLORS[state] ?? DEADLINE_COLORS.normal;

/** "2 h 5 min" */
export function duration(ms: number, t: TFunction): string {
  const m = Math.max(1, Math.round(Math.abs(ms) / 60_000));
  const d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60), min = m % 60;
  const parts = [d ? t('time.d', { n: d }) : '', h ? t('time.h', { n: h }) : '', !d && min ? t('time.m', { n: min }) : ''].filter(Boolean);
  return parts.join(' ');
}

/** "剩余 2小时5分" / "已超期 30分", or null when no time limit runs. */
export function countdown(d: Deadline, now: number, t: TFunction): string | null {
  if (!d.stage || !d.dueAt) return null;
  const left = Date.parse(d.dueAt) - now;
  return left >= 0 ? t('deadline.left', { t: duration(left, t) }) : t('deadline.over', { t: duration(left, t) });
}

export function fmtTime(iso: string | null | undefined, lang: string): string {
  return localTime(iso, lang) || '—';
}

/** An error in the current language. */
export { errorText as errText } from '../shared/sign-in.js';

export const isNetwork = (e: unknown) => e instanceof ApiError && e.code === 'NETWORK';

/** Calls `fn` once `ms` after the last call. */
export function debounce<A extends unknown[]>(fn: (...a: A) => void, ms: number): ((...a: A) => void) & { cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const d = (...a: A) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...a), ms);
  };
  d.cancel = () => clearTimeout(timer);
  return d;
}

/**
 * Removes a Leaflet map: its layers first, then the map. (Removed the other way round, a canvas
 * renderer can be destroyed before its paths, which then ask it for one more redraw.)
 */
export function disposeMap(map: L.Map): void {
  const layers: L.Layer[] = [];
  map.eachLayer((l) => { if (!(l instanceof L.Renderer)) layers.push(l); });
  for (const l of layers) map.removeLayer(l);
  map.remove();
}
