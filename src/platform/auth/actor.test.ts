/**
 * Who may do what, written out by hand as a table (like the lifecycle's) and compared cell by
 * cell with what the code grants: a permission given to a role by mistake, or taken from one,
 * fails here without this test reading the map it checks. Also: grants add only what is
 * grantable and never to an administrator; several roles are the union of theirs.
 */
import { describe, expect, it } from 'vitest';
import { CITIZEN_PERMISSIONS, KEY_PERMISSIONS, PERMISSIONS, permissionsOf, ROLES, type Permission, type Role } from './actor.js';

// columns: operator, grid_worker, handler, leader, sysadmin, secadmin, auditor | citizen, API key may hold
const COLUMNS = ['operator', 'grid_worker', 'handler', 'leader', 'sysadmin', 'secadmin', 'auditor', 'citizen', 'key'] as const;
const TABLE = `
  org.read            x x x x x x . . x
  grids.locate        x x x x x . . x x
  boundaries.read     x x x x x . . x x
  grids.import        . . . . x . . . .
  users.read          . . . . x x . . .
  users.manage        . . . . x . . . .
  users.roles         . . . . . x . . .
  keys.manage         . . . . . x . . .
  audit.read          . . . . . . x . .
  pii.unmask          . . . . . . . . .
  events.read         x x x x . . . . x
  events.report       . . . . . . . x x
  events.patrol       . x . . . . . . .
  events.hotline      x . . . . . . . .
  events.manage       x . . . . . . . .
  events.work         . x x . . . . . .
  events.supervise    x . . x . . . . .
  events.export       x . . x . . . . .
  categories.manage   . . . . x . . . .
  webhooks.manage     . . . . x . . . .
`;

const rows = TABLE.trim().split('\n').map((l) => l.trim().split(/\s+/));
const expected = (column: (typeof COLUMNS)[number]) => new Set(rows.filter((r) => r[1 + COLUMNS.indexOf(column)] === 'x').map((r) => r[0] as Permission));
const sorted = (s: Iterable<string>) => [...s].sort();

describe('the role → permission table', () => {
  it('names every permission once and every role', () => {
    expect(sorted(rows.map((r) => r[0]))).toEqual(sorted(PERMISSIONS));
    expect(rows.every((r) => r.length === 1 + COLUMNS.length && r.slice(1).every((c) => c === 'x' || c === '.'))).toBe(true);
    expect(sorted(COLUMNS.slice(0, 7))).toEqual(sorted(ROLES));
  });

  it.each(COLUMNS.slice(0, 7))('%s holds exactly its column', (role) => {
    expect(sorted(permissionsOf([role as Role]))).toEqual(sorted(expected(role)));
  });

  it('a citizen holds exactly its column, and an API key may hold exactly its column', () => {
    expect(sorted(CITIZEN_PERMISSIONS)).toEqual(sorted(expected('citizen')));
    expect(sorted(KEY_PERMISSIONS)).toEqual(sorted(expected('key')));
  });

  it('a grant adds pii.unmask to staff, nothing else, and nothing to an administrator', () => {
    expect(permissionsOf(['operator'], ['pii.unmask']).has('pii.unmask')).toBe(true);
    expect(sorted(permissionsOf(['operator'], ['pii.unmask', 'users.manage', 'audit.read', 'nonsense']))).toEqual(sorted([...expected('operator'), 'pii.unmask']));
    for (const admin of ['sysadmin', 'secadmin', 'auditor'] as const) {
      expect(permissionsOf([admin], ['pii.unmask']).has('pii.unmask'), admin).toBe(false);
    }
    expect(permissionsOf([]).size).toBe(0);
  });

  it('several roles hold the union of theirs', () => {
    expect(sorted(permissionsOf(['grid_worker', 'leader']))).toEqual(sorted(new Set([...expected('grid_worker'), ...expected('leader')])));
  });
});
