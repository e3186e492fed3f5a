/**
 * HTTP plumbing shared by every module: the error body schema and the one error handler that
 * maps AppError codes (and Fastify's own errors) to statuses. 5xx bodies hide internals.
 */
import type { FastifyError, FastifyInstance, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { Type } from 'typebox';
import { AppError, errorBody, httpStatusOf, type ErrorCode } from './errors.js';

const MessageSchema = Type.Object({ zh: Type.String(), en: Type.String() });
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable code, e.g. NOT_FOUND, VALIDATION_FAILED' }),
      message: MessageSchema,
      field: Type.Optional(Type.String()),
      details: Type.Optional(Type.Array(Type.Object({ field: Type.Optional(Type.String()), index: Type.Optional(Type.Integer()), message: MessageSchema }))),
    }),
  },
  { $id: 'ErrorResponse', description: 'Every error: a stable code and a message in Chinese and English' },
);

/** Where a request came from, for the audit log. */
export function requestMeta(req: FastifyRequest): { ip: string | null; userAgent: string | null } {
  return { ip: req.ip ?? null, userAgent: (req.headers['user-agent'] ?? null)?.slice(0, 512) ?? null };
}

interface ValidationIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

function fieldOf(issue: ValidationIssue): string {
  const missing = issue.params?.missingProperty ?? issue.params?.additionalProperty;
  const base = (issue.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  if (typeof missing === 'string') return base ? `${base}.${missing}` : missing;
  return base;
}

/** 20 MB, 1.5 MB, 64 KB. */
export function formatBytes(n: number): string {
  return n >= 1_048_576 ? `${Math.round((n / 1_048_576) * 10) / 10} MB` : `${Math.round(n / 1024)} KB`;
}

function fromFastify(err: FastifyError, bodyLimit?: number): AppError {
  if (err.validation) {
    const issues = err.validation as ValidationIssue[];
    const where = err.validationContext ?? 'request';
    const details = issues.slice(0, 20).map((i) => {
      const field = fieldOf(i);
      if (i.keyword === 'nul') return { field, message: nulError(field || where).text };
      const what = i.keyword === 'additionalProperties' ? 'is not allowed' : (i.message ?? 'is not valid');
      return {
        field,
        message: {
          zh: i.keyword === 'required' ? `缺少参数 ${field}` : i.keyword === 'additionalProperties' ? `不允许的参数 ${field}` : `参数 ${field || where} 不合法（${i.message ?? ''}）`,
          en: i.keyword === 'required' ? `${field} is required` : `${field || where} ${what}`,
        },
      };
    });
    const first = details[0];
    return new AppError('VALIDATION_FAILED', first?.message, { field: first?.field, details });
  }
  const status = err.statusCode ?? 500;
  const byStatus: Record<number, ErrorCode> = { 400: 'BAD_REQUEST', 404: 'NOT_FOUND', 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE', 429: 'RATE_LIMITED', 503: 'UNAVAILABLE' };
  const code = byStatus[status] ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST');
  if (code === 'INTERNAL') return new AppError('INTERNAL');
  if (code === 'PAYLOAD_TOO_LARGE' && bodyLimit) {
    return new AppError(code, { zh: `请求内容超过 ${formatBytes(bodyLimit)} 的上限`, en: `The request body is larger than the limit of ${formatBytes(bodyLimit)}` });
  }
  // Fastify's own 4xx messages (bad JSON, body too large) carry no internals.
  return new AppError(code, code === 'BAD_REQUEST' ? { zh: `请求格式错误：${err.message}`, en: err.message } : undefined);
}

// ajv-formats is CommonJS: its default export is the function under .default in ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

/** The NUL character: PostgreSQL text and jsonb cannot hold it, and no field has a use for it. */
const NUL = '\u0000';

/** The path (`/a/0/b`) of the first string, or object key, holding a NUL; null when there is none. */
export function nulPath(value: unknown, at = ''): string | null {
  if (typeof value === 'string') return value.includes(NUL) ? at : null;
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return null;
  for (const [k, v] of Object.entries(value)) {
    if (k.includes(NUL)) return at;
    const found = nulPath(v, `${at}/${k}`);
    if (found !== null) return found;
  }
  return null;
}

type JsonSchema = Record<string, unknown>;

/**
 * A copy of a schema in which every number is bounded: an integer with no bound gets the safe
 * integer range (beyond it ids are no longer exact), a number with none ±Number.MAX_VALUE, so
 * that a coerced '1e309' (Infinity) is refused rather than sent to SQL.
 */
export function bounded(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(bounded);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'enum' || k === 'const' || k === 'default' || k === 'examples' ? v : bounded(v);
  const types = ([] as unknown[]).concat(out.type);
  const limit = types.includes('integer') ? Number.MAX_SAFE_INTEGER : types.includes('number') ? Number.MAX_VALUE : null;
  if (limit !== null) {
    if (out.minimum === undefined && out.exclusiveMinimum === undefined) out.minimum = -limit;
    if (out.maximum === undefined && out.exclusiveMaximum === undefined) out.maximum = limit;
  }
  return out;
}

interface Check {
  (data: unknown): boolean;
  errors?: FastifySchemaValidationError[] | null;
}

/**
 * One rule for input types: query strings and path parameters are text, so numbers and booleans
 * there are converted; JSON bodies are taken as sent — a number where a string belongs is a 400.
 * Unknown body properties are refused (schemas say additionalProperties: false), never dropped.
 * And for every route and every part (query, params, headers, body), whatever its schema says:
 * no string or key may hold a NUL, and no number may be non-finite or beyond its bounds.
 */
export function registerValidation(app: FastifyInstance): void {
  const options = { allErrors: false, useDefaults: true, removeAdditional: false, strict: false } as const;
  // not ajv's strictNumbers: with coercion it lets a coerced Infinity skip every bound; `bounded` refuses it
  const coercing = addFormats(new Ajv({ ...options, coerceTypes: 'array' }));
  const exact = addFormats(new Ajv({ ...options, coerceTypes: false }));
  const copies = new WeakMap<object, JsonSchema>(); // one copy per schema: ajv's cache still sees shared schemas once
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const copy = copies.get(schema) ?? (bounded(schema) as JsonSchema);
    copies.set(schema, copy);
    const validate = (httpPart === 'body' ? exact : coercing).compile(copy);
    const check: Check = (data) => {
      const at = nulPath(data);
      if (at !== null) {
        check.errors = [{ instancePath: at, keyword: 'nul', schemaPath: '#', params: {}, message: 'must not contain U+0000' }];
        return false;
      }
      const ok = validate(data) as boolean;
      check.errors = validate.errors as FastifySchemaValidationError[] | null;
      return ok;
    };
    return check;
  });
  // headers reach the audit log (user agent) whether or not a route declares them
  app.addHook('onRequest', async (req) => {
    for (const [name, value] of Object.entries(req.headers)) {
      if (nulPath(value) !== null) throw nulError(name);
    }
  });
}

function nulError(field: string): AppError {
  const message = { zh: `参数 ${field} 不能包含空字符（U+0000）`, en: `${field} must not contain a NUL character (U+0000)` };
  return new AppError('VALIDATION_FAILED', message, { field, details: [{ field, message }] });
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    const appError = err instanceof AppError ? err : fromFastify(err as FastifyError, req.routeOptions.bodyLimit);
    const status = httpStatusOf(appError.code);
    if (status >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ code: appError.code, field: appError.field }, 'request rejected');
    if (appError.retryAfterSeconds !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(appError.retryAfterSeconds))));
    return reply.status(status).send(errorBody(appError));
  });
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send(errorBody(new AppError('NOT_FOUND', { zh: `接口不存在：${req.method} ${req.url.split('?')[0]}`, en: `No route ${req.method} ${req.url.split('?')[0]}` }))),
  );
}
