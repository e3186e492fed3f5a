/** A staff member's or key's scope: the subtree of the area their org unit belongs to. */
import * as org from '../org/index.js';
import type { Db } from '../../platform/db/database.js';

/** The path of the nearest area at or above the unit (a center's township, a department's county). */
export async function scopePathOf(db: Db, orgId: number): Promise<string> {
  const unit = await org.getUnit(db, `id:${orgId}`);
  if (unit.kind === 'area') return unit.path;
  return unit.path.replace(/\d+\/$/, '');
}
