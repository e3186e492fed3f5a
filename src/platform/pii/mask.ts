/**
 * Display masks for personal data (DESIGN §6: shown masked unless the viewer holds the unmask
 * permission). Every function is total: odd input (empty, too short, wrong shape) gets a
 * generic mask rather than being shown as is. The empty string stays empty: nothing to hide.
 */
import { normalizePhone } from './phone.js';

const star = (n: number) => '*'.repeat(Math.max(n, 0));

/**
 * Keeps at most a quarter of the characters at each end, so that at least half is hidden.
 * Works on code points (Array.from) so a surrogate pair is never split.
 */
function maskGeneric(value: string): string {
  const chars = Array.from(value);
  const keep = Math.floor(chars.length / 4);
  if (keep === 0) return star(chars.length);
  return chars.slice(0, keep).join('') + star(chars.length - 2 * keep) + chars.slice(-keep).join('');
}

/** `33010619900101123X` → `330106********123X`: region kept, birth date and sequence hidden. */
export function maskNationalId(raw: string): string {
  if (typeof raw !== 'string') return '';
  const trimmed = raw.trim();
  const id = trimmed.toUpperCase();
  if (/^\d{17}[\dX]$/.test(id)) return id.slice(0, 6) + star(8) + id.slice(14);
  // Old 15-digit numbers: region, then YYMMDD hidden, sequence shown as in the 18-digit mask.
  if (/^\d{15}$/.test(id)) return id.slice(0, 6) + star(6) + id.slice(12);
  return maskGeneric(trimmed);
}

/** `13812345678` → `138****5678`; other forms are normalised first. */
export function maskPhone(raw: string): string {
  if (typeof raw !== 'string') return '';
  const phone = normalizePhone(raw);
  if (phone) return phone.slice(0, 3) + star(4) + phone.slice(7);
  return maskGeneric(raw.trim());
}

/**
 * Chinese names keep the surname's first character (`张小明` → `张**`, `欧阳娜娜` → `欧***`);
 * other names keep the first letter. A one-character name is fully hidden.
 */
export function maskName(raw: string): string {
  if (typeof raw !== 'string') return '';
  const chars = Array.from(raw.trim());
  if (chars.length <= 1) return star(chars.length);
  return chars[0] + star(chars.length - 1);
}
