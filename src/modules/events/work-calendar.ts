/**
 * Working-day arithmetic for case deadlines (DESIGN.md §4), in Asia/Shanghai time.
 *
 * China has one time zone, UTC+8 with no daylight saving time, so a Shanghai calendar day is
 * computed by shifting the instant by +8 h and reading UTC fields: the result never depends on
 * the process's TZ setting.
 *
 * Public holidays and make-up workdays (调休上班) come from the `chinese-days` package, whose
 * data (1.5.7) covers 2004–2026. A year is treated as covered when the package knows its New
 * Year's Day (元旦) as a holiday, so upgrading the package extends the coverage with no code
 * change. Years it does not cover fall back to plain Monday–Friday working weeks: there a public
 * holiday counts as a workday and a make-up Saturday/Sunday does not (use
 * `holidayDataCovers(year)` to warn about it).
 */
import chineseDays from 'chinese-days';

export type LimitUnit = 'minutes' | 'hours' | 'workdays';
export interface Limit {
  amount: number;
  unit: LimitUnit;
}

export const LIMIT_UNITS: readonly LimitUnit[] = ['minutes', 'hours', 'workdays'];

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const SHANGHAI_OFFSET_MS = 8 * HOUR_MS;
/** Where workday counting starts when a limit starts on a non-working day: 09:00 Shanghai. */
const WORKDAY_START_MS = 9 * HOUR_MS;

/** Days since 1970-01-01 of the calendar day of `t` in Shanghai. */
function shanghaiDayNumber(t: number): number {
  return Math.floor((t + SHANGHAI_OFFSET_MS) / DAY_MS);
}

const coverage = new Map<number, boolean>();

/** Whether `chinese-days` holds the official holiday arrangement for `year` (2004–2026 in 1.5.7). */
export function holidayDataCovers(year: number): boolean {
  let covered = coverage.get(year);
  if (covered === undefined) {
    // Every published arrangement makes 1 January a holiday (元旦); without data it is a plain weekday.
    const detail = chineseDays.getDayDetail(localNoon(year, 0, 1));
    covered = !detail.work && detail.name.includes('元旦');
    coverage.set(year, covered);
  }
  return covered;
}

/**
 * `chinese-days` reads dates through the process's local time zone (a 'YYYY-MM-DD' string is
 * parsed as UTC midnight but then formatted with local getters). A local-noon Date has the
 * intended year/month/day in every time zone, so that is what we hand it.
 */
function localNoon(year: number, monthIndex: number, day: number): Date {
  return new Date(year, monthIndex, day, 12, 0, 0, 0);
}

function isWorkdayNumber(dayNumber: number): boolean {
  const d = new Date(dayNumber * DAY_MS); // UTC fields = the Shanghai calendar day
  const year = d.getUTCFullYear();
  if (!holidayDataCovers(year)) {
    const weekday = d.getUTCDay();
    return weekday >= 1 && weekday <= 5;
  }
  return chineseDays.isWorkday(localNoon(year, d.getUTCMonth(), d.getUTCDate()));
}

/**
 * Whether the calendar day of `day` in Asia/Shanghai is a working day: Monday–Friday unless it
 * is a public holiday, plus the make-up Saturdays/Sundays (调休上班). Outside the years that
 * `chinese-days` covers: Monday–Friday.
 */
export function isWorkday(day: Date): boolean {
  const t = day.getTime();
  if (Number.isNaN(t)) throw new RangeError('isWorkday: invalid date');
  return isWorkdayNumber(shanghaiDayNumber(t));
}

function checkLimit(limit: Limit): void {
  if (!LIMIT_UNITS.includes(limit.unit)) throw new RangeError(`unknown limit unit: ${String(limit.unit)}`);
  if (!Number.isFinite(limit.amount) || limit.amount < 0) {
    throw new RangeError(`a limit amount must be a finite number ≥ 0, got ${limit.amount}`);
  }
  if (limit.unit === 'workdays' && !Number.isInteger(limit.amount)) {
    throw new RangeError(`a limit in workdays must be a whole number, got ${limit.amount}`);
  }
}

/**
 * The deadline of a limit started at `start`.
 *
 * - `minutes`, `hours`: wall-clock time; nights, weekends and holidays all count.
 * - `workdays` (N): if the Shanghai day of `start` is a working day, the deadline is the same
 *   Shanghai clock time on the N-th working day after that day (a case accepted on Friday
 *   2026-10-09 at 23:30 with 1 workday is due on the make-up Saturday 2026-10-10 at 23:30).
 *   If `start` falls on a non-working day (weekend or holiday), counting starts at 09:00 on the
 *   next working day, and the deadline is 09:00 on the N-th working day after that one (a case
 *   started on Saturday 2026-10-03, during National Day, with 1 workday is due on Friday
 *   2026-10-09 at 09:00; with 0 workdays, at 09:00 on Thursday 2026-10-08).
 *   Working days are those of `isWorkday` (Chinese public holidays and make-up days; Monday–Friday
 *   for years `chinese-days` does not cover).
 *
 * Throws a RangeError for an invalid date, an unknown unit, a negative or non-finite amount, or a
 * fractional number of workdays.
 */
export function addLimit(start: Date, limit: Limit): Date {
  const t = start.getTime();
  if (Number.isNaN(t)) throw new RangeError('addLimit: invalid start date');
  checkLimit(limit);
  switch (limit.unit) {
    case 'minutes':
      return new Date(t + Math.round(limit.amount * MINUTE_MS));
    case 'hours':
      return new Date(t + Math.round(limit.amount * HOUR_MS));
    case 'workdays': {
      let day = shanghaiDayNumber(t);
      let timeOfDay = t + SHANGHAI_OFFSET_MS - day * DAY_MS;
      if (!isWorkdayNumber(day)) {
        do day++;
        while (!isWorkdayNumber(day));
        timeOfDay = WORKDAY_START_MS;
      }
      for (let left = limit.amount; left > 0; ) {
        day++;
        if (isWorkdayNumber(day)) left--;
      }
      return new Date(day * DAY_MS + timeOfDay - SHANGHAI_OFFSET_MS);
    }
  }
}

/**
 * The nominal length of a limit in minutes, for ratios (e.g. "80 % of the time used"): minutes
 * as given, hours × 60, workdays × 1440 (one calendar day per working day, ignoring the weekends
 * and holidays that `addLimit` skips). For the exact remaining time of a case, compare with the
 * deadline from `addLimit` instead.
 */
export function limitMinutes(limit: Limit): number {
  checkLimit(limit);
  switch (limit.unit) {
    case 'minutes':
      return limit.amount;
    case 'hours':
      return limit.amount * 60;
    case 'workdays':
      return limit.amount * 1440;
  }
}
