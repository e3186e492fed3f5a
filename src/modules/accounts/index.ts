/** Module `accounts`: staff and citizen accounts, sign-in, sessions, API keys; the audit log's API. */
export { accountsRoutes } from './accounts.routes.js';
export { resolveSession, clearSessionCache, loginStaff, sendSmsCode, loginCitizen } from './auth.service.js';
export { resolveKey, createKey, revokeKey } from './keys.service.js';
export { createStaff, lockUser, resetPassword, findStaffId, generatePassword } from './users.service.js';
export { OutboxSms, readOutbox, smsToUser, type SmsSender } from './sms.js';
export { countActiveDemoUsers, staffById, activeStaffIn, rosterOf, displayNames, type StaffMember } from './accounts.repository.js';
export { totpCode } from './totp.js';
export { PHONE_CONTEXT, type AccountsContext, type RequestMeta } from './context.js';
export { seedDemoAccounts, storyPlace, DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_TOWNSHIP, STORY_VILLAGE, STORY_TOWNSHIP, STORY_COUNTY } from './demo-accounts.js';
