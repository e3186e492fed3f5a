/** The extra fields a category asks at intake (also Open311 attributes): checked against their type. */
import { AppError } from '../../platform/errors.js';
import type { CategoryField } from './categories.data.js';

const bad = (code: string, zh: string, en: string) => new AppError('VALIDATION_FAILED', { zh, en }, { field: `attributes.${code}` });

export function validateAttributes(fields: CategoryField[], input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const known = new Set(fields.map((f) => f.code));
  for (const k of Object.keys(input)) if (!known.has(k)) throw bad(k, `该类别没有字段 ${k}`, `This category has no field ${k}`);
  for (const f of fields) {
    const v = input[f.code];
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) {
      if (f.required) throw bad(f.code, `请填写「${f.name.zh}」`, `${f.name.en} is required`);
      continue;
    }
    const keys = new Set((f.values ?? []).map((x) => x.key));
    switch (f.type) {
      case 'number': {
        const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
        if (!Number.isFinite(n)) throw bad(f.code, `「${f.name.zh}」应为数字`, `${f.name.en} must be a number`);
        out[f.code] = n;
        break;
      }
      case 'datetime': {
        if (typeof v !== 'string' || Number.isNaN(Date.parse(v)) || !/^\d{4}-\d\d-\d\d/.test(v)) throw bad(f.code, `「${f.name.zh}」应为日期时间（ISO 8601）`, `${f.name.en} must be an ISO 8601 date-time`);
        out[f.code] = new Date(v).toISOString();
        break;
      }
      case 'singlevaluelist': {
        const s = Array.isArray(v) && v.length === 1 ? v[0] : v;
        if (typeof s !== 'string' || !keys.has(s)) throw bad(f.code, `「${f.name.zh}」的选项无效`, `${f.name.en}: not one of the choices`);
        out[f.code] = s;
        break;
      }
      case 'multivaluelist': {
        const list = Array.isArray(v) ? v : [v];
        if (!list.every((x) => typeof x === 'string' && keys.has(x))) throw bad(f.code, `「${f.name.zh}」的选项无效`, `${f.name.en}: not among the choices`);
        out[f.code] = [...new Set(list)];
        break;
      }
      default: {
        if (typeof v !== 'string') throw bad(f.code, `「${f.name.zh}」应为文本`, `${f.name.en} must be text`);
        const max = f.type === 'text' ? 4000 : 200;
        if (v.length > max) throw bad(f.code, `「${f.name.zh}」不能超过 ${max} 字`, `${f.name.en} is longer than ${max} characters`);
        out[f.code] = v.trim();
      }
    }
  }
  return out;
}
