/**
 * Import of real grid polygons (GeoJSON FeatureCollection; properties `code`, `name`,
 * `parent_code`). Everything is checked before anything is written; one transaction writes it
 * all. For each parent village named in the file, its grids become exactly the file's grids.
 */
import * as org from '../org/index.js';
import { AppError, type ErrorDetail, type Message } from '../../platform/errors.js';
import type { Database, Db } from '../../platform/db/database.js';
import { areaKm2, bboxOf, difference, intersection, toMulti, type MultiCoords } from './geometry.js';
import { boundaryRow } from './boundary-row.js';
import { bumpRevision, listBoundaries, upsertBoundaries } from './grids.repository.js';
import { validateAreaGeometry } from './validate.js';
import { recordAudit, type AuditEntry } from '../../platform/audit/index.js';

export const MAX_FEATURES = 100_000;
/** Share of a grid's area that may lie outside its parent (digitising differences). */
export const OUTSIDE_TOLERANCE = 0.01;
/** Share of the smaller grid's area two grids may overlap. */
export const OVERLAP_TOLERANCE = 0.01;

export interface ImportResult {
  created: number;
  updated: number;
  removed: number;
  villages: number;
}

interface Candidate {
  index: number;
  code: string;
  name: string;
  parentCode: string;
  coords: MultiCoords;
}

const msg = (zh: string, en: string): Message => ({ zh, en });
const CONTROL = /[\u0000-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2060\ufeff]/;

function invalid(details: ErrorDetail[]): AppError {
  const shown = details.slice(0, 100);
  const first = shown[0];
  return new AppError(
    'INVALID_DATA',
    {
      zh: `网格数据有 ${details.length} 处错误，未导入任何内容。第一处：要素 #${first.index ?? '-'}：${first.message.zh}`,
      en: `The grid file has ${details.length} error(s); nothing was imported. First: feature #${first.index ?? '-'}: ${first.message.en}`,
    },
    { details: shown },
  );
}

/** Checks a parsed file; returns the grids, or throws INVALID_DATA naming each bad feature. */
export function parseFeatureCollection(input: unknown): Candidate[] {
  const fc = input as { type?: unknown; features?: unknown };
  if (!fc || typeof fc !== 'object' || fc.type !== 'FeatureCollection' || !Array.isArray(fc.features)) {
    throw invalid([{ message: msg('文件不是 GeoJSON FeatureCollection', 'the file is not a GeoJSON FeatureCollection') }]);
  }
  if (fc.features.length === 0) throw invalid([{ message: msg('没有要素', 'the FeatureCollection has no features') }]);
  if (fc.features.length > MAX_FEATURES) throw invalid([{ message: msg(`要素超过 ${MAX_FEATURES} 个`, `more than ${MAX_FEATURES} features`) }]);
  const details: ErrorDetail[] = [];
  const out: Candidate[] = [];
  const seen = new Map<string, number>();
  fc.features.forEach((f: unknown, index: number) => {
    const add = (field: string, zh: string, en: string) => details.push({ index, field, message: msg(zh, en) });
    const feature = f as { type?: unknown; properties?: Record<string, unknown> | null; geometry?: unknown };
    if (!feature || typeof feature !== 'object' || feature.type !== 'Feature') return add('type', '不是 GeoJSON Feature', 'is not a GeoJSON Feature');
    const props = feature.properties ?? {};
    const code = props.code;
    const name = props.name;
    const parentCode = props.parent_code ?? props.parentCode;
    if (typeof parentCode !== 'string' || !/^\d{12}$/.test(parentCode)) return add('properties.parent_code', 'parent_code 必须是 12 位村（社区）代码', 'properties.parent_code must be a 12-digit village code');
    if (typeof code !== 'string' || !/^\d{13,18}$/.test(code) || !code.startsWith(parentCode)) {
      return add('properties.code', 'code 必须以上级村（社区）代码开头，再加 1–6 位数字', 'properties.code must be the parent village code followed by 1–6 digits');
    }
    if (typeof name !== 'string' || name.trim().length === 0 || name.length > 100 || CONTROL.test(name)) {
      return add('properties.name', 'name 必须是 1–100 个字符且不含控制字符', 'properties.name must be 1–100 characters without control characters');
    }
    const dup = seen.get(code);
    if (dup !== undefined) return add('properties.code', `代码 ${code} 与要素 #${dup} 重复`, `code ${code} duplicates feature #${dup}`);
    seen.set(code, index);
    const { reasons, coords } = validateAreaGeometry(feature.geometry);
    if (!coords) return reasons.forEach((r) => add('geometry', r.zh, r.en));
    out.push({ index, code, name: name.trim().normalize('NFC'), parentCode, coords });
  });
  if (details.length) throw invalid(details);
  return out;
}

/**
 * Checks parents and geometry against the stored tree. With `within` (the importer's org path), a
 * village outside that subtree is refused exactly like one that does not exist: the answer does
 * not reveal which codes exist elsewhere.
 */
async function checkAgainstTree(db: Db, grids: Candidate[], within?: string): Promise<Map<string, { id: number; countyCode: string | null }>> {
  const parentCodes = [...new Set(grids.map((g) => g.parentCode))];
  const parents = new Map((await org.findByCodes(db, parentCodes)).filter((p) => !within || p.path.startsWith(within)).map((p) => [p.code, p]));
  const details: ErrorDetail[] = [];
  const parentAreas = new Map<string, MultiCoords>();
  const bounds = await listBoundaries(db, [...parents.values()].map((p) => p.id));
  const byId = new Map(bounds.map((b) => [b.unitId, b]));
  for (const p of parents.values()) {
    const b = byId.get(p.id);
    if (b) parentAreas.set(p.code, toMulti(b.geom));
  }
  for (const g of grids) {
    const parent = parents.get(g.parentCode);
    if (!parent || parent.kind !== 'area') {
      details.push({ index: g.index, field: 'properties.parent_code', message: msg(`上级 ${g.parentCode} 不存在`, `unknown parent ${g.parentCode}`) });
      continue;
    }
    if (parent.level !== 'village') {
      details.push({ index: g.index, field: 'properties.parent_code', message: msg(`上级 ${g.parentCode} 不是村（社区）`, `parent ${g.parentCode} is a ${parent.level}, not a village`) });
      continue;
    }
    const area = parentAreas.get(g.parentCode);
    if (area) {
      const outside = areaKm2(difference(g.coords, area));
      if (outside > OUTSIDE_TOLERANCE * areaKm2(g.coords)) {
        details.push({ index: g.index, field: 'geometry', message: msg(`网格有 ${(100 * outside / areaKm2(g.coords)).toFixed(1)}% 在上级 ${g.parentCode} 范围之外`, `${(100 * outside / areaKm2(g.coords)).toFixed(1)} % of the grid lies outside its parent ${g.parentCode}`) });
      }
    }
  }
  // Grids of the same village must not overlap.
  const byParent = new Map<string, Candidate[]>();
  for (const g of grids) byParent.set(g.parentCode, [...(byParent.get(g.parentCode) ?? []), g]);
  for (const siblings of byParent.values()) {
    const boxes = siblings.map((s) => bboxOf(s.coords));
    for (let i = 0; i < siblings.length; i++) for (let j = i + 1; j < siblings.length; j++) {
      const [a, b] = [boxes[i], boxes[j]];
      if (a[0] > b[2] || b[0] > a[2] || a[1] > b[3] || b[1] > a[3]) continue;
      const shared = areaKm2(intersection(siblings[i].coords, siblings[j].coords));
      if (shared > OVERLAP_TOLERANCE * Math.min(areaKm2(siblings[i].coords), areaKm2(siblings[j].coords))) {
        details.push({ index: siblings[j].index, field: 'geometry', message: msg(`与要素 #${siblings[i].index} 重叠`, `overlaps feature #${siblings[i].index}`) });
      }
    }
  }
  if (details.length) throw invalid(details);
  return new Map([...parents].map(([code, p]) => [code, { id: p.id, countyCode: p.countyCode }]));
}

/** Who imports, for the audit log (the CLI by default). */
export type Importer = Pick<AuditEntry, 'actorId' | 'actorName' | 'actorRole' | 'orgId' | 'ip' | 'userAgent'>;

export interface ImportOptions {
  /** For the audit log; the command line when absent. */
  who?: Importer;
  /** The importer's org path: every village of the file must lie inside it. */
  within?: string;
  /** Check everything and count what would change, but write nothing (and audit nothing). */
  dryRun?: boolean;
}

/** What an import changes: grids created, kept (renamed and reshaped) and removed, per the file's villages. */
async function planImport(db: Db, grids: Candidate[], within?: string) {
  const parents = await checkAgainstTree(db, grids, within);
  const existingCodes = new Set((await org.listAreasUnder(db, [...parents.keys()], 'grid')).map((e) => e.code));
  const incoming = new Set(grids.map((g) => g.code));
  return {
    parents,
    fresh: grids.filter((g) => !existingCodes.has(g.code)),
    kept: grids.filter((g) => existingCodes.has(g.code)),
    removed: [...existingCodes].filter((code) => !incoming.has(code)),
  };
}

export async function importGrids(database: Database, input: unknown, opts: ImportOptions = {}): Promise<ImportResult> {
  const grids = parseFeatureCollection(input);
  if (opts.dryRun) {
    const plan = await planImport(database.db, grids, opts.within);
    return { created: plan.fresh.length, updated: plan.kept.length, removed: plan.removed.length, villages: plan.parents.size };
  }
  const who = opts.who ?? { actorName: 'cli', userAgent: 'pingan cli' };
  return database.transaction(async (tx) => {
    const { parents, fresh, kept, removed: gone } = await planImport(tx, grids, opts.within);
    const removed = await org.deleteUnits(tx, gone);
    for (const g of kept) await org.renameUnit(tx, g.code, g.name);
    await org.createUnits(tx, fresh.map((g) => ({
      code: g.code, name: g.name, nameEn: null, level: 'grid' as const, kind: 'area' as const, type: 'grid',
      parentCode: g.parentCode, countyCode: parents.get(g.parentCode)!.countyCode, synthetic: false,
    })));
    const ids = await org.idsByCodes(tx, grids.map((g) => g.code));
    await upsertBoundaries(tx, grids.map((g) => boundaryRow({
      unitId: ids.get(g.code)!, level: 'grid', countyCode: parents.get(g.parentCode)!.countyCode, coords: g.coords, synthetic: false, source: 'import',
    })));
    await bumpRevision(tx);
    const result = { created: fresh.length, updated: kept.length, removed, villages: parents.size };
    await recordAudit(tx, { ...who, action: 'grids.import', result: 'success', targetType: 'villages', targetId: [...parents.keys()].slice(0, 20).join(','), details: result });
    return result;
  });
}
