import type { Database } from '../../platform/db/database.js';
import type { FieldCrypto } from '../../platform/pii/index.js';
import type { SmsSender } from './sms.js';

/** What the accounts services need, built once by the app. */
export interface AccountsContext {
  database: Database;
  crypto: FieldCrypto;
  sms: SmsSender;
  /** Mark cookies Secure (behind TLS). */
  secureCookies: boolean;
}

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

export const PHONE_CONTEXT = 'users.phone';
export const TOTP_CONTEXT = 'users.totp_secret';
