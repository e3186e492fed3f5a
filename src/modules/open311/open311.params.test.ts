/** The pure parts: form and query parameters, dates, jurisdiction ids, names, the XML writer, the status table. */
import { describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { attributesOf, dateOf, dateRange, list, one, Open311Failure, paging, parseForm, say, text, w3c } from './open311.params.js';
import { canonicalJurisdiction, fullName } from './open311.service.js';
import { openOrClosed, updateStatus, UPDATE_ACTIONS } from './open311.status.js';
import { render } from './open311.xml.js';

const failure = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err as Open311Failure;
  }
  throw new Error('no error');
};

describe('form and query parameters', () => {
  it('reads a form body with repeated keys and attributes, single and multiple', () => {
    const p = parseForm('api_key=k&service_code=0801&attribute%5Bliving%5D=alone&attribute[needs][]=meals&attribute[needs][]=company&description=a+b%0Ac&x=&attribute[empty][]=');
    expect(one(p, 'description')).toBe('a b\nc');
    expect(one(p, 'x')).toBeUndefined(); // empty is absent
    expect(attributesOf(p)).toEqual({ living: 'alone', needs: ['meals', 'company'], empty: [] });
  });

  it('reads comma lists, also repeated, without duplicates', () => {
    expect(list({ status: 'open, closed' }, 'status')).toEqual(['open', 'closed']);
    expect(list({ status: ['open', 'closed,open'] }, 'status')).toEqual(['open', 'closed']);
    expect(list({ status: ',' }, 'status')).toBeUndefined();
  });

  it('limits text and refuses control characters', () => {
    expect(text({ d: '一\n二' }, 'd', 10, true)).toBe('一\n二');
    expect(failure(() => text({ d: '一\n二' }, 'd', 10)).status).toBe(400);
    expect(failure(() => text({ d: 'a\u0007' }, 'd', 10, true)).text.en).toContain('control');
    expect(text({ d: '😀'.repeat(10) }, 'd', 10)).toHaveLength(20); // characters, not UTF-16 units
    expect(failure(() => text({ d: 'x'.repeat(11) }, 'd', 10)).text.en).toContain('longer than 10');
  });

  it('reads W3C dates, with an offset, Z, or none (Beijing time), and an unencoded +', () => {
    expect(dateOf({ d: '2026-06-10T08:00:00+08:00' }, 'd')!.toISOString()).toBe('2026-06-10T00:00:00.000Z');
    expect(dateOf({ d: '2026-06-10T08:00:00 08:00' }, 'd')!.toISOString()).toBe('2026-06-10T00:00:00.000Z');
    expect(dateOf({ d: '2026-06-10T00:00:00Z' }, 'd')!.toISOString()).toBe('2026-06-10T00:00:00.000Z');
    expect(dateOf({ d: '2026-06-10T08:00+0800' }, 'd')!.toISOString()).toBe('2026-06-10T00:00:00.000Z');
    expect(dateOf({ d: '2026-06-10' }, 'd')!.toISOString()).toBe('2026-06-09T16:00:00.000Z');
    for (const bad of ['yesterday', '2026-13-01', '2026-06-10T25:00:00Z', '1718000000']) expect(failure(() => dateOf({ d: bad }, 'd')).status, bad).toBe(400);
  });

  it('spans at most 90 days, by default the last 90', () => {
    const now = new Date('2026-06-10T00:00:00Z');
    const day = 86_400_000;
    expect(dateRange({}, now)).toEqual({ from: new Date(now.getTime() - 90 * day), to: now });
    expect(dateRange({ start_date: '2026-06-01T00:00:00Z' }, now).to).toEqual(new Date(Date.parse('2026-06-01T00:00:00Z') + 90 * day));
    expect(dateRange({ end_date: '2026-06-01T00:00:00Z' }, now).from).toEqual(new Date(Date.parse('2026-06-01T00:00:00Z') - 90 * day));
    expect(dateRange({ start_date: '2026-03-12T00:00:00Z', end_date: '2026-06-10T00:00:00Z' }, now).from.toISOString()).toBe('2026-03-12T00:00:00.000Z');
    expect(failure(() => dateRange({ start_date: '2026-03-11T23:59:59Z', end_date: '2026-06-10T00:00:00Z' }, now)).text.en).toContain('90 days');
    expect(failure(() => dateRange({ start_date: '2026-06-10T00:00:01Z', end_date: '2026-06-10T00:00:00Z' }, now)).status).toBe(400);
  });

  it('pages of at most 1,000', () => {
    expect(paging({})).toEqual({ page: 1, pageSize: 1000 });
    expect(paging({ page: '3', page_size: '20' })).toEqual({ page: 3, pageSize: 20 });
    for (const p of [{ page: '0' }, { page_size: '1001' }, { page: '1.5' }, { page_size: '-1' }]) expect(failure(() => paging(p)).status).toBe(400);
  });

  it('writes Beijing time with its offset, and errors in the asked language', () => {
    expect(w3c(new Date('2026-06-09T17:30:05.123Z'))).toBe('2026-06-10T01:30:05+08:00');
    expect(say({ zh: '中', en: 'en' }, 'en')).toBe('en');
    expect(say({ zh: '中', en: 'en' }, 'zh')).toBe('中');
    expect(say({ zh: '中', en: 'en' }, null)).toBe('中 / en');
  });
});

describe('jurisdictions and names', () => {
  it('accepts the codes of the province, a city and a county in their usual forms', () => {
    expect(['33', '330000', '330000000000'].map(canonicalJurisdiction)).toEqual(['33', '33', '33']);
    expect(['3301', '330100', '330100000000'].map(canonicalJurisdiction)).toEqual(['3301', '3301', '3301']);
    expect(['330106', '330106000000', ' 330106 '].map(canonicalJurisdiction)).toEqual(['330106', '330106', '330106']);
    expect(['330106002', '330106002051', 'sfgov.org', '', '3'].map(canonicalJurisdiction)).toEqual([null, null, null, null, null]);
  });

  it('joins a Chinese name family name first, others given name first', () => {
    expect(fullName('小明', '王')).toBe('王小明');
    expect(fullName('John', 'Smith')).toBe('John Smith');
    expect(fullName(undefined, '王')).toBe('王');
    expect(fullName(undefined, undefined)).toBeUndefined();
  });
});

describe('the documents', () => {
  it('writes XML by the Spark convention: lists as repeated items, null as empty, escaped text', () => {
    const xml = render('xml', 'service_requests', [{ service_request_id: '1', status_notes: null, description: 'a < b & "c"\u0007', lat: 30.25, ok: true }, { service_request_id: '2' }]);
    expect(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<service_requests>')).toBe(true);
    const tree = new XMLParser({ parseTagValue: false, isArray: (n) => n === 'request' }).parse(xml);
    expect(tree.service_requests.request).toEqual([{ service_request_id: '1', status_notes: '', description: 'a < b & "c"', lat: '30.25', ok: 'true' }, { service_request_id: '2' }]);
    expect(render('json', 'service_requests', [{ a: null, b: undefined }])).toBe('[{"a":null}]');
    expect(render('xml', 'services', [])).toBe('<?xml version="1.0" encoding="utf-8"?>\n<services></services>\n');
  });

  it('maps every published transition to an extended status, and our states to open/closed', () => {
    expect(UPDATE_ACTIONS).not.toContain('add_info');
    expect(UPDATE_ACTIONS).not.toContain('report');
    expect(updateStatus('verify_pass', 'closed')).toBe('FIXED');
    expect(updateStatus('reopen', 'accepted')).toBe('REOPEN');
    expect(updateStatus('merge', 'merged')).toBe('DUPLICATE');
    expect(updateStatus('resume', 'dispatched')).toBe('ACTION_SCHEDULED');
    expect(updateStatus('resume', 'in_progress')).toBe('IN_PROGRESS');
    expect(updateStatus('auto_escalate', 'reported')).toBe('INTERNAL_REFERRAL');
    expect(['closed', 'rejected', 'withdrawn', 'merged'].map(openOrClosed)).toEqual(['closed', 'closed', 'closed', 'closed']);
    expect(['reported', 'accepted', 'returned', 'dispatched', 'in_progress', 'handled', 'suspended'].every((s) => openOrClosed(s) === 'open')).toBe(true);
  });
});
