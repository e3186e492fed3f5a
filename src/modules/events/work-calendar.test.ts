import { afterEach, describe, expect, it } from 'vitest';
import { addLimit, holidayDataCovers, isWorkday, limitMinutes } from './work-calendar.js';

/** An instant given as Shanghai wall-clock time. */
const sh = (local: string) => new Date(`${local}+08:00`);
/** The Shanghai wall-clock time of an instant, as 'YYYY-MM-DDTHH:mm'. */
const shText = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16);
const workdays = (amount: number) => ({ amount, unit: 'workdays' as const });

describe('isWorkday', () => {
  it('follows the 2026 National Day arrangement (Oct 1–7 off, Sep 20 and Oct 10 worked)', () => {
    for (let d = 1; d <= 7; d++) expect(isWorkday(sh(`2026-10-0${d}T12:00:00`)), `10-0${d}`).toBe(false);
    expect(isWorkday(sh('2026-09-20T12:00:00'))).toBe(true); // Sunday, make-up workday
    expect(isWorkday(sh('2026-10-10T12:00:00'))).toBe(true); // Saturday, make-up workday
    expect(isWorkday(sh('2026-10-08T12:00:00'))).toBe(true);
    expect(isWorkday(sh('2026-10-11T12:00:00'))).toBe(false); // ordinary Sunday
    // Mid-Autumn Festival 2026: Fri 25 – Sun 27 September
    expect(isWorkday(sh('2026-09-25T12:00:00'))).toBe(false);
  });

  it('follows the 2026 Spring Festival arrangement (Feb 15–23 off, Feb 14 and 28 worked)', () => {
    for (let d = 15; d <= 23; d++) expect(isWorkday(sh(`2026-02-${d}T12:00:00`)), `02-${d}`).toBe(false);
    expect(isWorkday(sh('2026-02-14T12:00:00'))).toBe(true);
    expect(isWorkday(sh('2026-02-28T12:00:00'))).toBe(true);
    expect(isWorkday(sh('2026-02-24T12:00:00'))).toBe(true);
  });

  it('reads the calendar day in Shanghai, not in UTC', () => {
    // 2026-10-07T17:00Z is still the holiday Oct 7 in UTC but already Thursday Oct 8, 01:00 in Shanghai.
    expect(isWorkday(new Date('2026-10-07T17:00:00Z'))).toBe(true);
    // Shanghai midnight between Sep 30 (workday) and Oct 1 (holiday) is 16:00 UTC.
    expect(isWorkday(new Date('2026-09-30T16:00:00Z'))).toBe(false); // 00:00 Oct 1 Shanghai
    expect(isWorkday(new Date('2026-09-30T15:59:59Z'))).toBe(true); // 23:59:59 Sep 30 Shanghai
  });

  describe('whatever the process time zone', () => {
    const saved = process.env.TZ;
    afterEach(() => {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    });
    for (const tz of ['America/Los_Angeles', 'Pacific/Kiritimati', 'UTC']) {
      it(`gives the same answers with TZ=${tz}`, () => {
        process.env.TZ = tz;
        expect(isWorkday(sh('2026-10-01T00:30:00'))).toBe(false);
        expect(isWorkday(sh('2026-10-08T00:30:00'))).toBe(true);
        expect(isWorkday(sh('2026-10-10T23:30:00'))).toBe(true);
        expect(shText(addLimit(sh('2026-09-30T10:00:00'), workdays(1)))).toBe('2026-10-08T10:00');
      });
    }
  });

  it('falls back to Monday–Friday for years chinese-days does not cover', () => {
    expect(holidayDataCovers(2004)).toBe(true);
    expect(holidayDataCovers(2026)).toBe(true);
    expect(holidayDataCovers(2003)).toBe(false);
    expect(holidayDataCovers(2030)).toBe(false);
    expect(isWorkday(sh('2030-10-01T12:00:00'))).toBe(true); // a Tuesday: no holiday data
    expect(isWorkday(sh('2030-10-05T12:00:00'))).toBe(false); // a Saturday
    // Friday 2030-10-04 + 1 workday → Monday 2030-10-07
    expect(shText(addLimit(sh('2030-10-04T15:00:00'), workdays(1)))).toBe('2030-10-07T15:00');
  });

  it('rejects an invalid date', () => {
    expect(() => isWorkday(new Date('nope'))).toThrow(RangeError);
  });
});

describe('addLimit', () => {
  it('adds minutes and hours as wall-clock time, holidays included', () => {
    const start = sh('2026-10-01T10:00:00'); // National Day
    expect(addLimit(start, { amount: 30, unit: 'minutes' }).toISOString()).toBe('2026-10-01T02:30:00.000Z');
    expect(shText(addLimit(start, { amount: 2, unit: 'hours' }))).toBe('2026-10-01T12:00');
    expect(shText(addLimit(sh('2026-03-06T23:00:00'), { amount: 48, unit: 'hours' }))).toBe('2026-03-08T23:00');
    expect(addLimit(start, { amount: 0, unit: 'minutes' }).getTime()).toBe(start.getTime());
  });

  it('skips the National Day 2026 holidays and counts the make-up Saturday', () => {
    const start = sh('2026-09-30T10:00:00'); // Wednesday, last workday before the holiday
    expect(shText(addLimit(start, workdays(1)))).toBe('2026-10-08T10:00');
    expect(shText(addLimit(start, workdays(2)))).toBe('2026-10-09T10:00');
    expect(shText(addLimit(start, workdays(3)))).toBe('2026-10-10T10:00'); // make-up Saturday
    expect(shText(addLimit(start, workdays(4)))).toBe('2026-10-12T10:00');
  });

  it('counts the make-up Sunday before National Day 2026', () => {
    // Friday 18 Sep → Sunday 20 Sep is a workday; Monday 21 follows
    expect(shText(addLimit(sh('2026-09-18T16:00:00'), workdays(1)))).toBe('2026-09-20T16:00');
    expect(shText(addLimit(sh('2026-09-18T16:00:00'), workdays(2)))).toBe('2026-09-21T16:00');
  });

  it('skips the Spring Festival 2026 holidays', () => {
    const start = sh('2026-02-13T14:00:00'); // Friday
    expect(shText(addLimit(start, workdays(1)))).toBe('2026-02-14T14:00'); // make-up Saturday
    expect(shText(addLimit(start, workdays(2)))).toBe('2026-02-24T14:00'); // first day back
    // 15 workdays, as for a dispute: Feb 14, 24–27, 28 (make-up), Mar 2–6, Mar 9–12
    expect(shText(addLimit(start, workdays(15)))).toBe('2026-03-12T14:00');
  });

  it('skips an ordinary weekend', () => {
    expect(shText(addLimit(sh('2026-03-06T16:00:00'), workdays(1)))).toBe('2026-03-09T16:00');
    expect(shText(addLimit(sh('2026-03-06T16:00:00'), workdays(5)))).toBe('2026-03-13T16:00');
  });

  it('starts counting at 09:00 of the next working day when started on a weekend or holiday', () => {
    // Saturday 7 March → counted from Monday 9 March 09:00
    expect(shText(addLimit(sh('2026-03-07T22:15:00'), workdays(1)))).toBe('2026-03-10T09:00');
    expect(shText(addLimit(sh('2026-03-07T22:15:00'), workdays(0)))).toBe('2026-03-09T09:00');
    // Saturday 3 October (National Day) → counted from Thursday 8 October 09:00
    expect(shText(addLimit(sh('2026-10-03T15:00:00'), workdays(0)))).toBe('2026-10-08T09:00');
    expect(shText(addLimit(sh('2026-10-03T15:00:00'), workdays(1)))).toBe('2026-10-09T09:00');
    expect(shText(addLimit(sh('2026-10-03T15:00:00'), workdays(2)))).toBe('2026-10-10T09:00');
    // a working day keeps its clock time with 0 workdays
    expect(shText(addLimit(sh('2026-10-09T18:20:00'), workdays(0)))).toBe('2026-10-09T18:20');
  });

  it('uses Shanghai days and clock times, not UTC ones', () => {
    // 23:30 Friday 9 October in Shanghai = 15:30 UTC; +1 workday = the make-up Saturday, 23:30 Shanghai
    const lateFriday = new Date('2026-10-09T15:30:00Z');
    expect(shText(lateFriday)).toBe('2026-10-09T23:30');
    expect(addLimit(lateFriday, workdays(1)).toISOString()).toBe('2026-10-10T15:30:00.000Z');
    expect(addLimit(lateFriday, workdays(2)).toISOString()).toBe('2026-10-12T15:30:00.000Z');
    // 01:00 Thursday 8 October in Shanghai is 17:00 UTC on the holiday Oct 7: a workday start, kept at 01:00
    const earlyThursday = new Date('2026-10-07T17:00:00Z');
    expect(addLimit(earlyThursday, workdays(1)).toISOString()).toBe('2026-10-08T17:00:00.000Z'); // Fri 01:00
    // 07:00 Shanghai on Saturday 10 October (make-up day) is 23:00 UTC on Friday: +1 → Monday 12, 07:00
    expect(addLimit(new Date('2026-10-09T23:00:00Z'), workdays(1)).toISOString()).toBe('2026-10-11T23:00:00.000Z');
  });

  it('crosses a year boundary', () => {
    // Thursday 31 Dec 2026 + 1 workday: 2027 is outside the data, so Friday 1 Jan 2027 (Monday–Friday fallback)
    expect(shText(addLimit(sh('2026-12-31T10:00:00'), workdays(1)))).toBe('2027-01-01T10:00');
    // Wednesday 31 Dec 2025 + 1: New Year 2026 (Jan 1–3) off, Sunday Jan 4 is a make-up workday
    expect(shText(addLimit(sh('2025-12-31T10:00:00'), workdays(1)))).toBe('2026-01-04T10:00');
  });

  it('rejects bad limits', () => {
    const start = sh('2026-03-02T10:00:00');
    expect(() => addLimit(start, { amount: -1, unit: 'hours' })).toThrow(RangeError);
    expect(() => addLimit(start, { amount: 1.5, unit: 'workdays' })).toThrow(RangeError);
    expect(() => addLimit(start, { amount: Number.NaN, unit: 'minutes' })).toThrow(RangeError);
    expect(() => addLimit(start, { amount: 1, unit: 'days' as never })).toThrow(RangeError);
    expect(() => addLimit(new Date('x'), { amount: 1, unit: 'hours' })).toThrow(RangeError);
  });
});

describe('limitMinutes', () => {
  it('gives the nominal length in minutes', () => {
    expect(limitMinutes({ amount: 30, unit: 'minutes' })).toBe(30);
    expect(limitMinutes({ amount: 2, unit: 'hours' })).toBe(120);
    expect(limitMinutes({ amount: 1, unit: 'workdays' })).toBe(1440);
    expect(limitMinutes({ amount: 15, unit: 'workdays' })).toBe(21_600);
  });
});
