/**
 * Seeding: the official tree of a province (org) and its boundaries with synthetic townships,
 * villages and grids (grids), and for the demo a history of generated cases (events), in one
 * transaction: a failed seed leaves nothing behind.
 */
import * as grids from '../modules/grids/index.js';
import * as org from '../modules/org/index.js';
import { seedCategories, seedDemoHistory, type DemoHistory, type HistoryGrid } from '../modules/events/index.js';
import type { Database, Db } from '../platform/db/database.js';
import { AppError } from '../platform/errors.js';
import { recordAudit } from '../platform/audit/index.js';

export interface SeedRequest {
  region: string;
  scale: grids.Scale;
  seed?: string;
  counties?: string[];
  onProgress?: (done: number, total: number, label: string) => void;
  /** Generated cases over the days before `now` in the showcase counties (the demo's history). */
  history?: { days: number; cases: number; now: Date };
}

export interface SeedReport {
  units: { level: string; kind: string; n: number }[];
  boundaries: Record<string, number>;
  grids: number;
  history: DemoHistory | null;
  ms: number;
}

/** The demo's history: 90 days, about 1,500 cases in each showcase county (deterministic for a day). */
export const DEMO_HISTORY = { days: 90, cases: 4_500 };

export const DEFAULT_SEED = 'pingan';

export async function seedDatabase(database: Database, req: SeedRequest): Promise<SeedReport> {
  const started = Date.now();
  const divisions = org.loadDivisions(req.region);
  const wanted = req.counties;
  const units = wanted
    ? divisions.units.filter((d) => d.code.length < 6 ? wanted.some((c) => c.startsWith(d.code)) : wanted.includes(d.code.slice(0, 6)))
    : divisions.units;
  if (wanted) {
    const unknown = wanted.filter((c) => !units.some((u) => u.code === c));
    if (unknown.length) throw new AppError('VALIDATION_FAILED', { zh: `未知的区县代码：${unknown.join(', ')}`, en: `Unknown county codes: ${unknown.join(', ')}` }, { field: 'counties' });
  }
  return database.transaction(async (tx) => {
    if (!(await org.isEmpty(tx))) {
      throw new AppError('CONFLICT', { zh: '数据库中已有组织数据，未重复导入', en: 'The database already holds an org tree; nothing was seeded' });
    }
    await org.createUnits(tx, org.treeFromDivisions(units));
    await seedCategories(tx);
    const result = await grids.seedBoundaries(tx, { region: req.region, scale: req.scale, seed: req.seed ?? DEFAULT_SEED, counties: wanted, onProgress: req.onProgress });
    await recordAudit(tx, { actorName: 'seed', action: 'org.seed', result: 'success', targetType: 'region', targetId: req.region, details: { scale: req.scale, counties: wanted ?? 'all', grids: result.grids } });
    const showcase = grids.DEMO_COUNTIES.filter((c) => !wanted || wanted.includes(c));
    const history = req.history
      ? await seedDemoHistory(tx, { grids: await historyGrids(tx, showcase), handlers: await org.listHandlerUnits(tx, showcase), now: req.history.now, days: req.history.days, n: req.history.cases, seed: 0.2026 })
      : null;
    if (history) await recordAudit(tx, { actorName: 'seed', action: 'events.demo_history', result: 'success', targetType: 'region', targetId: req.region, details: { days: req.history!.days, cases: history.cases, byStatus: history.byStatus } });
    return { units: await org.countUnits(tx), boundaries: result.boundaries, grids: result.grids, history, ms: Date.now() - started };
  });
}

/** The area grids (of `counties`, or all) where generated cases go: org's places with grids' points. */
export async function historyGrids(db: Db, counties?: string[]): Promise<HistoryGrid[]> {
  const [places, points] = await Promise.all([org.listGridPlaces(db, counties), grids.gridPoints(db, counties)]);
  const at = new Map(points.map((p) => [p.unitId, p]));
  return places.flatMap((g) => {
    const p = at.get(g.gridId);
    return p ? [{ ...g, lon: p.lon, lat: p.lat, h3: p.h3, dx: p.dx, dy: p.dy }] : [];
  });
}
