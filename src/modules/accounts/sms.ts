/**
 * The SMS channel. Production plugs in a gateway behind `SmsSender`; the default implementation
 * is an outbox table a developer can read (`pingan sms outbox --phone …`), also logged in
 * development so the code is at hand.
 */
import { sql } from 'drizzle-orm';
import { rows, type Db } from '../../platform/db/database.js';
import { maskPhone } from '../../platform/pii/index.js';
import { parseTimestamp, phoneOf } from './accounts.repository.js';
import { PHONE_CONTEXT, type AccountsContext } from './context.js';

export interface SmsMessage {
  phoneIndex: string;
  phoneMasked: string;
  /** The phone number, for a real gateway; the outbox does not store it. */
  phone: string;
  body: string;
}

export interface SmsSender {
  send(db: Db, message: SmsMessage): Promise<void>;
}

export class OutboxSms implements SmsSender {
  constructor(private readonly log?: (msg: string) => void) {}

  async send(db: Db, m: SmsMessage): Promise<void> {
    await db.execute(sql`insert into sms_outbox (phone_index, phone_masked, body) values (${m.phoneIndex}, ${m.phoneMasked}, ${m.body})`);
    this.log?.(`SMS to ${m.phoneMasked}: ${m.body}`);
  }
}

export async function readOutbox(db: Db, phoneIndex: string, limit = 10): Promise<{ id: number; phoneMasked: string; body: string; createdAt: Date }[]> {
  const list = await rows<{ id: number; phoneMasked: string; body: string; createdAt: Date | string }>(db, sql`select id, phone_masked as "phoneMasked", body, created_at as "createdAt" from sms_outbox where phone_index = ${phoneIndex} order by id desc limit ${limit}`);
  return list.map((m) => ({ ...m, createdAt: typeof m.createdAt === 'string' ? parseTimestamp(m.createdAt) : m.createdAt }));
}

/**
 * Sends an SMS to an account's phone (decrypted here, where it is kept). Whether it went, or why
 * it never can: no such account or no phone, or a phone that no longer decrypts. A failing
 * gateway throws, to be tried again.
 */
export async function smsToUser(ctx: Pick<AccountsContext, 'crypto' | 'sms'>, db: Db, userId: number, body: string): Promise<'sent' | 'no phone' | 'phone unreadable'> {
  const u = await phoneOf(db, userId);
  if (!u?.phoneEnc || !u.phoneIndex) return 'no phone';
  let phone: string;
  try {
    phone = ctx.crypto.decrypt(u.phoneEnc, PHONE_CONTEXT);
  } catch {
    return 'phone unreadable';
  }
  await ctx.sms.send(db, { phone, phoneIndex: u.phoneIndex, phoneMasked: maskPhone(phone), body });
  return 'sent';
}
