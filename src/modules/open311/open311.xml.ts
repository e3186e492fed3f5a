/**
 * Open311 documents in both formats from one tree. JSON is the tree itself (lists are arrays,
 * absent values null); XML follows the spec's Spark convention backwards: a list is an element
 * holding one child element per item (`services` → `service`, `attributes` → `attribute`, …),
 * null is an empty element, booleans are `true`/`false`. UTF-8, with the XML declaration.
 */
import { XMLBuilder } from 'fast-xml-parser';

export type Format = 'xml' | 'json';
export const FORMATS: readonly Format[] = ['xml', 'json'];

export const CONTENT_TYPES: Record<Format, string> = { xml: 'text/xml; charset=utf-8', json: 'application/json; charset=utf-8' };

/** The element name of one item of each list. */
const ITEM: Record<string, string> = {
  services: 'service', attributes: 'attribute', values: 'value', service_requests: 'request', errors: 'error', endpoints: 'endpoint',
  formats: 'format', service_requests_updates: 'request_update', service_request_updates: 'request_update', notes: 'note',
};

export type Doc = string | number | boolean | null | undefined | Doc[] | { [key: string]: Doc };

// XML 1.0 forbids most control characters and lone surrogates; they never reach a document.
const INVALID_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function node(name: string, v: Doc): unknown {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) {
    const item = ITEM[name];
    if (!item) throw new Error(`open311.xml: no item element for the list ${name}`);
    return { [item]: v.map((x) => node(item, x)) };
  }
  if (typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, node(k, x)]));
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v).replace(INVALID_XML, '');
}

const builder = new XMLBuilder({ format: true, indentBy: '  ', suppressEmptyNode: false, processEntities: true });

export function toXml(root: string, doc: Doc): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${builder.build({ [root]: node(root, doc) })}`;
}

/** The body of a document in a format; `root` names the XML root element (JSON has none). */
export function render(format: Format, root: string, doc: Doc): string {
  return format === 'json' ? JSON.stringify(doc) : toXml(root, doc);
}
