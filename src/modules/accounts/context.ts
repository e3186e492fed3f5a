import type { Database } from '../../platform/db/database.js';
import type { CheckpointFile } from '../../platform/audit/index.js';
import type { FieldCrypto } from '../../platform/pii/index.js';
import type { SmsSender } from './sms.js';

/** What the accounts services need, built once by the app. */
export interface AccountsContext {
  database: Database;
  crypto: FieldCrypto;
  sms: SmsSender;
  /** Mark cookies Secure (behind TLS). */
  secureCookies: boolean;
  /** Where the audit head is checkpointed on every export (absent: no checkpoint, e.g. the CLI's own context). */
  auditCheckpoints?: CheckpointFile;
}

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

export const PHONE_CONTEXT = 'users.phone';
export const TOTP_CONTEXT = 'users.totp_secret';
