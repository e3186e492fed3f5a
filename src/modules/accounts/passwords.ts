/** Password policy and hashing (argon2id, OWASP's minimum parameters: 19 MiB, 2 passes, 1 lane). */
import { hash, verify, Algorithm } from '@node-rs/argon2';
import type { Message } from '../../platform/errors.js';

export const ARGON2 = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
export const MIN_LENGTH = 12;
/** Long enough for any passphrase, short enough that hashing stays cheap for attackers too. */
export const MAX_LENGTH = 128;

/** Reasons the password is not acceptable (empty = fine). */
export function checkPassword(password: string, username: string | null): Message[] {
  const reasons: Message[] = [];
  if (password.length < MIN_LENGTH) reasons.push({ zh: `密码至少 ${MIN_LENGTH} 个字符`, en: `The password needs at least ${MIN_LENGTH} characters` });
  if (password.length > MAX_LENGTH) reasons.push({ zh: `密码最多 ${MAX_LENGTH} 个字符`, en: `The password may have at most ${MAX_LENGTH} characters` });
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length;
  if (classes < 3) reasons.push({ zh: '密码须包含大写字母、小写字母、数字、符号中的至少三类', en: 'The password needs 3 of: lower case, upper case, digits, symbols' });
  if (username && username.length >= 3 && password.toLowerCase().includes(username.toLowerCase())) {
    reasons.push({ zh: '密码不能包含用户名', en: 'The password may not contain the username' });
  }
  if (/[\u0000-\u001f\u007f]/.test(password)) reasons.push({ zh: '密码不能包含控制字符', en: 'The password may not contain control characters' });
  return reasons;
}

export const hashPassword = (password: string) => hash(password, ARGON2);

// Verifying against this when the account does not exist keeps the answer time the same.
let dummy: Promise<string> | null = null;
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (password.length > MAX_LENGTH) return false;
  if (!stored) {
    dummy ??= hashPassword('not-a-real-password-Aa1!');
    await verify(await dummy, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
