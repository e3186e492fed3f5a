/**
 * /open311/v2/…{.xml,.json}: Open311 GeoReport v2 and mySociety's service request updates.
 * Outside /api/, public by the platform's rules: reads need no key, and POSTs (and the updates
 * feed) authenticate themselves with `api_key` (or an `Authorization: Bearer` key). Errors, an
 * unknown path or format included, answer in Open311's own format; POST bodies are
 * application/x-www-form-urlencoded, parsed here and only here, and POST requests may also come
 * as multipart/form-data with one `media` file: a photo of the case.
 */
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError, type Message } from '../../platform/errors.js';
import { IMAGE_LIMITS } from '../../platform/storage/index.js';
import type { AccountsContext, RequestMeta } from '../accounts/index.js';
import type { EventsContext } from '../events/index.js';
import { fail, localeOf, Open311Failure, parseForm, say, type Params } from './open311.params.js';
import * as S from './open311.schemas.js';
import * as service from './open311.service.js';
import { CONTENT_TYPES, FORMATS, render, type Doc, type Format } from './open311.xml.js';

export const PREFIX = '/open311/v2';
const FORM = 'application/x-www-form-urlencoded';
const config = { public: true } as const;
const tags = ['open311'];

const meta = (req: FastifyRequest): RequestMeta => ({ ip: req.ip ?? null, userAgent: (req.headers['user-agent'] ?? null)?.slice(0, 512) ?? null });
const formatOf = (url: string): Format => (/\.json$/i.test(url.split('?')[0]) ? 'json' : 'xml');

function send(reply: FastifyReply, format: Format, status: number, root: string, doc: Doc) {
  return reply.status(status).type(CONTENT_TYPES[format]).send(render(format, root, doc));
}

const isForm = (req: FastifyRequest) => (req.headers['content-type'] ?? '').toLowerCase().startsWith(FORM);

/** The query and the form body of a POST, the body winning. */
function formOf(req: FastifyRequest): Params {
  const query = req.query as Params;
  if (req.isMultipart()) throw fail(400, `只有 POST requests 可以用 multipart/form-data 上传 media；此处请以 ${FORM} 提交参数`, `multipart/form-data (with media) is for POST requests only; send these parameters as ${FORM}`);
  if (req.body === undefined || req.body === null) return query;
  if (!isForm(req)) throw fail(400, `请以 ${FORM} 提交参数`, `Send the parameters as ${FORM}`);
  return { ...query, ...(req.body as Params) };
}

const MEDIA_MB = IMAGE_LIMITS.maxBytes / (1024 * 1024);

/**
 * A multipart POST requests: the query and the fields as parameters (repeatable, like a form), and
 * at most one file part, `media`, of at most 10 MB (an empty one, as a form with no file chosen
 * sends, is no media). Its type and pixels are checked by the service, as the API's photos are.
 */
async function multipartOf(req: FastifyRequest): Promise<{ params: Params; media?: Buffer }> {
  const fields: Record<string, string | string[]> = {};
  let media: Buffer | undefined;
  let files = 0;
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'media') throw fail(400, `文件只能以 media 上传，而不是「${part.fieldname}」`, `A file may only be sent as media, not as ${part.fieldname}`);
        if (++files > 1) throw fail(400, '只能上传一个 media 文件', 'Send at most one media file');
        const bytes = await part.toBuffer();
        if (bytes.length) media = bytes;
      } else {
        if (part.valueTruncated || part.fieldnameTruncated) throw fail(400, `参数 ${part.fieldname} 过长`, `The parameter ${part.fieldname} is too long`);
        const v = String(part.value);
        const prior = fields[part.fieldname];
        fields[part.fieldname] = prior === undefined ? v : Array.isArray(prior) ? [...prior, v] : [prior, v];
      }
    }
  } catch (err) {
    switch ((err as { code?: string }).code) {
      case 'FST_REQ_FILE_TOO_LARGE': throw fail(400, `media：图片不能超过 ${MEDIA_MB} MB`, `media: the image must be at most ${MEDIA_MB} MB`);
      case 'FST_FILES_LIMIT': throw fail(400, '只能上传一个 media 文件', 'Send at most one media file');
      case 'FST_PARTS_LIMIT': case 'FST_FIELDS_LIMIT': throw fail(400, 'multipart 中的参数过多', 'The multipart body has too many parts');
      default: throw err;
    }
  }
  return { params: { ...(req.query as Params), ...fields }, media };
}

function idempotencyKeyOf(req: FastifyRequest): string | undefined {
  const v = req.headers['idempotency-key'];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^[\x21-\x7e]{8,128}$/.test(v)) throw fail(400, 'Idempotency-Key 应为 8–128 个可打印 ASCII 字符', 'Idempotency-Key must be 8 to 128 printable ASCII characters');
  return v;
}

/** Where an events field came from among the Open311 parameters. */
function paramOf(field: string | undefined): string | null {
  if (!field) return null;
  const attr = /^attributes\.(.+)$/.exec(field);
  if (attr) return `attribute[${attr[1]}]`;
  const map: Record<string, string> = {
    categoryCode: 'service_code', description: 'description', location: 'lat/long', unitCode: 'address_id', address: 'address_string',
    'caller.phone': 'phone', 'caller.name': 'first_name/last_name', caller: 'first_name/last_name', note: 'description', version: 'service_request_id',
  };
  return map[field] ?? field;
}

/** Any error as an Open311 error: 404 for what does not exist, 403 for keys, 400 for the rest. */
function open311ErrorOf(err: unknown): { status: number; text: Message } {
  if (err instanceof Open311Failure) return { status: err.status, text: err.text };
  if (err instanceof AppError) {
    const param = paramOf(err.field);
    const text = param ? { zh: `${param}：${err.text.zh}`, en: `${param}: ${err.text.en}` } : err.text;
    switch (err.code) {
      case 'NOT_FOUND': return { status: 404, text };
      case 'FORBIDDEN': case 'UNAUTHORIZED': case 'CSRF_FAILED': return { status: 403, text };
      case 'RATE_LIMITED': return { status: 429, text };
      case 'UNAVAILABLE': return { status: 503, text };
      case 'INTERNAL': return { status: 500, text };
      default: return { status: 400, text };
    }
  }
  const status = (err as { statusCode?: number }).statusCode ?? 500;
  if (status === 429) return { status, text: { zh: '请求过于频繁，请稍后再试', en: 'Too many requests; retry later' } };
  if (status === 413) return { status: 400, text: { zh: '请求内容过大', en: 'The request body is too large' } };
  if (status === 415) return { status: 400, text: { zh: `请以 ${FORM} 提交参数`, en: `Send the parameters as ${FORM}` } };
  if (status >= 400 && status < 500) return { status: 400, text: { zh: `请求格式错误：${(err as Error).message}`, en: `The request is malformed: ${(err as Error).message}` } };
  return { status: 500, text: { zh: '服务器内部错误', en: 'Internal server error' } };
}

const ServiceCodeParams = Type.Object({ service_code: Type.String() });
const RequestIdParams = Type.Object({ service_request_id: Type.String() });
const TokenParams = Type.Object({ token: Type.String() });

export const open311Routes: FastifyPluginAsyncTypebox<{ ctx: EventsContext; accounts: AccountsContext }> = async (app, { ctx, accounts }) => {
  const deps: service.Open311Deps = { ctx, accounts };

  await app.register(async (v2) => {
    // Fastify parses no forms: this parser serves these routes only
    v2.addContentTypeParser(FORM, { parseAs: 'string' }, (_req, body, done) => done(null, parseForm(body as string)));
    // multipart/form-data for POST requests with media: read by multipartOf
    await v2.register(multipart, { limits: { fileSize: IMAGE_LIMITS.maxBytes, files: 2, fields: 300, fieldSize: 64 * 1024, parts: 302 } });

    v2.setErrorHandler((err, req, reply) => {
      const { status, text } = open311ErrorOf(err);
      if (status >= 500) req.log.error({ err }, 'open311 request failed');
      else req.log.info({ status, description: text.en }, 'open311 request refused');
      const locale = localeOf({ ...(req.query as Params), ...(isForm(req) && req.body ? (req.body as Params) : {}) });
      return send(reply, formatOf(req.url), status, 'errors', [{ code: status, description: say(text, locale) }]);
    });
    v2.setNotFoundHandler((req, reply) => send(reply, formatOf(req.url), 404, 'errors', [{
      code: 404,
      description: say({ zh: `不存在的资源：${req.method} ${req.url.split('?')[0]}（格式为 .xml 或 .json）`, en: `No such resource: ${req.method} ${req.url.split('?')[0]} (the formats are .xml and .json)` }, localeOf(req.query as Params)),
    }]));

    for (const f of FORMATS) {
      const json = f === 'json';
      // documentation only: parameters are read by open311.params.ts, and bodies are written by open311.xml.ts
      const doc = (summary: string, description: string, response?: Parameters<typeof Type.Array>[0] | ReturnType<typeof Type.Object>, creates = false) => ({
        tags, summary: `${summary} (${f.toUpperCase()})`, description, security: [],
        ...(json && response ? { response: creates ? { 200: response, 201: response } : { 200: response } } : {}),
      });

      v2.get(`/discovery.${f}`, {
        config, schema: doc('Open311 service discovery', 'The endpoint, its formats and where to get an API key.', S.Discovery),
      }, async (req, reply) => send(reply, f, 200, 'discovery', await service.discovery(deps, `${req.protocol}://${req.host}${PREFIX}`)));

      v2.get(`/services.${f}`, {
        config, schema: doc('Open311 services: the categories of cases', 'Query: jurisdiction_id (330106, 3301; default the province), locale (zh, en).', Type.Array(S.Service)),
      }, async (req, reply) => send(reply, f, 200, 'services', await service.services(deps, req.query as Params)));

      v2.get(`/services/:service_code.${f}`, {
        config, schema: { ...doc('Open311 service definition: a category’s extra fields as attributes', 'Query: jurisdiction_id, locale.', S.ServiceDefinition), params: ServiceCodeParams },
      }, async (req, reply) => send(reply, f, 200, 'service_definition', await service.serviceDefinition(deps, (req.params as { service_code: string }).service_code, req.query as Params)));

      v2.post(`/requests.${f}`, {
        config,
        schema: {
          ...doc('Open311 POST request: report a case', `Form (${FORM}, or multipart/form-data with a media file: one JPEG, PNG or WebP photo by its bytes, ≤ 10 MB, ≤ 50 megapixels, kept as the case's photo): api_key, jurisdiction_id, service_code, lat+long | address_string | address_id, attribute[code], attribute[code][], description (≤ 4,000), first_name, last_name, phone, email, device_id, account_id, media_url; batch=true returns a token. Header Idempotency-Key makes a retry return the first case.`, Type.Array(S.CreatedRequest), true),
        },
      }, async (req, reply) => {
        const { params, media } = req.isMultipart() ? await multipartOf(req) : { params: formOf(req), media: undefined };
        const created = await service.createRequest(deps, params, meta(req), idempotencyKeyOf(req), req.actor, media);
        return send(reply, f, created.replayed ? 200 : 201, 'service_requests', [created.doc]);
      });

      v2.get(`/requests.${f}`, {
        config,
        schema: doc('Open311 GET requests: cases of a jurisdiction', 'Query: jurisdiction_id, service_request_id (comma list; overrides the rest), service_code (comma list), start_date, end_date (≤ 90 days; default the last 90), status (open, closed), page, page_size (≤ 1,000), extensions=true, locale.', Type.Array(S.ServiceRequest)),
      }, async (req, reply) => send(reply, f, 200, 'service_requests', await service.listRequests(deps, req.query as Params)));

      v2.get(`/requests/:service_request_id.${f}`, {
        config, schema: { ...doc('Open311 GET request: one case', 'Query: jurisdiction_id, extensions=true, locale.', Type.Array(S.ServiceRequest)), params: RequestIdParams },
      }, async (req, reply) => send(reply, f, 200, 'service_requests', await service.getRequest(deps, (req.params as { service_request_id: string }).service_request_id, req.query as Params)));

      v2.get(`/tokens/:token.${f}`, {
        config, schema: { ...doc('Open311 token: the request id of a batch submission', 'Query: jurisdiction_id.', Type.Array(S.TokenResult)), params: TokenParams },
      }, async (req, reply) => send(reply, f, 200, 'service_requests', await service.tokenResult(deps, (req.params as { token: string }).token, req.query as Params)));

      v2.get(`/servicerequestupdates.${f}`, {
        config,
        schema: doc('mySociety service request updates: the timeline as updates', 'Query: api_key (events.read), jurisdiction_id, start_date, end_date (≤ 90 days; default the last 90), page, page_size.', Type.Array(S.RequestUpdate)),
      }, async (req, reply) => send(reply, f, 200, 'service_requests_updates', await service.listUpdates(deps, req.query as Params, req.actor)));

      v2.post(`/servicerequestupdates.${f}`, {
        config,
        schema: doc('mySociety POST service request update: add information, or reopen', `Form (${FORM}): api_key (events.report), jurisdiction_id, service_request_id, update_id (yours: a retry is one update), status, updated_datetime, description, first_name, last_name, email, phone, media_url.`, Type.Array(S.PostedUpdate), true),
      }, async (req, reply) => {
        const posted = await service.postUpdate(deps, formOf(req), meta(req), req.actor);
        return send(reply, f, posted.replayed ? 200 : 201, 'service_request_updates', [{ update_id: posted.updateId }]);
      });
    }
  }, { prefix: PREFIX });
};
