/**
 * Demo accounts, one per role, in 北山街道 (330106002) of 西湖区 — DEMO ONLY: the passwords and
 * the administrators' TOTP secret are public (README). A production server refuses to start
 * while any of them still has its demo password.
 */
import * as org from '../org/index.js';
import * as repo from './accounts.repository.js';
import { TOTP_CONTEXT, type AccountsContext } from './context.js';
import { createStaff } from './users.service.js';

export const DEMO_PASSWORD = 'Demo#Pingan2026';
/** Base32; add it to an authenticator app to sign in as a demo administrator. */
export const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
export const DEMO_TOWNSHIP = '330106002';

export async function seedDemoAccounts(ctx: AccountsContext): Promise<{ username: string; role: string; org: string }[]> {
  const { db } = ctx.database;
  const [grid] = await org.listAreasUnder(db, (await org.listAreasUnder(db, [DEMO_TOWNSHIP], 'village')).slice(0, 1).map((v) => v.code), 'grid');
  const plan: { username: string; displayName: string; role: string; orgCode: string }[] = [
    { username: 'demo.operator', displayName: '演示·综治中心受理员', role: 'operator', orgCode: `${DEMO_TOWNSHIP}-center` },
    { username: 'demo.worker', displayName: '演示·专职网格员', role: 'grid_worker', orgCode: grid?.code ?? DEMO_TOWNSHIP },
    { username: 'demo.handler', displayName: '演示·综合执法平台处置员', role: 'handler', orgCode: `${DEMO_TOWNSHIP}-platform-law-enforcement` },
    { username: 'demo.leader', displayName: '演示·区领导', role: 'leader', orgCode: '330106-center' },
    { username: 'demo.sysadmin', displayName: '演示·系统管理员', role: 'sysadmin', orgCode: '330106-center' },
    { username: 'demo.secadmin', displayName: '演示·安全管理员', role: 'secadmin', orgCode: '330106-center' },
    { username: 'demo.auditor', displayName: '演示·安全审计员', role: 'auditor', orgCode: '330106-center' },
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
