/**
 * Seeding: the official tree of a province (org) and its boundaries with synthetic townships,
 * villages and grids (grids), in one transaction: a failed seed leaves nothing behind.
 */
import * as grids from '../modules/grids/index.js';
import * as org from '../modules/org/index.js';
import { seedCategories } from '../modules/events/index.js';
import type { Database } from '../platform/db/database.js';
import { AppError } from '../platform/errors.js';
import { recordAudit } from '../platform/audit/index.js';

export interface SeedRequest {
  region: string;
  scale: grids.Scale;
  seed?: string;
  counties?: string[];
  onProgress?: (done: number, total: number, label: string) => void;
}

export interface SeedReport {
  units: { level: string; kind: string; n: number }[];
  boundaries: Record<string, number>;
  grids: number;
  ms: number;
}

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
    return { units: await org.countUnits(tx), boundaries: result.boundaries, grids: result.grids, ms: Date.now() - started };
  });
}
