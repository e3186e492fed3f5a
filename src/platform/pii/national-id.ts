/**
 * Resident identity card numbers (居民身份证号码) per GB 11643-1999: 6-digit region code,
 * 8-digit birth date, 3-digit sequence (odd = male), and an ISO 7064 MOD 11-2 check character.
 *
 * The region check is deliberately loose: only the province-level prefix and a non-"00" city
 * part are checked. A number keeps the region code of the county where it was first issued,
 * and many of those counties have since been merged or renamed, so checking against the
 * current GB/T 2260 list would wrongly reject real people.
 */
import { AppError, type Message } from '../errors.js';

export type NationalIdResult =
  | { ok: true; id: string; birthDate: string; sex: 'male' | 'female'; regionCode: string }
  | { ok: false; reason: Message };

export interface NationalIdOptions {
  /** "Today" for the not-in-the-future check (tests); defaults to the current time. */
  now?: Date;
  /**
   * Earliest accepted birth date, YYYY-MM-DD. The standard allows the 1800s (its own worked
   * example, 440524188001010014, is born 1880), but nobody alive was, so by default a year
   * like 1890 is treated as a typo of 1990.
   */
  earliestBirthDate?: string;
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/**
 * Province-level codes of GB/T 2260, plus 83: residence permits for Taiwan residents
 * (港澳台居民居住证, since 2018) use 830000 the way Hong Kong and Macao ones use 810000/820000.
 */
const PROVINCES = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
  '71', '81', '82', '83',
]);
/** Codes used whole (x10000) by Taiwan and by Hong Kong/Macao/Taiwan residence permits. */
const WHOLE_PROVINCE_OK = new Set(['71', '81', '82', '83']);

const DEFAULT_EARLIEST = '1900-01-01';

/** The check character for the first 17 digits (ISO 7064 MOD 11-2). */
export function nationalIdCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new Error('nationalIdCheckChar needs exactly 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK_CHARS[sum % 11];
}

const fail = (zh: string, en: string): NationalIdResult => ({ ok: false, reason: { zh, en } });

/** Today's date in China (UTC+8, no daylight saving), where birth dates are recorded. */
function chinaDate(now: Date): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

export function validateNationalId(raw: string, opts: NationalIdOptions = {}): NationalIdResult {
  if (typeof raw !== 'string') return fail('身份证号码必须是文本', 'The ID number must be a string');
  // NFKC turns full-width digits and "Ｘ" (common from Chinese input methods) into ASCII.
  let id = raw.normalize('NFKC').trim();
  if (id.endsWith('x')) id = id.slice(0, -1) + 'X';

  if (/^\d{15}$/.test(id)) {
    return fail('不再接受15位旧身份证号码，请填写18位号码', 'Old 15-digit ID numbers are no longer accepted; enter the 18-digit number');
  }
  if (id.length !== 18) {
    return fail(`身份证号码应为18位，实际为${id.length}位`, `An ID number has 18 characters, this one has ${id.length}`);
  }
  if (!/^\d{17}[\dX]$/.test(id)) {
    return fail('身份证号码前17位必须是数字，最后一位是数字或X', 'The first 17 characters must be digits and the last a digit or X');
  }

  const province = id.slice(0, 2);
  if (!PROVINCES.has(province) || (id.slice(2, 4) === '00' && !WHOLE_PROVINCE_OK.has(province))) {
    return fail('身份证号码的地区码无效', 'The region code of the ID number is not valid');
  }

  const birthDate = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  if (!isCalendarDate(birthDate)) {
    return fail('身份证号码中的出生日期不存在', 'The birth date in the ID number is not a real date');
  }
  if (birthDate > chinaDate(opts.now ?? new Date())) {
    return fail('身份证号码中的出生日期晚于今天', 'The birth date in the ID number is in the future');
  }
  const earliest = opts.earliestBirthDate ?? DEFAULT_EARLIEST;
  if (birthDate < earliest) {
    return fail(`身份证号码中的出生日期早于${earliest}`, `The birth date in the ID number is before ${earliest}`);
  }

  if (nationalIdCheckChar(id.slice(0, 17)) !== id[17]) {
    return fail('身份证号码校验位不正确，请检查是否输错', 'The check character of the ID number is wrong; please check for a typo');
  }

  return { ok: true, id, birthDate, sex: Number(id[16]) % 2 === 1 ? 'male' : 'female', regionCode: id.slice(0, 6) };
}

/** Validates and returns the normalised result; throws VALIDATION_FAILED naming the field. */
export function assertNationalId(raw: string, field = 'idNumber', opts: NationalIdOptions = {}) {
  const result = validateNationalId(raw, opts);
  if (!result.ok) throw new AppError('VALIDATION_FAILED', result.reason, { field });
  return result;
}

function isCalendarDate(iso: string): boolean {
  const [y, m, d] = iso.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
