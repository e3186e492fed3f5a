/** Stage deadlines: the state now (the server's sweep, or later by the clock) and the countdown text. */
import type { EventView } from './types.js';

/** The same colours as the maps (shared/map.ts DEADLINE_COLORS), without loading Leaflet here. */
export const COLORS: Record<string, string> = { normal: '#16a34a', warning: '#ca8a04', overdue: '#dc2626', escalated: '#7c2d12' };
const RANK = ['normal', 'warning', 'overdue', 'escalated'];

/** The deadline state at `now`: never below the server's, and moving on as the clock passes warnAt, dueAt, escalateAt. */
export function stateAt(d: EventView['deadline'], now: number): string {
  const t = (s: string | null) => (s ? Date.parse(s) : Infinity);
  const byClock = now >= t(d.escalateAt) ? 'escalated' : now >= t(d.dueAt) ? 'overdue' : now >= t(d.warnAt) ? 'warning' : 'normal';
  const server = RANK.includes(d.state) ? d.state : 'normal';
  return RANK[Math.max(RANK.indexOf(server), RANK.indexOf(byClock))];
}

/** 2 天 3 小时 / 3 小时 5 分 / 4 分 12 秒 (and the English). */
export function span(ms: number, en: boolean): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const parts: [number, string, string][] = d ? [[d, '天', 'd'], [h, '小时', 'h']] : h ? [[h, '小时', 'h'], [m, '分', 'min']] : [[m, '分', 'min'], [sec, '秒', 's']];
  return parts.filter(([n], i) => n || i === 0).map(([n, zh, e]) => (en ? `${n} ${e}` : `${n} ${zh}`)).join(' ');
}

/** The countdown of the stage: "剩 3 小时 5 分" or "已超期 20 分 3 秒"; null without a deadline. */
export function countdown(d: EventView['deadline'], now: number, en: boolean): { text: string; overdue: boolean } | null {
  if (!d.dueAt) return null;
  const left = Date.parse(d.dueAt) - now;
  if (left >= 0) return { text: en ? `${span(left, en)} left` : `剩 ${span(left, en)}`, overdue: false };
  return { text: en ? `overdue by ${span(-left, en)}` : `已超期 ${span(-left, en)}`, overdue: true };
}


/** Sort key: the stage deadline, soonest (most overdue) first; cases without one last. */
export const dueKey = (v: EventView) => (v.deadline.dueAt ? Date.parse(v.deadline.dueAt) : Number.MAX_SAFE_INTEGER);
