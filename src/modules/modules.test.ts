/**
 * The module rule (DESIGN.md §3): a module imports its own files, `platform/` and other modules'
 * `index.ts` only, and never reads or writes another module's tables — work that spans modules
 * goes through the owner's named operations. Tests are exempt (they may read any table).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MODULES = path.join(SRC, 'modules');
const MIGRATIONS = path.join(SRC, '..', 'migrations');

/** Who owns each table the migrations create: a module, or `platform`. */
const OWNERS: Record<string, string> = {
  org_units: 'org',
  boundaries: 'grids', boundary_revision: 'grids',
  audit_log: 'platform',
  users: 'accounts', sessions: 'accounts', api_keys: 'accounts', sms_codes: 'accounts', sms_outbox: 'accounts',
  event_category_groups: 'events', event_categories: 'events', event_category_versions: 'events', events: 'events',
  event_transitions: 'events', event_photos: 'events', event_followers: 'events', idempotency_keys: 'events', webhooks: 'events', notifications: 'events',
  open311_requests: 'open311', open311_tokens: 'open311', open311_updates: 'open311',
};

const modules = fs.readdirSync(MODULES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

function sourcesOf(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((f) => f.isFile() && f.name.endsWith('.ts') && !f.name.endsWith('.test.ts'))
    .map((f) => path.join(f.parentPath, f.name));
}

/** The code without its comments (a `//` after a colon is a URL, not a comment). */
const uncommented = (code: string) => code.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:\\])\/\/.*$/gm, '$1');

/** Tables a piece of code names in SQL: after from / join / into / update / table, or as a Drizzle pgTable. */
function tablesNamed(code: string): Set<string> {
  const found = new Set<string>();
  const words = Object.keys(OWNERS).join('|');
  const inSql = new RegExp(`\\b(?:from|join|into|update|table|references)\\s+(?:only\\s+)?(${words})\\b(?![.\\w])`, 'gi');
  const asTable = new RegExp(`\\b(?:pgTable|pg_get_serial_sequence)\\(\\s*['"\`](${words})['"\`]`, 'g');
  for (const re of [inSql, asTable]) for (const m of code.matchAll(re)) found.add(m[1].toLowerCase());
  return found;
}

/** The files of src/ a source file imports (relative specifiers only; packages are not our concern here). */
function importsOf(file: string, code: string): string[] {
  const specs = [...code.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]);
  return specs.map((s) => path.resolve(path.dirname(file), s));
}

const rel = (p: string) => path.relative(SRC, p).split(path.sep).join('/');

describe('the module rule', () => {
  it('gives every table of the migrations an owner', () => {
    const created = fs.readdirSync(MIGRATIONS).filter((f) => f.endsWith('.sql'))
      .flatMap((f) => [...fs.readFileSync(path.join(MIGRATIONS, f), 'utf8').matchAll(/create\s+table\s+(?:if\s+not\s+exists\s+)?(\w+)/gi)].map((m) => m[1].toLowerCase()));
    expect(created.length).toBeGreaterThan(0);
    expect([...new Set(created)].sort()).toEqual(Object.keys(OWNERS).sort());
    for (const owner of new Set(Object.values(OWNERS))) expect([...modules, 'platform']).toContain(owner);
  });

  it('finds tables in SQL and imports of files (the checks below see what they should)', () => {
    expect([...tablesNamed('sql`select u.id from events e join users u on u.id = e.x`')].sort()).toEqual(['events', 'users']);
    expect([...tablesNamed("permission: 'events.read', // read from users\n 'the events module'")]).toEqual(['users']);
    expect([...tablesNamed(uncommented("permission: 'events.read', // read from users\n 'the events module'"))]).toEqual([]);
    expect(importsOf('/a/b/c.ts', "import x from '../d/index.js';\nexport { y } from './e.js';")).toEqual(['/a/d/index.js', '/a/b/e.js']);
  });

  it.each(modules)('module %s reads and writes only its own tables', (name) => {
    const foreign: string[] = [];
    for (const file of sourcesOf(path.join(MODULES, name))) {
      for (const table of tablesNamed(uncommented(fs.readFileSync(file, 'utf8')))) {
        if (OWNERS[table] !== name) foreign.push(`${rel(file)}: ${table} (${OWNERS[table]})`);
      }
    }
    expect(foreign).toEqual([]);
  });

  it.each(modules)('module %s imports its own files, platform/ and other modules’ index.ts only', (name) => {
    const own = path.join(MODULES, name) + path.sep;
    const bad: string[] = [];
    for (const file of sourcesOf(path.join(MODULES, name))) {
      for (const target of importsOf(file, uncommented(fs.readFileSync(file, 'utf8')))) {
        const r = rel(target);
        const ok = target.startsWith(own) || r.startsWith('platform/') || /^modules\/[^/]+\/index\.(js|ts)$/.test(r);
        if (!ok) bad.push(`${rel(file)} → ${r}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
