/** What the administration API returns (accounts.schemas.ts, categories.schemas.ts, webhooks.routes.ts). */
export interface Ref { id: number; code: string; name: string }
export interface User {
  id: number; username: string; displayName: string; org: Ref; roles: string[]; grants: string[]; phone: string | null;
  locked: boolean; disabled: boolean; mustChangePassword: boolean; totpEnabled: boolean; createdAt: string;
}
export interface Limit { amount: number; unit: 'minutes' | 'hours' | 'workdays' }
export const STAGES = ['accept', 'dispatch', 'sign', 'handle', 'verify'] as const;
export type Stage = (typeof STAGES)[number];
export interface Category {
  code: string; group: string; groupName: string; groupNameEn: string; name: string; nameEn: string;
  handler: { kind: 'platform' | 'department'; type: string }; priority: 1 | 2 | 3 | 4; limits: Record<Stage, Limit>;
  evidenceRequired: boolean; closure: { zh: string; en: string }; urgent: boolean; keywords: string[]; fields: unknown[];
  publication: 'public' | 'counted' | 'private'; active: boolean; version: number; updatedAt: string;
}
export interface CategoryVersion { version: number; data: Omit<Category, 'version' | 'updatedAt' | 'group' | 'groupName' | 'groupNameEn'>; createdAt: string; createdBy: number | null }
export interface Webhook { id: number; name: string; url: string; org: Ref; active: boolean; createdAt: string }
export interface Delivery { id: number; kind: string; eventId: number | null; status: string; attempts: number; lastError: string | null; nextAttemptAt: string | null; sentAt: string | null; createdAt: string }
export interface ApiKey { id: number; name: string; prefix: string; org: Ref; permissions: string[]; createdAt: string; lastUsedAt: string | null; revokedAt: string | null }
export interface OrgUnit { id: number; code: string; name: string; nameEn: string | null; level: string; kind: string; type: string | null; parentId: number | null; depth: number; countyCode: string | null; synthetic: boolean }
export interface AuditRow {
  id: number; at: string; actorId: number | null; actorName: string | null; actorRole: string | null; orgId: number | null; ip: string | null;
  userAgent: string | null; action: string; targetType: string | null; targetId: string | null; result: string; reason: string | null;
  details: Record<string, unknown> | null; prevHash: string | null; hash: string;
}

export const ROLES = ['operator', 'grid_worker', 'handler', 'leader', 'sysadmin', 'secadmin', 'auditor'] as const;
export const ADMIN_ROLES = ['sysadmin', 'secadmin', 'auditor'];
export const GRANTABLE = ['pii.unmask'];
export const KEY_PERMISSIONS = ['org.read', 'grids.locate', 'boundaries.read', 'events.report', 'events.read'];
