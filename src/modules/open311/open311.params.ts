/**
 * Reading Open311 parameters: the form body of POSTs (application/x-www-form-urlencoded, with
 * `attribute[code]=v` and `attribute[code][]=v`), query strings, dates, comma lists, pages. As
 * the spec asks, an empty parameter is the same as an absent one. Bad input is an Open311 error
 * (400, 403 or 404) with a description in Chinese and English.
 */
import type { Message } from '../../platform/errors.js';

export type Params = Record<string, string | string[] | undefined>;
export type Locale = 'zh' | 'en';

/** An Open311 error: the HTTP status is also the code in the body. */
export class Open311Failure extends Error {
  constructor(readonly status: 400 | 403 | 404, readonly text: Message) {
    super(text.en);
    this.name = 'Open311Failure';
  }
}

export const fail = (status: 400 | 403 | 404, zh: string, en: string) => new Open311Failure(status, { zh, en });

/** A description in the caller's locale; both languages when none was asked for. */
export function say(text: Message, locale: Locale | null): string {
  return locale === 'en' ? text.en : locale === 'zh' ? text.zh : `${text.zh} / ${text.en}`;
}

export function parseForm(body: string): Params {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    const prior = out[k];
    out[k] = prior === undefined ? v : Array.isArray(prior) ? [...prior, v] : [prior, v];
  }
  return out;
}

/** The parameter's value (the first, if repeated), trimmed; undefined when absent or empty. */
export function one(p: Params, name: string): string | undefined {
  const v = p[name];
  const s = (Array.isArray(v) ? v[0] : v)?.trim();
  return s ? s : undefined;
}

/** A comma list, which may also be repeated (`status=open,closed` or `status=open&status=closed`). */
export function list(p: Params, name: string): string[] | undefined {
  const v = p[name];
  const all = (Array.isArray(v) ? v : v === undefined ? [] : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  return all.length ? [...new Set(all)] : undefined;
}

export const truthy = (v: string | undefined) => v !== undefined && /^(true|1|yes)$/i.test(v);

export function localeOf(p: Params): Locale | null {
  const v = one(p, 'locale')?.toLowerCase();
  return v?.startsWith('en') ? 'en' : v?.startsWith('zh') ? 'zh' : null;
}

/** `attribute[code]=v` → v; `attribute[code][]=v` (repeatable) → [v, …]. */
export function attributesOf(p: Params): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(p)) {
    const m = /^attribute\[([^\]]{1,60})\](\[\])?$/.exec(k);
    if (!m || v === undefined) continue;
    const values = (Array.isArray(v) ? v : [v]).map((s) => s.trim());
    if (m[2]) out[m[1]] = [...((out[m[1]] as string[] | undefined) ?? []), ...values.filter(Boolean)];
    else if (values[0]) out[m[1]] = values.length === 1 ? values[0] : values;
  }
  return out;
}

/** Printable text: no control characters but line breaks and tabs, no bidi overrides or zero-width characters. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2060\ufeff]/;

export function text(p: Params, name: string, max: number, multiline = false): string | undefined {
  const v = one(p, name);
  if (v === undefined) return undefined;
  if (CONTROL.test(v) || (!multiline && /[\r\n\t]/.test(v))) throw fail(400, `${name} 含有不允许的控制字符`, `${name} holds control characters`);
  if ([...v].length > max) throw fail(400, `${name} 不能超过 ${max.toLocaleString('en')} 个字符`, `${name} is longer than ${max.toLocaleString('en')} characters`);
  return v;
}

const DAY_MS = 86_400_000;
export const MAX_SPAN_DAYS = 90;

/**
 * A W3C date-time. The spec wants an offset; one without is read as Beijing time (+08:00), a bare
 * date as its midnight there.
 */
export function dateOf(p: Params, name: string): Date | undefined {
  const v = one(p, name);
  if (v === undefined) return undefined;
  // an unencoded "+" of the offset arrives as a space
  const m = /^(\d{4}-\d\d-\d\d)(?:[T ](\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?)(Z|[+\- ]\d\d:?\d\d)?)?$/i.exec(v);
  const offset = m?.[3] ? (m[3].toUpperCase() === 'Z' ? 'Z' : `${m[3][0] === '-' ? '-' : '+'}${m[3].slice(1, 3)}:${m[3].slice(-2)}`) : '+08:00';
  const d = m ? new Date(`${m[1]}T${m[2] ?? '00:00:00'}${offset}`) : null;
  if (!d || Number.isNaN(d.getTime())) throw fail(400, `${name} 应为 W3C 日期时间，如 2026-06-10T08:00:00+08:00`, `${name} must be a W3C date-time such as 2026-06-10T08:00:00+08:00`);
  return d;
}

/** start_date/end_date: at most 90 days apart; without them, the 90 days up to now (or from/to the one given). */
export function dateRange(p: Params, now: Date): { from: Date; to: Date } {
  const start = dateOf(p, 'start_date');
  const end = dateOf(p, 'end_date');
  const span = MAX_SPAN_DAYS * DAY_MS;
  const from = start ?? new Date((end ?? now).getTime() - span);
  const to = end ?? (start ? new Date(start.getTime() + span) : now);
  if (from > to) throw fail(400, 'start_date 应早于 end_date', 'start_date must not be after end_date');
  if (to.getTime() - from.getTime() > span) throw fail(400, `start_date 与 end_date 相隔不能超过 ${MAX_SPAN_DAYS} 天`, `start_date and end_date may not span more than ${MAX_SPAN_DAYS} days`);
  return { from, to };
}

export const MAX_PAGE_SIZE = 1000;

/** `page` (from 1) and `page_size` (at most 1,000, the default). */
export function paging(p: Params): { page: number; pageSize: number } {
  const int = (name: string, max: number, fallback: number) => {
    const v = one(p, name);
    if (v === undefined) return fallback;
    if (!/^\d{1,7}$/.test(v) || Number(v) < 1 || Number(v) > max) throw fail(400, `${name} 应为 1 到 ${max} 的整数`, `${name} must be an integer from 1 to ${max}`);
    return Number(v);
  };
  return { page: int('page', 1_000_000, 1), pageSize: int('page_size', MAX_PAGE_SIZE, MAX_PAGE_SIZE) };
}

/** Beijing time with its offset, to the second: 2026-06-10T10:00:00+08:00 (Zhejiang keeps no summer time). */
export function w3c(d: Date | string): string {
  const t = typeof d === 'string' ? new Date(d) : d;
  return `${new Date(t.getTime() + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
}
