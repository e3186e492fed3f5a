/**
 * Redaction of personal data inside free text, for public views (Open311, what a citizen sees of
 * text others wrote): mainland mobile numbers, resident ID numbers (GB 11643, also the old
 * 15-digit ones), vehicle plates and email addresses become `[已隐去]`. Staff keep the original.
 *
 * Numbers are found as runs of digits (ASCII or full-width) with single spaces, dashes or dots
 * between groups and an optional +86 / 0086 prefix; within a run, the longest groups in a row that
 * form a mobile number (normalizePhone) or a plausible ID number (a real region and birth date:
 * validateNationalId once the check character is set, so a mistyped check digit still counts) are
 * hidden. Dates, amounts, house numbers, case ids and other numbers stay.
 */
import { nationalIdCheckChar, validateNationalId } from './national-id.js';
import { normalizePhone } from './phone.js';

export const REDACTED = '[已隐去]';

const D = '[0-9０-９]';
const SEP = '[ \\u3000\\-－.]';
/** A run of digit groups, optionally with a country prefix, possibly ending in the X of an ID number. */
const RUN = new RegExp(`(?<![0-9０-９A-Za-z])(?:(?:[+＋]|00|００)${SEP}?)?${D}+(?:${SEP}${D}+)*(?:${SEP}?[XxＸｘ])?(?![0-9０-９A-Za-z])`, 'g');
const EMAIL = /[A-Za-z0-9._%+-]+[@＠][A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';
/** 浙A12345, 浙A·12345, 浙AD12345 (new energy, 6 after the letter), 浙A1234学 (driving school, police, trailer…). */
const PLATE = new RegExp(`[${PROVINCES}][A-Za-z][·•・ \\-]?(?:[A-Za-z0-9０-９]{5,6}|[A-Za-z0-9０-９]{4}[学警挂港澳领试超])(?![A-Za-z0-9０-９])`, 'g');

const ascii = (s: string) => s.normalize('NFKC');

function isIdNumber(s: string): boolean {
  const id = s.toUpperCase();
  let first17: string;
  if (/^\d{17}[\dX]$/.test(id)) first17 = id.slice(0, 17);
  // 15 digits (before 1999): region, YYMMDD of the 1900s, sequence
  else if (/^\d{15}$/.test(id)) first17 = `${id.slice(0, 6)}19${id.slice(6)}`;
  else return false;
  return validateNationalId(first17 + nationalIdCheckChar(first17)).ok;
}

const isPersonalNumber = (s: string) => normalizePhone(s) !== null || isIdNumber(s.replace(/^\+/, ''));

/** A run of groups: hides each longest stretch of consecutive groups that is a phone or an ID number. */
function redactRun(run: string): string {
  const parts = run.split(/([ \u3000\-－.])/); // groups at even indexes, separators at odd ones
  const groups = parts.filter((_, i) => i % 2 === 0);
  const out: string[] = [];
  for (let i = 0; i < groups.length;) {
    let hit = -1;
    // the longest stretch wins; none is longer than 0086 and an 18-character ID number
    for (let j = i, joined = groups[i]; j < groups.length && joined.length <= 22; j++, joined += groups[j] ?? '') {
      if (isPersonalNumber(ascii(joined))) hit = j;
    }
    if (hit >= 0) {
      out.push(REDACTED);
      i = hit + 1;
    } else {
      out.push(groups[i]);
      i += 1;
    }
    if (i < groups.length) out.push(parts[2 * i - 1]);
  }
  return out.join('');
}

/** The text with personal data replaced by `[已隐去]`; null and undefined stay as they are. */
export function redactPersonalData<T extends string | null | undefined>(text: T): T {
  if (!text) return text;
  return text
    .replace(EMAIL, REDACTED)
    .replace(PLATE, (m) => (/[0-9０-９]/.test(m) ? REDACTED : m))
    .replace(RUN, redactRun) as T;
}
