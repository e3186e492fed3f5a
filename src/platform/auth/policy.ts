/**
 * The one policy layer. `can(actor, action, subject)`: the actor holds the permission, and the
 * subject (anything with an org `path`) lies in the actor's org subtree. `authorize` turns a no
 * into an error: FORBIDDEN for a missing permission, NOT_FOUND for an object outside the scope
 * (its existence is not revealed).
 */
import { AppError } from '../errors.js';
import type { Actor, Permission } from './actor.js';

export interface Scoped {
  /** The org path of the object ('/1/2/15/'), or of the unit that owns it. */
  path: string;
}

export function inScope(actor: Actor, subject: Scoped): boolean {
  if (actor.kind === 'citizen') return false;
  return subject.path.startsWith(actor.scopePath);
}

export function can(actor: Actor | null | undefined, action: Permission, subject?: Scoped): boolean {
  if (!actor || !actor.permissions.has(action)) return false;
  return subject ? inScope(actor, subject) : true;
}

export function authorize(actor: Actor | null | undefined, action: Permission, subject?: Scoped): void {
  if (!actor) throw new AppError('UNAUTHORIZED');
  if (!actor.permissions.has(action)) {
    throw new AppError('FORBIDDEN', { zh: `无权执行此操作（需要权限 ${action}）`, en: `You may not do this (needs ${action})` });
  }
  if (subject && !inScope(actor, subject)) throw new AppError('NOT_FOUND');
}

/**
 * The org path prefix that limits what the caller sees, for services and SQL: staff and keys
 * have one; citizens (and nobody) have none — routes open to them hold only public data, such as
 * boundaries, and their own objects are checked by owner instead.
 */
export function scopeOf(actor: Actor | null | undefined): string | undefined {
  return actor && actor.kind !== 'citizen' ? actor.scopePath : undefined;
}
