/**
 * The command dashboard's first render with the province seed (goal ≤ 2 s), measured in Chromium
 * with the Performance API: a province (province-scale seed, ≈ 85,000 grids) with a year of cases
 * (loadCases, as the events benchmark), the real app in a child process serving the built pages
 * (dist-web/), and Chromium at 1920×1080 signed in (session cookie) as a leader of the province
 * center, of the busiest city's center and of the busiest county's center. Each opens /dashboard
 * and waits for the performance mark `dashboard-ready`, set when the indicators, the map (areas,
 * heat by sub-area, case points) and both charts are drawn with their data; cold (a new browser
 * context: empty cache) and warm (a reload in it), `--runs` times each. Prints the median and max
 * of both per leader against the goal, the marks of the parts (which comes last), and the API
 * calls the page waited on (from the resource entries: duration, server wait, size), the slowest
 * one beside the goal too.
 *
 * It creates `pingan_bench_dashboard_<random>_a` on the server of BENCH_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres) and drops it at the end. Needs `npm run build:web`
 * and Chromium (found as the browser tests find it: e2e/chromium.ts). Options (after `npm run bench --
 * dashboard`): `--cases N` (default 1,000,000), `--runs R` (default 5), `--keep` (leave the
 * database), `--database NAME` (a database kept before: no seeding or loading; for measuring a
 * change of the page or the server on the same data).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { openDatabase, rows, type Database } from '../src/platform/db/database.js';
import { migrate } from '../src/platform/db/migrator.js';
import { categoryBreakdown, countByStatus, indicators, mapPoints, series, type Filter } from '../src/modules/events/queries.repository.js';
import { sql, type SQL } from 'drizzle-orm';
import { checkBrowser, launchChromium, signedIn, WEB_DIR } from '../e2e/chromium.js';
import {
  asProvince, explaining, int, log, ms, onPostgres, option, percentile, provinceWithCases, report, secs, staff, startServer,
  type Databases, type Province, type Server, type Session,
} from './support.js';

const GOAL_MS = 2000;
const VIEWPORT = { width: 1920, height: 1080 };

/** What one page load measured: marks (ms after navigation start) and the API calls done before `dashboard-ready`. */
interface Load {
  ready: number;
  marks: Record<string, number>;
  domContentLoaded: number;
  assets: { n: number; bytes: number; end: number };
  /** the main thread's long tasks (> 50 ms) before `dashboard-ready`: their count and time */
  longTasks: { n: number; ms: number };
  api: ApiCall[];
}
interface ApiCall { url: string; start: number; end: number; wait: number; bytes: number }

// run in the page before its own scripts, and evaluated in it (this file is compiled without the DOM's types)
const OBSERVE = `window.__longTasks = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask' });`;
const MEASURE = `(() => {
  const marks = {};
  for (const m of performance.getEntriesByType('mark')) if (m.name.startsWith('dashboard-') && !(m.name in marks)) marks[m.name] = m.startTime;
  const ready = marks['dashboard-ready'];
  const res = performance.getEntriesByType('resource');
  const assets = res.filter((r) => new URL(r.name).pathname.startsWith('/assets/'));
  return {
    ready, marks,
    domContentLoaded: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
    assets: { n: assets.length, bytes: assets.reduce((n, r) => n + r.transferSize, 0), end: Math.max(0, ...assets.map((r) => r.responseEnd)) },
    longTasks: window.__longTasks.filter(([at]) => at < ready).reduce((t, [, d]) => ({ n: t.n + 1, ms: t.ms + d }), { n: 0, ms: 0 }),
    api: res.filter((r) => new URL(r.name).pathname.startsWith('/api/') && r.responseEnd > 0 && r.responseEnd <= ready)
      .map((r) => ({ url: r.name, start: r.startTime, end: r.responseEnd, wait: r.responseStart - r.requestStart, bytes: r.encodedBodySize })),
  };
})()`;

/** An API call's kind: its path with area codes and ids as placeholders, without the query. */
function kindOf(url: string): string {
  return new URL(url).pathname.replace(/\/boundaries\/[^/]+/, '/boundaries/{code}').replace(/\/events\/\d+/, '/events/{id}');
}

async function load(browser: Browser, base: string, leader: Session): Promise<{ cold: Load; warm: Load }> {
  const context = await signedIn(browser, base, leader, { viewport: VIEWPORT });
  try {
    await context.addInitScript(OBSERVE);
    const page = await context.newPage();
    const waitReady = async () => {
      await page.waitForFunction(() => performance.getEntriesByName('dashboard-ready').length > 0, undefined, { timeout: 60_000, polling: 50 }); // a function: the page's CSP forbids eval
      return page.evaluate<Load>(MEASURE);
    };
    await page.goto(`${base}/dashboard`);
    const cold = await waitReady();
    await page.reload();
    const warm = await waitReady();
    return { cold, warm };
  } finally {
    await context.close();
  }
}

const s2 = (x: number) => `${(x / 1000).toFixed(2)} s`;
const kb = (b: number) => (b >= 1_000_000 ? `${(b / 1_000_000).toFixed(1)} MB` : `${Math.round(b / 1000)} kB`);
const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
const max = (xs: number[]) => Math.max(...xs);

/** The API calls of some loads by kind: per load the slowest call of the kind, then median and max over the loads (and the slowest call's URL). */
function apiByKind(loads: Load[]) {
  const kinds = new Map<string, { durations: number[]; starts: number[]; waits: number[]; bytes: number[]; calls: number; url: string; longest: number }>();
  for (const l of loads) {
    const seen = new Map<string, ApiCall[]>();
    for (const c of l.api) seen.set(kindOf(c.url), [...(seen.get(kindOf(c.url)) ?? []), c]);
    for (const [k, calls] of seen) {
      const slowest = calls.reduce((a, b) => (b.end - b.start > a.end - a.start ? b : a));
      const e = kinds.get(k) ?? { durations: [], starts: [], waits: [], bytes: [], calls: 0, url: '', longest: -1 };
      e.durations.push(slowest.end - slowest.start);
      if (slowest.end - slowest.start > e.longest) [e.url, e.longest] = [slowest.url, slowest.end - slowest.start];
      e.starts.push(slowest.start);
      e.waits.push(slowest.wait);
      e.bytes.push(max(calls.map((c) => c.bytes)));
      e.calls = Math.max(e.calls, calls.length);
      kinds.set(k, e);
    }
  }
  return [...kinds.entries()].map(([kind, e]) => ({ kind, ...e, median: median(e.durations), max: max(e.durations) })).sort((a, b) => b.median - a.median);
}

type Loads = { cold: Load; warm: Load }[];
const readyMedian = (loads: Loads, which: 'cold' | 'warm') => median(loads.map((l) => l[which].ready));

/** The figures of a leader's loads; `floor`: the township leader's (the same page with little data), for ratios. */
async function summarize(p: Province, leader: Leader, loads: Loads, floor: Loads): Promise<void> {
  const label = leader.label;
  for (const which of ['cold', 'warm'] as const) {
    const ls = loads.map((l) => l[which]);
    const ready = ls.map((l) => l.ready);
    const parts = Object.keys(ls[0].marks).filter((m) => m !== 'dashboard-ready')
      .map((m) => `${m.replace('dashboard-', '')} ${ms(median(ls.map((l) => l.marks[m] ?? NaN)))}`).join(', ');
    const vsFloor = loads === floor ? '' : `, ${(median(ready) / readyMedian(floor, which)).toFixed(2)}× the township leader's`;
    log(`${label}, ${which}: dashboard-ready ${ready.map((r) => Math.round(r)).join(', ')} ms; median ${ms(median(ready))}${vsFloor}, max ${ms(max(ready))}`);
    log(`  median marks: DOMContentLoaded ${ms(median(ls.map((l) => l.domContentLoaded)))}, page code (${median(ls.map((l) => l.assets.n))} files, ${kb(median(ls.map((l) => l.assets.bytes)))} over the wire) in by ${ms(median(ls.map((l) => l.assets.end)))}, ${parts}`);
    log(`  main thread before the mark: ${median(ls.map((l) => l.longTasks.n))} long tasks, ${ms(median(ls.map((l) => l.longTasks.ms)))} (median)`);
    const ratio = (x: number) => (x / GOAL_MS).toFixed(2);
    report(label, `${which}: median / max`, `${s2(median(ready))} / ${s2(max(ready))} (${ratio(median(ready))} / ${ratio(max(ready))} of the goal)`, `median ≤ ${s2(GOAL_MS)}`, median(ready) <= GOAL_MS);
  }
  const kinds = apiByKind(loads.flatMap((l) => [l.cold, l.warm]));
  log(`  API calls before dashboard-ready (per load the slowest of a kind: median / max duration over ${loads.length * 2} loads; median start; server wait; size):`);
  for (const k of kinds) {
    log(`    ${k.kind}${k.calls > 1 ? ` (×${k.calls})` : ''}: ${ms(k.median)} / ${ms(k.max)}; from ${ms(median(k.starts))}; wait ${ms(median(k.waits))}; ${kb(median(k.bytes))}`);
  }
  const slowest = kinds[0];
  report(label, `slowest API call: ${slowest.kind.replace('/api/v1/', '')}`, `${ms(slowest.median)} / ${ms(slowest.max)}`);
  if (slowest.median > GOAL_MS / 10) await explainCall(p.database, slowest.url, leader.area);
}

/** EXPLAIN ANALYZE of the queries behind an API call of the page, with its parameters, through the app's repository functions. */
async function explainCall(database: Database, url: string, own: Area): Promise<void> {
  const u = new URL(url), q = u.searchParams;
  const org = q.get('org');
  const area = org ? (await rows<Area>(database.db, sql`select level, code from org_units where code = ${org}`))[0] : own;
  const from = new Date(q.get('from') ?? 0), to = new Date(q.get('to') ?? Date.now());
  const db = explaining(database);
  log(`  EXPLAIN ANALYZE of the queries behind the slowest call, GET ${u.pathname}?${q}:`);
  switch (kindOf(url)) {
    case '/api/v1/events/indicators': await indicators(db, area, from, to, new Date()); await categoryBreakdown(db, area, from, to); break;
    case '/api/v1/events/indicators/series': await series(db, area, from, to, (q.get('interval') ?? 'day') as 'day' | 'month'); break;
    case '/api/v1/events/counts': await countByStatus(db, { area, from, to }); break;
    case '/api/v1/events/geojson': await mapPoints(db, { area, from, to, bbox: q.get('bbox')?.split(',').map(Number) as Filter['bbox'] }, Number(q.get('limit') ?? 5000)); break;
    default: log('    (no query of the events module: see its route)');
  }
}

type Area = NonNullable<Filter['area']>;
interface Leader { label: string; area: Area; n: number; session: Session }

/**
 * The leaders: of the province center, of the busiest city's and the busiest county's (the most
 * cases in the default 30 days); and of the quietest township's, the same page with little data:
 * the floor of this machine at this moment, for the others' ratios.
 */
async function leaders(p: Province, server: Server): Promise<Leader[]> {
  const since = new Date(Date.now() - 30 * 86_400_000).toISOString();
  const [{ n: all }] = await rows<{ n: number }>(p.database.db, sql`select count(*)::int as n from events where created_at >= ${since}::timestamptz`);
  const [province] = await rows<{ code: string }>(p.database.db, sql`select code from org_units where level = 'province' and kind = 'area' order by code limit 1`);
  const by = async (col: 'city_code' | 'county_code' | 'township_code', order: SQL) => (await rows<{ code: string; n: number }>(p.database.db, sql`select ${sql.raw(col)} as code, count(*)::int as n
    from events where created_at >= ${since}::timestamptz and ${sql.raw(col)} is not null group by 1 order by ${order} limit 1`))[0];
  const at = (level: string, r: { code: string; n: number }) => ({ label: level, area: { level, code: r.code }, n: r.n });
  const areas = [
    at('province', { code: province.code, n: all }),
    at('city', await by('city_code', sql`2 desc`)),
    at('county', await by('county_code', sql`2 desc`)),
    at('township', await by('township_code', sql`2 asc`)),
  ];
  const tag = crypto.randomBytes(3).toString('hex'); // names of their own: a kept database may be used again
  const out: Leader[] = [];
  for (const a of areas) out.push({ ...a, session: await staff(server, p.accounts, `bench.dash.${tag}.${a.label}`, 'leader', `${a.area.code}-center`) });
  return out;
}

/** A database kept by an earlier run (`--database NAME`), as provinceWithCases leaves one, with any newer migrations applied. */
async function keptProvince(dbs: Databases, name: string): Promise<Province> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`--database ${name}: not a database name`);
  const url = new URL(dbs.adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString() });
  const applied = await migrate(database); // what this code added since
  const [{ n }] = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from events`);
  log(`database ${name} as it was kept: ${int(n)} cases${applied.length ? `; migrations applied now: ${applied.map((m) => m.name).join(', ')}` : ''}`);
  return asProvince(url.toString(), database);
}

/** Warns when a page source is newer than the build: the benchmark would measure the old page. */
function warnIfStale(): void {
  const built = fs.statSync(path.join(WEB_DIR, 'dashboard.html')).mtimeMs;
  const newest = (dir: string): number => Math.max(0, ...fs.readdirSync(dir, { withFileTypes: true }).map((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs;
  }));
  if (newest(path.resolve('web/src')) > built) console.log('  (warning: web/src is newer than dist-web: run `npm run build:web` to measure the page as it is now)');
}

export async function dashboardBench(): Promise<void> {
  const n = Number(option('cases') ?? 1_000_000);
  const runs = Number(option('runs') ?? 5);
  if (!Number.isInteger(n) || n < 1000) throw new Error('--cases must be a whole number ≥ 1000');
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a whole number ≥ 1');
  try {
    await checkBrowser();
  } catch (err) {
    console.log(`\n## dashboard: skipped: ${(err as Error).message}`);
    return;
  }
  warnIfStale();
  await onPostgres('dashboard', `first render of the command dashboard, Chromium ${VIEWPORT.width}×${VIEWPORT.height}`, async (dbs) => {
    const kept = option('database');
    const p = kept ? await keptProvince(dbs, kept) : await provinceWithCases(dbs, 'a', n, new Date());
    let server: Server | null = null;
    let browser: Browser | null = null;
    try {
      server = await startServer(p.url, p.keys, { PINGAN_WEB_DIR: WEB_DIR });
      const who = await leaders(p, server);
      browser = await launchChromium();
      log(`leaders signed in: ${who.map((l) => `${l.label} ${l.area.code} (${int(l.n)} cases in 30 days)`).join('; ')}; ${runs} cold loads (a new context) each followed by a warm one (reload)`);
      const measured: Loads[] = [];
      for (const l of who) {
        const t0 = performance.now();
        const loads: Loads = [];
        for (let i = 0; i < runs; i++) loads.push(await load(browser, server.base, l.session));
        log(`${l.label} leader: ${runs * 2} loads in ${secs(t0)} (load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)`);
        measured.push(loads);
      }
      for (const [i, l] of who.entries()) await summarize(p, l, measured[i], measured[who.length - 1]);
    } finally {
      await browser?.close();
      await server?.close();
      await p.database.close();
    }
  });
}
