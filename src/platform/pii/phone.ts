/**
 * Mainland China mobile numbers. People type them with spaces, dashes, dots, brackets and a
 * +86 / 0086 / 86 country prefix; we store one form, 11 digits, so that equal numbers compare
 * (and blind-index) equal.
 */
import { AppError } from '../errors.js';

const MOBILE = /^1[3-9]\d{9}$/;

/** 11-digit mobile number, or null if `raw` is not a mainland mobile number in any usual form. */
export function normalizePhone(raw: string): string | null {
  if (typeof raw !== 'string') return null;
  // NFKC: full-width digits and "＋" from Chinese input methods become ASCII.
  let s = raw.normalize('NFKC').trim().replace(/[\s\-.()]/g, '');
  if (s.startsWith('+86')) s = s.slice(3);
  else if (s.startsWith('0086')) s = s.slice(4);
  else if (s.startsWith('86') && s.length === 13) s = s.slice(2);
  return MOBILE.test(s) ? s : null;
}

/** Normalised number; throws VALIDATION_FAILED naming the field. */
export function assertPhone(raw: string, field = 'phone'): string {
  const phone = normalizePhone(raw);
  if (phone === null) {
    throw new AppError('VALIDATION_FAILED', { zh: '手机号码格式不正确', en: 'Not a valid mainland China mobile number' }, { field });
  }
  return phone;
}
