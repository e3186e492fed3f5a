/**
 * Categories of cases: the seeded taxonomy, reading, and versioned edits. Every edit writes a
 * whole new version; a case keeps the version (and so the limits) it started with.
 */
import { sql } from 'drizzle-orm';
import { rows, type Db } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';
import { recordAudit } from '../../platform/audit/index.js';
import { auditActor, type Actor } from '../../platform/auth/actor.js';
import { CATEGORIES, CATEGORY_GROUPS, STAGES, defaultPublication, type CategoryDef, type CategoryGroup, type Publication } from './categories.data.js';
import { toDate } from './events.repository.js';

export const PLATFORM_TYPES = ['comprehensive_governance', 'market_supervision', 'law_enforcement', 'public_service'];
export const DEPARTMENT_TYPES = [
  'public_security', 'urban_management', 'emergency_management', 'market_supervision', 'housing_construction', 'transport', 'civil_affairs',
  'natural_resources', 'ecology_environment', 'water_resources', 'health', 'justice', 'human_resources', 'petitions',
];

export interface Category extends CategoryDef {
  publication: Publication;
  group: string;
  groupName: string;
  groupNameEn: string;
  version: number;
  active: boolean;
  updatedAt: Date;
}

interface CategoryDbRow {
  code: string; groupCode: string; groupName: string; groupNameEn: string; name: string; nameEn: string; handlerKind: 'platform' | 'department';
  handlerType: string; priority: 1 | 2 | 3 | 4; limits: CategoryDef['limits']; evidenceRequired: boolean; closureZh: string; closureEn: string;
  urgent: boolean; keywords: string[]; fields: CategoryDef['fields']; publication: Publication; active: boolean; version: number; updatedAt: unknown;
}

const SELECT = sql.raw(`c.code, c.group_code as "groupCode", g.name as "groupName", g.name_en as "groupNameEn", c.name, c.name_en as "nameEn",
  c.handler_kind as "handlerKind", c.handler_type as "handlerType", c.priority, c.limits, c.evidence_required as "evidenceRequired",
  c.closure_zh as "closureZh", c.closure_en as "closureEn", c.urgent, c.keywords, c.fields, c.publication, c.active, c.version, c.updated_at as "updatedAt"
  from event_categories c join event_category_groups g on g.code = c.group_code`);

function fromDb(r: CategoryDbRow): Category {
  return {
    code: r.code, group: r.groupCode, groupName: r.groupName, groupNameEn: r.groupNameEn, name: r.name, nameEn: r.nameEn,
    handler: { kind: r.handlerKind, type: r.handlerType }, priority: r.priority, limits: r.limits, evidenceRequired: r.evidenceRequired,
    closure: { zh: r.closureZh, en: r.closureEn }, urgent: r.urgent, keywords: r.keywords, fields: r.fields, publication: r.publication, active: r.active,
    version: r.version, updatedAt: toDate(r.updatedAt)!,
  };
}

export async function listCategories(db: Db, opts: { includeInactive?: boolean } = {}): Promise<Category[]> {
  const where = opts.includeInactive ? sql`true` : sql`c.active`;
  return (await rows<CategoryDbRow>(db, sql`select ${SELECT} where ${where} order by c.code`)).map(fromDb);
}

export async function getCategory(db: Db, code: string): Promise<Category> {
  const [r] = await rows<CategoryDbRow>(db, sql`select ${SELECT} where c.code = ${code}`);
  if (!r) throw new AppError('NOT_FOUND', { zh: `未知的事件类别：${code}`, en: `Unknown category: ${code}` }, { field: 'categoryCode' });
  return fromDb(r);
}

export async function categoryVersions(db: Db, code: string): Promise<{ version: number; data: CategoryDef; createdAt: Date; createdBy: number | null }[]> {
  const list = await rows<{ version: number; data: CategoryDef; createdAt: unknown; createdBy: number | null }>(db,
    sql`select version, data, created_at as "createdAt", created_by as "createdBy" from event_category_versions where code = ${code} order by version desc`);
  return list.map((v) => ({ ...v, createdAt: toDate(v.createdAt)! }));
}

/** Checks what the schema cannot: the handler type exists for its kind, the group exists, limits are sane. */
export function validateCategory(c: CategoryDef, groups: CategoryGroup[]): void {
  const bad = (field: string, zh: string, en: string) => new AppError('VALIDATION_FAILED', { zh, en }, { field });
  if (!/^\d{4}$/.test(c.code)) throw bad('code', '类别代码应为 4 位数字', 'The code must be 4 digits');
  if (!groups.some((g) => g.code === c.code.slice(0, 2))) throw bad('code', `大类 ${c.code.slice(0, 2)} 不存在`, `Group ${c.code.slice(0, 2)} does not exist`);
  const types = c.handler.kind === 'platform' ? PLATFORM_TYPES : DEPARTMENT_TYPES;
  if (!types.includes(c.handler.type)) {
    throw bad('handler.type', `处置单位类型 ${c.handler.type} 不是有效的${c.handler.kind === 'platform' ? '平台' : '部门'}类型`, `${c.handler.type} is not a ${c.handler.kind} type`);
  }
  for (const s of STAGES) {
    const l = c.limits[s];
    if (!l || !Number.isInteger(l.amount) || l.amount <= 0) throw bad(`limits.${s}`, `${s} 阶段时限必须是正整数`, `The ${s} limit must be a positive integer`);
  }
  const codes = new Set<string>();
  for (const f of c.fields) {
    if (codes.has(f.code)) throw bad('fields', `附加字段代码重复：${f.code}`, `Duplicate field code: ${f.code}`);
    codes.add(f.code);
    if ((f.type === 'singlevaluelist' || f.type === 'multivaluelist') && !f.values?.length) throw bad('fields', `列表字段 ${f.code} 缺少选项`, `List field ${f.code} has no values`);
  }
}

async function writeCategory(db: Db, def: CategoryDef, version: number, active: boolean, by: number | null, now: Date): Promise<void> {
  const c = { ...def, publication: def.publication ?? defaultPublication(def.code) };
  const group = c.code.slice(0, 2);
  await db.execute(sql`insert into event_categories (code, group_code, name, name_en, handler_kind, handler_type, priority, limits, evidence_required, closure_zh, closure_en, urgent, keywords, fields, publication, active, version, updated_at, updated_by)
    values (${c.code}, ${group}, ${c.name}, ${c.nameEn}, ${c.handler.kind}, ${c.handler.type}, ${c.priority}, ${JSON.stringify(c.limits)}::jsonb, ${c.evidenceRequired}, ${c.closure.zh}, ${c.closure.en},
      ${c.urgent}, ${sql.param(c.keywords)}::text[], ${JSON.stringify(c.fields)}::jsonb, ${c.publication}, ${active}, ${version}, ${now.toISOString()}::timestamptz, ${by})
    on conflict (code) do update set name = excluded.name, name_en = excluded.name_en, handler_kind = excluded.handler_kind, handler_type = excluded.handler_type,
      priority = excluded.priority, limits = excluded.limits, evidence_required = excluded.evidence_required, closure_zh = excluded.closure_zh, closure_en = excluded.closure_en,
      urgent = excluded.urgent, keywords = excluded.keywords, fields = excluded.fields, publication = excluded.publication, active = excluded.active, version = excluded.version, updated_at = excluded.updated_at, updated_by = excluded.updated_by`);
  await db.execute(sql`insert into event_category_versions (code, version, data, created_at, created_by) values (${c.code}, ${version}, ${JSON.stringify({ ...c, active })}::jsonb, ${now.toISOString()}::timestamptz, ${by})`);
}

/** Seeds the taxonomy when there is none (idempotent). */
export async function seedCategories(db: Db): Promise<number> {
  const [{ n }] = await rows<{ n: number }>(db, sql`select count(*)::int as n from event_categories`);
  if (n > 0) return 0;
  for (const g of CATEGORY_GROUPS) {
    await db.execute(sql`insert into event_category_groups (code, name, name_en) values (${g.code}, ${g.name}, ${g.nameEn}) on conflict (code) do nothing`);
  }
  const now = new Date();
  for (const c of CATEGORIES) await writeCategory(db, c, 1, true, null, now);
  return CATEGORIES.length;
}

export type CategoryInput = Omit<CategoryDef, 'code'> & { active?: boolean };

async function groups(db: Db): Promise<CategoryGroup[]> {
  return rows<CategoryGroup>(db, sql`select code, name, name_en as "nameEn" from event_category_groups order by code`);
}

/**
 * Creates a category (version 1) or writes the next version of an existing one. Without a
 * `publication` the category keeps its own (a new one gets its group's default).
 */
export async function saveCategory(db: Db, actor: Actor, code: string, input: CategoryInput, meta: { ip: string | null; userAgent: string | null }, expectedVersion?: number): Promise<Category> {
  const [cur] = await rows<{ version: number; publication: Publication }>(db, sql`select version, publication from event_categories where code = ${code} for update`);
  const def: CategoryDef = { ...input, code, publication: input.publication ?? cur?.publication ?? defaultPublication(code) };
  validateCategory(def, await groups(db));
  if (cur && expectedVersion !== undefined && cur.version !== expectedVersion) {
    throw new AppError('CONFLICT', { zh: `类别已被他人修改（当前版本 ${cur.version}），请刷新后重试`, en: `The category changed meanwhile (now version ${cur.version}); reload and retry` }, { field: 'version' });
  }
  const clash = await rows(db, sql`select 1 from event_categories where name = ${def.name} and code <> ${code}`);
  if (clash.length) throw new AppError('CONFLICT', { zh: `类别名称「${def.name}」已被使用`, en: `The name ${def.name} is taken` }, { field: 'name' });
  const version = (cur?.version ?? 0) + 1;
  await writeCategory(db, def, version, input.active ?? true, actor.id, new Date());
  await recordAudit(db, { ...auditActor(actor, meta), action: cur ? 'category.update' : 'category.create', result: 'success', targetType: 'category', targetId: code, details: { version, name: def.name, limits: def.limits, publication: def.publication } });
  return getCategory(db, code);
}
