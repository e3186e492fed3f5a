import { describe, expect, it } from 'vitest';
import { CATEGORIES, CATEGORY_GROUPS, STAGES, type CategoryDef, type CategoryGroup, type FieldType } from './categories.data.js';
import { LIMIT_UNITS, addLimit, limitMinutes } from './work-calendar.js';

// Our org unit types (DESIGN.md §1: "one center, four platforms" at township level, departments at county level).
const PLATFORM_TYPES = ['comprehensive_governance', 'market_supervision', 'law_enforcement', 'public_service'];
const DEPARTMENT_TYPES = [
  'public_security', 'urban_management', 'emergency_management', 'market_supervision', 'housing_construction', 'transport',
  'civil_affairs', 'natural_resources', 'ecology_environment', 'water_resources', 'health', 'justice', 'human_resources', 'petitions',
];
const FIELD_TYPES: FieldType[] = ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'];

/** Every broken invariant of a taxonomy, as readable messages (empty = valid). */
function problems(categories: CategoryDef[], groups: CategoryGroup[]): string[] {
  const out: string[] = [];
  const groupCodes = new Set<string>();
  for (const g of groups) {
    if (!/^\d{2}$/.test(g.code)) out.push(`group ${g.code}: code is not 2 digits`);
    if (groupCodes.has(g.code)) out.push(`group ${g.code}: duplicate code`);
    groupCodes.add(g.code);
    if (!g.name.trim() || !g.nameEn.trim()) out.push(`group ${g.code}: empty name`);
  }
  const codes = new Set<string>();
  const names = new Set<string>();
  const namesEn = new Set<string>();
  for (const c of categories) {
    const at = `${c.code} ${c.name}`;
    if (!/^\d{4}$/.test(c.code)) out.push(`${at}: code is not 4 digits`);
    if (!groupCodes.has(c.code.slice(0, 2))) out.push(`${at}: no group ${c.code.slice(0, 2)}`);
    if (codes.has(c.code)) out.push(`${at}: duplicate code`);
    codes.add(c.code);
    if (!c.name.trim() || !c.nameEn.trim()) out.push(`${at}: empty name`);
    if (names.has(c.name)) out.push(`${at}: duplicate name`);
    names.add(c.name);
    if (namesEn.has(c.nameEn)) out.push(`${at}: duplicate English name ${c.nameEn}`);
    namesEn.add(c.nameEn);

    const allowed = c.handler.kind === 'platform' ? PLATFORM_TYPES : c.handler.kind === 'department' ? DEPARTMENT_TYPES : [];
    if (!allowed.includes(c.handler.type)) out.push(`${at}: handler ${c.handler.kind}/${c.handler.type} is not an org unit type`);
    if (![1, 2, 3, 4].includes(c.priority)) out.push(`${at}: priority ${c.priority}`);

    if (Object.keys(c.limits).sort().join() !== [...STAGES].sort().join()) out.push(`${at}: limits must cover exactly ${STAGES.join(', ')}`);
    for (const s of STAGES) {
      const l = c.limits[s];
      if (!l) continue;
      if (!Number.isInteger(l.amount) || l.amount <= 0) out.push(`${at}: ${s} amount ${l.amount} is not a positive integer`);
      if (!LIMIT_UNITS.includes(l.unit)) out.push(`${at}: ${s} unit ${String(l.unit)}`);
    }
    if (c.urgent) {
      if (c.priority !== 1) out.push(`${at}: urgent but priority ${c.priority}`);
      const a = c.limits.accept;
      if (!a || a.unit !== 'minutes' || a.amount > 30) out.push(`${at}: urgent but accept limit ${a?.amount} ${a?.unit} (> 30 minutes)`);
    }

    if (!c.closure.zh.trim() || !c.closure.en.trim()) out.push(`${at}: closure conditions missing`);
    if (c.keywords.length === 0 || c.keywords.some((k) => !k.trim())) out.push(`${at}: keywords empty`);
    if (new Set(c.keywords).size !== c.keywords.length) out.push(`${at}: duplicate keywords`);

    const fieldCodes = new Set<string>();
    for (const f of c.fields) {
      if (fieldCodes.has(f.code)) out.push(`${at}: duplicate field ${f.code}`);
      fieldCodes.add(f.code);
      if (!/^[a-z][a-z0-9_]*$/.test(f.code)) out.push(`${at}: field code ${f.code} is not snake_case`);
      if (!FIELD_TYPES.includes(f.type)) out.push(`${at}: field ${f.code} has type ${String(f.type)}`);
      if (!f.name.zh.trim() || !f.name.en.trim()) out.push(`${at}: field ${f.code} unnamed`);
      const isList = f.type === 'singlevaluelist' || f.type === 'multivaluelist';
      if (isList) {
        const keys = (f.values ?? []).map((x) => x.key);
        if (keys.length < 2) out.push(`${at}: list field ${f.code} has fewer than 2 values`);
        if (new Set(keys).size !== keys.length) out.push(`${at}: list field ${f.code} has duplicate keys`);
        if ((f.values ?? []).some((x) => !x.name.zh.trim() || !x.name.en.trim())) out.push(`${at}: list field ${f.code} has an unnamed value`);
      } else if (f.values) {
        out.push(`${at}: field ${f.code} is not a list but has values`);
      }
    }
  }
  return out;
}

const clone = <T>(x: T): T => structuredClone(x);

describe('the seeded taxonomy', () => {
  it('breaks no invariant', () => {
    expect(problems(CATEGORIES, CATEGORY_GROUPS)).toEqual([]);
  });

  it('has at least 45 categories in about 9 groups, each group used', () => {
    expect(CATEGORIES.length).toBeGreaterThanOrEqual(45);
    expect(new Set(CATEGORIES.map((c) => c.code)).size).toBe(CATEGORIES.length);
    expect(CATEGORY_GROUPS.length).toBeGreaterThanOrEqual(8);
    for (const g of CATEGORY_GROUPS) {
      expect(CATEGORIES.filter((c) => c.code.startsWith(g.code)).length, `group ${g.code} ${g.name}`).toBeGreaterThanOrEqual(3);
    }
  });

  it('contains the categories every deployment needs', () => {
    const find = (re: RegExp) => CATEGORIES.filter((c) => re.test(c.name));
    for (const re of [/碎玻璃/, /积水/, /坑/, /倒伏/, /燃气/, /消防/, /危房/, /打架/, /邻里/, /物业/, /劳资|欠薪/, /婚姻家庭/, /民宿/, /食品/, /违章搭建|违建/, /占道/]) {
      expect(find(re).length, String(re)).toBeGreaterThanOrEqual(1);
    }
    expect(find(/走失/).map((c) => c.name).sort()).toEqual(['儿童走失', '老人走失']);
  });

  it('handles broken glass the routine way: township law-enforcement platform, small limits', () => {
    const glass = CATEGORIES.find((c) => c.name === '道路碎玻璃')!;
    expect(glass.handler).toEqual({ kind: 'platform', type: 'law_enforcement' });
    expect(glass.urgent).toBe(false);
    expect(glass.evidenceRequired).toBe(true);
    expect(glass.limits).toEqual({
      accept: { amount: 30, unit: 'minutes' }, dispatch: { amount: 30, unit: 'minutes' }, sign: { amount: 30, unit: 'minutes' },
      handle: { amount: 2, unit: 'hours' }, verify: { amount: 1, unit: 'workdays' },
    });
  });

  it('treats missing persons, fights and bottled gas as urgent', () => {
    for (const name of ['老人走失', '儿童走失', '打架斗殴']) {
      const c = CATEGORIES.find((x) => x.name === name)!;
      expect(c.urgent, name).toBe(true);
      expect(c.handler, name).toEqual({ kind: 'department', type: 'public_security' });
      for (const s of ['accept', 'dispatch', 'sign'] as const) expect(limitMinutes(c.limits[s]), `${name} ${s}`).toBeLessThanOrEqual(10);
    }
    for (const name of ['老人走失', '儿童走失']) {
      const codes = CATEGORIES.find((x) => x.name === name)!.fields.map((f) => f.code);
      expect(codes, name).toEqual(expect.arrayContaining(['age', 'gender', 'clothing', 'last_seen_at', 'last_seen_place']));
    }
    const gas = CATEGORIES.find((c) => c.name.includes('燃气'))!;
    expect(gas.urgent).toBe(true);
    expect(['emergency_management', 'market_supervision']).toContain(gas.handler.type);
  });

  it('gives disputes to the comprehensive-governance platform, handled in working days', () => {
    for (const name of ['邻里纠纷', '物业纠纷', '劳资纠纷', '婚姻家庭纠纷', '土地纠纷']) {
      const c = CATEGORIES.find((x) => x.name === name)!;
      expect(c.handler, name).toEqual({ kind: 'platform', type: 'comprehensive_governance' });
      expect(c.limits.handle.unit, name).toBe('workdays');
      expect(c.limits.handle.amount, name).toBeGreaterThanOrEqual(10);
      expect(c.limits.handle.amount, name).toBeLessThanOrEqual(15);
      expect(c.evidenceRequired, name).toBe(false);
    }
  });

  it('asks for photo evidence on most categories, and extra fields on at least 8, using every field type', () => {
    expect(CATEGORIES.filter((c) => c.evidenceRequired).length).toBeGreaterThan(CATEGORIES.length / 2);
    expect(CATEGORIES.filter((c) => c.fields.length > 0).length).toBeGreaterThanOrEqual(8);
    const used = new Set(CATEGORIES.flatMap((c) => c.fields.map((f) => f.type)));
    expect([...used].sort()).toEqual([...FIELD_TYPES].sort());
  });

  it('uses minutes for the accept and dispatch limits of urgent cases', () => {
    for (const c of CATEGORIES.filter((x) => x.urgent)) {
      expect(c.limits.accept.unit, c.name).toBe('minutes');
      expect(c.limits.dispatch.unit, c.name).toBe('minutes');
    }
  });

  it('yields deadlines for every limit', () => {
    const start = new Date('2026-09-30T02:00:00Z');
    for (const c of CATEGORIES) {
      for (const s of STAGES) expect(addLimit(start, c.limits[s]).getTime(), `${c.code} ${s}`).toBeGreaterThan(start.getTime());
    }
  });

  it('is plain data that survives a JSON round trip (it is stored as jsonb)', () => {
    expect(JSON.parse(JSON.stringify(CATEGORIES))).toEqual(CATEGORIES);
  });
});

describe('the invariant checker catches broken taxonomies', () => {
  const base = () => ({ cats: clone(CATEGORIES), groups: clone(CATEGORY_GROUPS) });
  const cases: [string, (t: { cats: CategoryDef[]; groups: CategoryGroup[] }) => void, RegExp][] = [
    ['a 3-digit code', (t) => { t.cats[0].code = '011'; }, /not 4 digits/],
    ['an unknown group', (t) => { t.cats[0].code = '9901'; }, /no group 99/],
    ['a duplicate code', (t) => { t.cats[1].code = t.cats[0].code; }, /duplicate code/],
    ['a duplicate name', (t) => { t.cats[1].name = t.cats[0].name; }, /duplicate name/],
    ['a handler type of the wrong kind', (t) => { t.cats[0].handler = { kind: 'platform', type: 'public_security' }; }, /not an org unit type/],
    ['a made-up handler type', (t) => { t.cats[0].handler = { kind: 'department', type: 'police' }; }, /not an org unit type/],
    ['a zero limit', (t) => { t.cats[0].limits.handle.amount = 0; }, /not a positive integer/],
    ['a fractional limit', (t) => { t.cats[0].limits.handle.amount = 1.5; }, /not a positive integer/],
    ['a bad unit', (t) => { (t.cats[0].limits.handle as { unit: string }).unit = 'days'; }, /handle unit days/],
    ['a missing stage', (t) => { delete (t.cats[0].limits as Partial<CategoryDef['limits']>).verify; }, /limits must cover/],
    ['an urgent category with priority 2', (t) => { const c = t.cats.find((x) => x.urgent)!; c.priority = 2; }, /urgent but priority 2/],
    ['an urgent category accepted in 1 hour', (t) => { const c = t.cats.find((x) => x.urgent)!; c.limits.accept = { amount: 1, unit: 'hours' }; }, /urgent but accept limit/],
    ['an urgent category accepted in 45 minutes', (t) => { const c = t.cats.find((x) => x.urgent)!; c.limits.accept = { amount: 45, unit: 'minutes' }; }, /urgent but accept limit/],
    ['no keywords', (t) => { t.cats[0].keywords = []; }, /keywords empty/],
    ['no closure', (t) => { t.cats[0].closure.en = ' '; }, /closure conditions missing/],
    ['a duplicate field code', (t) => { const c = t.cats.find((x) => x.fields.length > 1)!; c.fields[1].code = c.fields[0].code; }, /duplicate field/],
    ['a list field without values', (t) => {
      const c = t.cats.find((x) => x.fields.some((f) => f.type === 'singlevaluelist'))!;
      c.fields.find((f) => f.type === 'singlevaluelist')!.values = [];
    }, /fewer than 2 values/],
  ];
  for (const [what, mutate, message] of cases) {
    it(`rejects ${what}`, () => {
      const t = base();
      mutate(t);
      expect(problems(t.cats, t.groups).join('\n')).toMatch(message);
    });
  }
});
