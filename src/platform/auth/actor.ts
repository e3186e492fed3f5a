/**
 * Who is calling: a staff member, a citizen or an integration (API key). Staff and keys are
 * scoped to an org subtree (`scopePath`, the path of an area unit); citizens to themselves.
 */
export const STAFF_ROLES = ['operator', 'grid_worker', 'handler', 'leader'] as const;
/** The three separated administrators of MLPS 2.0 (三员分立): no account holds two. */
export const ADMIN_ROLES = ['sysadmin', 'secadmin', 'auditor'] as const;
export const ROLES = [...STAFF_ROLES, ...ADMIN_ROLES] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'org.read', 'grids.locate', 'boundaries.read', 'grids.import',
  'users.read', 'users.manage', 'users.roles', 'keys.manage',
  'audit.read', 'pii.unmask',
  // the case loop (module events)
  'events.read', 'events.report', 'events.patrol', 'events.hotline', 'events.manage', 'events.work',
  'events.supervise', 'events.export', 'categories.manage', 'webhooks.manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** What each role may do; the scope (org subtree) is checked separately, per object. */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  // a governance center: takes calls (12345), accepts, dispatches, verifies, escalates, supervises
  operator: ['org.read', 'grids.locate', 'boundaries.read', 'events.read', 'events.hotline', 'events.manage', 'events.supervise', 'events.export'],
  // patrols and reports; signs for and handles what is dispatched to them
  grid_worker: ['org.read', 'grids.locate', 'boundaries.read', 'events.read', 'events.patrol', 'events.work'],
  // a platform or department: signs for and handles what is dispatched to the unit
  handler: ['org.read', 'grids.locate', 'boundaries.read', 'events.read', 'events.work'],
  // watches the indicators, gives instructions (批示)
  leader: ['org.read', 'grids.locate', 'boundaries.read', 'events.read', 'events.supervise', 'events.export'],
  // accounts, the org tree and configuration (categories, webhooks); not roles, not the audit log
  sysadmin: ['org.read', 'grids.locate', 'boundaries.read', 'grids.import', 'users.read', 'users.manage', 'categories.manage', 'webhooks.manage'],
  // roles, permissions, unmask rights and API keys; not accounts' other fields, not the audit log
  secadmin: ['org.read', 'users.read', 'users.roles', 'keys.manage'],
  // the audit log, nothing else
  auditor: ['audit.read'],
};

/** Permissions an extra grant may add (given by a secadmin); roles cover the rest. */
export const GRANTABLE: readonly Permission[] = ['pii.unmask'];
export const CITIZEN_PERMISSIONS: readonly Permission[] = ['grids.locate', 'boundaries.read', 'events.report'];
/** What an API key may hold. */
export const KEY_PERMISSIONS: readonly Permission[] = ['org.read', 'grids.locate', 'boundaries.read', 'events.report', 'events.read'];

export type Actor =
  | { kind: 'staff'; id: number; /** the username: what the audit log records */ name: string; displayName: string; roles: Role[]; permissions: Set<Permission>; orgId: number; scopePath: string; sessionId: string; csrfToken: string; stage: 'full' | 'change_password' }
  | { kind: 'citizen'; id: number; name: string; permissions: Set<Permission>; sessionId: string; csrfToken: string; stage: 'full' }
  | { kind: 'key'; id: number; name: string; permissions: Set<Permission>; orgId: number; scopePath: string };

export function permissionsOf(roles: readonly Role[], grants: readonly string[] = []): Set<Permission> {
  const set = new Set<Permission>();
  for (const r of roles) for (const p of ROLE_PERMISSIONS[r] ?? []) set.add(p);
  if (roles.some(isAdminRole)) return set; // administrators hold their role's permissions and nothing else
  for (const g of grants) if ((GRANTABLE as readonly string[]).includes(g)) set.add(g as Permission);
  return set;
}

export const isAdminRole = (r: string) => (ADMIN_ROLES as readonly string[]).includes(r);

/** The actor columns of an audit row; no actor means the command line (bootstrap, recovery). */
export function auditActor(actor: Actor | null | undefined, meta: { ip: string | null; userAgent: string | null }) {
  return {
    actorId: actor?.id ?? null,
    actorName: actor ? actor.name : 'cli',
    actorRole: actor?.kind === 'staff' ? actor.roles.join(',') : (actor?.kind ?? 'cli'),
    orgId: actor && actor.kind !== 'citizen' ? actor.orgId : null,
    ip: meta.ip,
    userAgent: meta.userAgent,
  };
}
