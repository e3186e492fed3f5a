/**
 * Exporting cases as CSV or XLSX: the list's filters and scope (`filterFor`), newest first, read
 * in keyset pages of 1,000 (by id) and written out as they come, so an export of a million rows
 * never sits in memory. No reporter data at all (name, phone, account): only the case itself.
 *
 * CSV: UTF-8 with a BOM (so Excel reads Chinese), RFC 4180, cells a spreadsheet would run as a
 * formula get a leading apostrophe (csvCell). XLSX: exceljs's streaming writer, one committed row
 * at a time, every text cell written as a string (never a formula), so nothing there can run.
 */
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Actor } from '../../platform/auth/actor.js';
import { csvCell } from '../../platform/audit/index.js';
import type { EventsContext } from './events.context.js';
import { STATUS_NAMES } from './events.lifecycle.js';
import * as repo from './events.repository.js';
import type { EventRow } from './events.repository.js';
import * as q from './queries.repository.js';
import { filterFor } from './queries.service.js';
import { listCategories } from './categories.service.js';
import type { ListQueryT } from './events.schemas.js';

export type ExportFormat = 'csv' | 'xlsx';
export type ExportQuery = Omit<ListQueryT, 'cursor' | 'limit'>;
export type Cell = string | number | null;

/** At most this many rows per export (an XLSX sheet holds 1,048,576). */
export const EXPORT_MAX_ROWS = 1_000_000;
/** Rows read per query. */
export const EXPORT_PAGE = 1000;

export const EXPORT_HEADERS = [
  '案件编号', '状态', '类别代码', '类别', '渠道', '描述', '地址', '区县', '乡镇街道', '村社区', '网格',
  '经度', '纬度', '上报时间', '立案时间', '结案时间', '期限状态', '是否按期', '返工次数', '评分',
] as const;

const CHANNEL_NAMES: Record<EventRow['channel'], string> = { citizen: '群众上报', patrol: '网格巡查', hotline: '热线受理', integration: '系统对接' };
const DEADLINE_NAMES: Record<EventRow['deadlineState'], string> = { normal: '正常', warning: '预警', overdue: '超期', escalated: '超期督办' };

const HOUR8 = 8 * 3600_000;

/** ISO 8601 in China time: 2026-06-10T10:00:00+08:00. */
export function shanghaiIso(d: Date | null): string | null {
  return d ? `${new Date(d.getTime() + HOUR8).toISOString().slice(0, 19)}+08:00` : null;
}

/** One case as the export's cells, in the order of EXPORT_HEADERS. */
export function exportCells(e: EventRow, categoryNames: Map<string, string>): Cell[] {
  return [
    e.id, STATUS_NAMES[e.status]?.zh ?? e.status, e.categoryCode, categoryNames.get(e.categoryCode) ?? e.categoryCode,
    CHANNEL_NAMES[e.channel] ?? e.channel, e.description, e.address, e.countyCode, e.townshipCode, e.villageCode, e.gridCode,
    e.lon, e.lat, shanghaiIso(e.createdAt), shanghaiIso(e.acceptedAt), shanghaiIso(e.closedAt),
    DEADLINE_NAMES[e.deadlineState] ?? e.deadlineState, e.closedOnTime === null ? null : e.closedOnTime ? '是' : '否',
    e.reworkCount, e.rating,
  ];
}

export interface ExportPlan {
  /** The filter as applied (for the audit row), without the caller's scope internals. */
  filters: ExportQuery;
  /** Pages of rows, newest case first; stops at `EXPORT_MAX_ROWS`. */
  pages: () => AsyncGenerator<Cell[][]>;
}

/**
 * Checks the query against the caller's scope now (an area outside it is NOT_FOUND before any
 * byte is sent) and returns the pages to stream.
 */
export async function planExport(ctx: EventsContext, actor: Actor, query: ExportQuery, opts: { maxRows?: number; pageSize?: number } = {}): Promise<ExportPlan> {
  const db = ctx.database.db;
  const filter = await filterFor(db, actor, query);
  const maxRows = opts.maxRows ?? EXPORT_MAX_ROWS;
  const pageSize = opts.pageSize ?? EXPORT_PAGE;
  async function* pages(): AsyncGenerator<Cell[][]> {
    const names = new Map((await listCategories(db, { includeInactive: true })).map((c) => [c.code, c.name]));
    let before: number | undefined;
    let sent = 0;
    while (sent < maxRows) {
      const list = await repo.listEvents(db, q.whereOf({ ...filter, before }), Math.min(pageSize, maxRows - sent));
      if (!list.length) return;
      sent += list.length;
      before = list[list.length - 1].id;
      yield list.map((e) => exportCells(e, names));
      if (list.length < pageSize) return;
    }
  }
  return { filters: query, pages };
}

/** CSV text chunks: BOM and header, then one chunk per page (CRLF line ends, RFC 4180). */
export async function* csvChunks(pages: AsyncIterable<Cell[][]>): AsyncGenerator<string> {
  yield `\uFEFF${EXPORT_HEADERS.map(csvCell).join(',')}\r\n`;
  for await (const page of pages) {
    let chunk = '';
    for (const row of page) chunk += `${row.map(csvCell).join(',')}\r\n`;
    yield chunk;
  }
}

/** Characters XML 1.0 cannot hold: a cell with them would make the file unreadable. */
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
/** XLSX cells: no characters XML cannot hold; line breaks as Excel writes them (LF; XML would turn CR LF into LF anyway). */
const xlsxCell = (v: Cell) => (typeof v === 'string' ? v.replace(NOT_XML, '').replace(/\r\n?/g, '\n') : v);

/**
 * Writes the workbook to `out` row by row (each row committed at once). Ends `out`; on an error
 * destroys it with the error; stops early when `out` is destroyed (the client went away).
 *
 * Backpressure: exceljs 4 hands the sheet's XML to the zip through a PassThrough that it writes
 * without looking at the return value (StreamBuf → archiver), and the zip compresses slower than
 * rows are written, so without a brake the whole sheet would pile up there. Between pages we
 * wait while that PassThrough holds more than `SHEET_BACKLOG` bytes or `out` is full (a slow
 * reader), so memory stays at about a page whatever the export's size.
 */
export async function writeXlsx(pages: AsyncGenerator<Cell[][]>, out: Writable): Promise<void> {
  try {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
    wb.creator = 'Ping’an';
    const ws = wb.addWorksheet('案件');
    ws.addRow([...EXPORT_HEADERS]).commit();
    const backlog = sheetBacklog(ws);
    for await (const page of pages) {
      if (out.destroyed) return; // leaving the loop ends the pages' generator
      for (const row of page) ws.addRow(row.map(xlsxCell)).commit();
      await new Promise((r) => setImmediate(r));
      while (!out.destroyed && ((backlog && backlog.length() > SHEET_BACKLOG) || out.writableNeedDrain)) {
        await wake([out, backlog?.stream]);
      }
    }
    if (out.destroyed) return;
    ws.commit();
    await wb.commit();
  } catch (err) {
    out.destroy(err as Error);
  }
}

const SHEET_BACKLOG = 1024 * 1024;

interface Emitter {
  on(event: string, fn: () => void): unknown;
  removeListener(event: string, fn: () => void): unknown;
}

/** The stream between the sheet and the zip (see writeXlsx), if this exceljs has it where 4.4 does. */
function sheetBacklog(ws: unknown): { stream: Emitter; length: () => number } | null {
  const p = (ws as { stream?: { pipes?: unknown[] } }).stream?.pipes?.[0] as (Emitter & { _writableState?: { length?: unknown } }) | undefined;
  if (!p || typeof p.on !== 'function' || typeof p._writableState?.length !== 'number') return null;
  return { stream: p, length: () => p._writableState!.length as number };
}

/** Resolves on the next 'drain' or 'close' of any of the streams, or after a second (then the caller looks again). */
function wake(streams: (Emitter | undefined)[]): Promise<void> {
  return new Promise((resolve) => {
    const list = streams.filter((s): s is Emitter => s !== undefined);
    const done = () => {
      clearTimeout(timer);
      for (const s of list) {
        s.removeListener('drain', done);
        s.removeListener('close', done);
      }
      resolve();
    };
    const timer = setTimeout(done, 1000);
    for (const s of list) {
      s.on('drain', done);
      s.on('close', done);
    }
  });
}

/** The download's names: an ASCII one and the Chinese one for RFC 5987 `filename*`. */
export function contentDisposition(format: ExportFormat, now: Date): string {
  const day = new Date(now.getTime() + HOUR8).toISOString().slice(0, 10).replace(/-/g, '');
  return `attachment; filename="events-${day}.${format}"; filename*=UTF-8''${encodeURIComponent(`案件-${day}.${format}`)}`;
}

export const EXPORT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};
