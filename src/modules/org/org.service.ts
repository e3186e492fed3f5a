/** Rules of the org tree: look-ups by id or code, tree walks, search, and building the tree. */
import { AppError } from '../../platform/errors.js';
import type { Db } from '../../platform/db/database.js';
import * as repo from './org.repository.js';
import { countyCodeOf, type Division } from './divisions.js';
import { englishName, pinyinOf, townshipType, villageType } from './naming.js';
import type { Kind, Level, NewUnit, OrgUnit } from './org.schemas.js';

/** A unit by code (`330106`, `330106-center`) or by id written as `id:42`. */
export async function getUnit(db: Db, ref: string): Promise<repo.UnitRow> {
  const byId = /^id:(\d{1,9})$/.exec(ref);
  const unit = byId ? await repo.findBy(db, { id: Number(byId[1]) }) : await repo.findBy(db, { code: ref });
  if (!unit) {
    throw new AppError('NOT_FOUND', { zh: `未找到组织单位“${ref}”`, en: `Org unit "${ref}" not found` }, { field: 'ref' });
  }
  return unit;
}

export const strip = ({ path: _path, ...unit }: repo.UnitRow): OrgUnit => unit;

/**
 * `within`: the caller's scope (an org path). A unit is visible in its scope and, for names and
 * breadcrumbs, when it is an ancestor of the scope; lists only show units inside the scope.
 * Outside it: NOT_FOUND, the same answer as for a unit that does not exist.
 */
export async function visibleUnit(db: Db, ref: string, within?: string): Promise<repo.UnitRow> {
  const unit = await getUnit(db, ref);
  if (within && !unit.path.startsWith(within) && !within.startsWith(unit.path)) {
    throw new AppError('NOT_FOUND', { zh: `未找到组织单位“${ref}”`, en: `Org unit "${ref}" not found` }, { field: 'ref' });
  }
  return unit;
}

/** A visible unit's path, or the caller's scope where that lies below it (the unit is an ancestor of the scope). */
const narrower = (path: string, within?: string) => (within && within.startsWith(path) ? within : path);

export async function childrenOf(db: Db, ref: string, kind?: Kind, within?: string): Promise<OrgUnit[]> {
  const unit = await visibleUnit(db, ref, within);
  return repo.listChildren(db, unit.id, kind, within);
}

/** From the root down to the unit's parent. */
export async function ancestorsOf(db: Db, ref: string, within?: string): Promise<OrgUnit[]> {
  const unit = await visibleUnit(db, ref, within);
  const ids = unit.path.split('/').filter(Boolean).map(Number).filter((id) => id !== unit.id);
  return repo.listByIds(db, ids);
}

export async function subtreeOf(
  db: Db,
  ref: string,
  f: { level?: Level; kind?: Kind; after?: string; limit: number },
  within?: string,
): Promise<{ items: OrgUnit[]; next: string | null }> {
  const unit = await visibleUnit(db, ref, within);
  const path = narrower(unit.path, within);
  const items = await repo.listSubtree(db, path, { ...f, limit: f.limit + 1 });
  const more = items.length > f.limit;
  if (more) items.pop();
  return { items, next: more ? items[items.length - 1].code : null };
}

export async function searchUnits(db: Db, q: { text: string; level?: Level; kind?: Kind; limit: number; within?: string }): Promise<OrgUnit[]> {
  const text = q.text.normalize('NFC').replace(/[\u0000-\u001f\u200b-\u200f\u202a-\u202e\u2060\ufeff]/g, '').trim();
  if (!text) throw new AppError('VALIDATION_FAILED', { zh: '搜索词不能为空', en: 'The search text is empty' }, { field: 'q' });
  return repo.search(db, { ...q, text });
}

export function withPinyin(u: NewUnit): repo.InsertRow {
  return { ...u, ...pinyinOf(u.name) };
}

/**
 * Creates units, parents before children (a parent is either stored already or earlier in the
 * list). A statement never holds a unit and its parent: the insert resolves parents by code.
 */
export async function createUnits(db: Db, units: NewUnit[], batchSize = 2000): Promise<number> {
  let created = 0;
  let batch: NewUnit[] = [];
  let inBatch = new Set<string>();
  const flush = async () => {
    if (!batch.length) return;
    const n = await repo.insertUnits(db, batch.map(withPinyin));
    if (n !== batch.length) {
      throw new AppError('INVALID_DATA', {
        zh: `有 ${batch.length - n} 个组织单位的上级不存在`,
        en: `${batch.length - n} org units have a parent that does not exist`,
      });
    }
    created += n;
    batch = [];
    inBatch = new Set();
  };
  for (const u of units) {
    if (batch.length >= batchSize || (u.parentCode && inBatch.has(u.parentCode))) await flush();
    batch.push(u);
    inBatch.add(u.code);
  }
  await flush();
  return created;
}

export const deleteUnits = repo.deleteByCodes;
export const countUnits = repo.countByLevelAndKind;
export const listForIndex = repo.listForIndex;
export const listAreasUnder = repo.listByParentCodes;
export const idsByCodes = repo.idsByCodes;
export const findByCodes = repo.findByCodes;
export const findByIds = repo.findByIds;
export const childAreaIds = repo.childAreaIds;
export const parentCenters = repo.parentCenters;
export const idsUnderPath = repo.idsUnderPath;

/**
 * Areas of one level, optionally under a unit and within the caller's scope (`within`, an org
 * path): a unit outside the scope is NOT_FOUND; one above the scope lists only the scope's areas.
 */
export async function areasOfLevel(db: Db, level: Level, underRef?: string, within?: string) {
  const under = underRef ? await visibleUnit(db, underRef, within) : undefined;
  return repo.listAreasOfLevel(db, level, under ? narrower(under.path, within) : within);
}

export async function renameUnit(db: Db, code: string, name: string): Promise<void> {
  const p = pinyinOf(name);
  await repo.updateName(db, code, name, p.pinyin, p.initials);
}

export async function isEmpty(db: Db): Promise<boolean> {
  return (await repo.countAll(db)) === 0;
}

export const PLATFORMS: { type: string; zh: string; en: string }[] = [
  { type: 'comprehensive_governance', zh: '综治工作平台', en: 'Comprehensive Governance Platform' },
  { type: 'market_supervision', zh: '市场监管平台', en: 'Market Supervision Platform' },
  { type: 'law_enforcement', zh: '综合执法平台', en: 'Comprehensive Law Enforcement Platform' },
  { type: 'public_service', zh: '便民服务平台', en: 'Public Service Platform' },
];

export const DEPARTMENTS: { type: string; zh: string; en: string }[] = [
  { type: 'public_security', zh: '公安局', en: 'Public Security Bureau' },
  { type: 'urban_management', zh: '综合行政执法局', en: 'Urban Management and Law Enforcement Bureau' },
  { type: 'emergency_management', zh: '应急管理局', en: 'Emergency Management Bureau' },
  { type: 'market_supervision', zh: '市场监督管理局', en: 'Market Supervision Administration' },
  { type: 'housing_construction', zh: '住房和城乡建设局', en: 'Housing and Urban-Rural Development Bureau' },
  { type: 'transport', zh: '交通运输局', en: 'Transport Bureau' },
  { type: 'civil_affairs', zh: '民政局', en: 'Civil Affairs Bureau' },
  { type: 'natural_resources', zh: '自然资源和规划局', en: 'Natural Resources and Planning Bureau' },
  { type: 'ecology_environment', zh: '生态环境分局', en: 'Ecology and Environment Bureau' },
  { type: 'water_resources', zh: '水利局', en: 'Water Resources Bureau' },
  { type: 'health', zh: '卫生健康局', en: 'Health Bureau' },
  { type: 'justice', zh: '司法局', en: 'Justice Bureau' },
  { type: 'human_resources', zh: '人力资源和社会保障局', en: 'Human Resources and Social Security Bureau' },
  { type: 'petitions', zh: '信访局', en: 'Letters and Calls Bureau' },
];

const kebab = (s: string) => s.replace(/_/g, '-');
export const centerCode = (areaCode: string) => `${areaCode}-center`;

/**
 * The official tree (province → village) plus, for each province/city/county/township, its
 * governance center (综治中心); the four platforms of each township; the departments of each county.
 */
export function treeFromDivisions(divisions: Division[]): NewUnit[] {
  const units: NewUnit[] = [];
  for (const d of divisions) {
    const countyCode = countyCodeOf(d.code);
    units.push({
      code: d.code,
      name: d.name,
      nameEn: englishName(d.name),
      level: d.level,
      kind: 'area',
      type: d.level === 'township' ? townshipType(d.name) : d.level === 'village' ? villageType(d.name) : null,
      parentCode: d.parentCode,
      countyCode,
      synthetic: false,
    });
    if (d.level === 'village') continue;
    const en = englishName(d.name);
    units.push({
      code: centerCode(d.code), name: `${d.name}综治中心`, nameEn: `${en} Governance Center`, level: d.level, kind: 'center',
      type: 'governance_center', parentCode: d.code, countyCode, synthetic: false,
    });
    if (d.level === 'township') {
      for (const p of PLATFORMS) {
        units.push({
          code: `${d.code}-platform-${kebab(p.type)}`, name: `${d.name}${p.zh}`, nameEn: `${en} ${p.en}`, level: d.level,
          kind: 'platform', type: p.type, parentCode: d.code, countyCode, synthetic: false,
        });
      }
    }
    if (d.level === 'county') {
      for (const dep of DEPARTMENTS) {
        units.push({
          code: `${d.code}-dept-${kebab(dep.type)}`, name: `${d.name}${dep.zh}`, nameEn: `${en} ${dep.en}`, level: d.level,
          kind: 'department', type: dep.type, parentCode: d.code, countyCode, synthetic: false,
        });
      }
    }
  }
  const order: Record<Level, number> = { province: 0, city: 1, county: 2, township: 3, village: 4, grid: 5 };
  // Parents before children: by level, areas before what hangs on them.
  return units.sort((a, b) => order[a.level] - order[b.level] || (a.kind === 'area' ? 0 : 1) - (b.kind === 'area' ? 0 : 1));
}
