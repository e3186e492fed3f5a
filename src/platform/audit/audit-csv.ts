/**
 * CSV for audit exports (RFC 4180: comma separated, CRLF between lines, a cell quoted when it
 * holds a quote, comma or line break, quotes doubled). Cells that a spreadsheet would read as a
 * formula (starting with = + - @, a tab or a carriage return, or their full-width forms) get a
 * leading apostrophe, so that opening an export cannot run anything (CSV injection).
 * Prepend '\uFEFF' to the file if it is meant for Excel, which otherwise misreads UTF-8.
 */
import type { AuditRow } from './audit.js';

const COLUMNS = [
  'id', 'at', 'actor_id', 'actor_name', 'actor_role', 'org_id', 'ip', 'user_agent', 'action',
  'target_type', 'target_id', 'result', 'reason', 'details', 'prev_hash', 'hash',
] as const;

/** The header line (no line break). */
export const AUDIT_CSV_HEADER = COLUMNS.join(',');

/** One row as a CSV line (no line break: join lines with '\r\n'). `details` is its JSON text. */
export function toCsvLine(row: AuditRow): string {
  return [
    row.id, row.at, row.actorId, row.actorName, row.actorRole, row.orgId, row.ip, row.userAgent, row.action,
    row.targetType, row.targetId, row.result, row.reason, row.details === null ? null : JSON.stringify(row.details),
    row.prevHash, row.hash,
  ]
    .map(csvCell)
    .join(',');
}

/** One CSV cell: numbers as they are, text protected against formulas and quoted when needed. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r＝＋－＠]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
