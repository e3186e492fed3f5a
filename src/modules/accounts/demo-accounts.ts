/**
 * Demo accounts, one per role, in 北山街道 (330106002) of 西湖区, and the staff of the seed's
 * story in 永昌街道 (330781004) of 兰溪市: broken glass on a road in 凌家村 (330781004267) —
 * DEMO ONLY: the passwords and the administrators' TOTP secret are public (README). A production
 * server refuses to start while any of them is active.
 */
import * as grids from '../grids/index.js';
import * as org from '../org/index.js';
import * as repo from './accounts.repository.js';
import { TOTP_CONTEXT, type AccountsContext } from './context.js';
import { createStaff } from './users.service.js';
import type { Db } from '../../platform/db/database.js';

export const DEMO_PASSWORD = 'Demo#Pingan2026';
/** Base32; add it to an authenticator app to sign in as a demo administrator. */
export const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
export const DEMO_TOWNSHIP = '330106002';
/** The seed's story: 凌家村 of 永昌街道, 兰溪市. */
export const STORY_VILLAGE = '330781004267';
export const STORY_TOWNSHIP = '330781004';
export const STORY_COUNTY = '330781';

/**
 * Where the story's citizen reports (凌家村's label point) and the grid holding it, lanxi.worker's;
 * null when 兰溪市 was seeded without its villages and grids.
 */
export const storyPlace = (db: Db) => grids.gridAtLabelPoint(db, STORY_VILLAGE);

export async function seedDemoAccounts(ctx: AccountsContext): Promise<{ username: string; role: string; org: string }[]> {
  const { db } = ctx.database;
  const story = await storyPlace(db);
  const [grid] = await org.listAreasUnder(db, (await org.listAreasUnder(db, [DEMO_TOWNSHIP], 'village')).slice(0, 1).map((v) => v.code), 'grid');
  const plan: { username: string; displayName: string; role: string; orgCode: string }[] = [
    { username: 'demo.operator', displayName: '演示·综治中心受理员', role: 'operator', orgCode: `${DEMO_TOWNSHIP}-center` },
    { username: 'demo.worker', displayName: '演示·专职网格员', role: 'grid_worker', orgCode: grid?.code ?? DEMO_TOWNSHIP },
    { username: 'demo.handler', displayName: '演示·综合执法平台处置员', role: 'handler', orgCode: `${DEMO_TOWNSHIP}-platform-law-enforcement` },
    { username: 'demo.leader', displayName: '演示·区领导', role: 'leader', orgCode: '330106-center' },
    { username: 'demo.sysadmin', displayName: '演示·系统管理员', role: 'sysadmin', orgCode: '330106-center' },
    { username: 'demo.secadmin', displayName: '演示·安全管理员', role: 'secadmin', orgCode: '330106-center' },
    { username: 'demo.auditor', displayName: '演示·安全审计员', role: 'auditor', orgCode: '330106-center' },
    // the seed's story in 兰溪市, when it was seeded down to its grids
    ...(story ? [
      { username: 'lanxi.operator', displayName: '演示·永昌街道综治中心受理员', role: 'operator', orgCode: `${STORY_TOWNSHIP}-center` },
      { username: 'lanxi.worker', displayName: '演示·凌家村网格员', role: 'grid_worker', orgCode: story.grid },
      { username: 'lanxi.handler', displayName: '演示·永昌街道综合执法平台处置员', role: 'handler', orgCode: `${STORY_TOWNSHIP}-platform-law-enforcement` },
      { username: 'lanxi.leader', displayName: '演示·兰溪市领导', role: 'leader', orgCode: `${STORY_COUNTY}-center` },
    ] : []),
  ];
  const meta = { ip: null, userAgent: 'pingan seed' };
  for (const p of plan) {
    const { user } = await createStaff(ctx, null, { username: p.username, displayName: p.displayName, orgCode: p.orgCode, roles: [p.role], password: DEMO_PASSWORD, mustChangePassword: false, demo: true }, meta);
    if (['sysadmin', 'secadmin', 'auditor'].includes(p.role)) {
      await repo.updateUser(db, user.id, { totpSecret: ctx.crypto.encrypt(DEMO_TOTP_SECRET, TOTP_CONTEXT), totpEnabled: true });
    }
  }
  return plan.map((p) => ({ username: p.username, role: p.role, org: p.orgCode }));
}
