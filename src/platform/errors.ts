/**
 * The one error type of Ping'an. Services throw `AppError(code, ...)`; the HTTP layer maps
 * the code to a status in exactly one place (`httpStatusOf`) and renders a body with a stable
 * code and a message in Chinese and English.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: { status: 400, zh: '请求参数不合法', en: 'The request is not valid' },
  BAD_REQUEST: { status: 400, zh: '请求格式错误', en: 'The request is malformed' },
  UNAUTHORIZED: { status: 401, zh: '请先登录', en: 'Authentication is required' },
  INVALID_CREDENTIALS: { status: 401, zh: '用户名或密码错误；多次失败后账号会被暂时锁定', en: 'Wrong username or password; repeated failures lock the account for a while' },
  TOTP_REQUIRED: { status: 401, zh: '请输入动态验证码', en: 'A one-time code from your authenticator is required' },
  INVALID_CODE: { status: 401, zh: '验证码错误或已失效', en: 'The code is wrong or has expired' },
  PASSWORD_CHANGE_REQUIRED: { status: 403, zh: '请先修改密码', en: 'You must change your password first' },
  CSRF_FAILED: { status: 403, zh: '请求缺少有效的 CSRF 令牌', en: 'The request lacks a valid CSRF token' },
  ACCOUNT_LOCKED: { status: 423, zh: '账号已锁定，请稍后再试', en: 'The account is locked; try again later' },
  FORBIDDEN: { status: 403, zh: '无权执行此操作', en: 'You may not do this' },
  NOT_FOUND: { status: 404, zh: '未找到', en: 'Not found' },
  CONFLICT: { status: 409, zh: '与当前状态冲突', en: 'This conflicts with the current state' },
  PAYLOAD_TOO_LARGE: { status: 413, zh: '请求内容过大', en: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, zh: '不支持的内容类型', en: 'Unsupported content type' },
  OUTSIDE_JURISDICTION: { status: 422, zh: '该位置不在本系统管辖范围内', en: 'The location is outside the jurisdiction' },
  INVALID_DATA: { status: 422, zh: '数据不合法', en: 'The data is not valid' },
  RATE_LIMITED: { status: 429, zh: '请求过于频繁', en: 'Too many requests' },
  INTERNAL: { status: 500, zh: '服务器内部错误', en: 'Internal server error' },
  UNAVAILABLE: { status: 503, zh: '服务暂不可用', en: 'Service unavailable' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface Message {
  zh: string;
  en: string;
}

export interface ErrorDetail {
  field?: string;
  index?: number;
  message: Message;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly text: Message;
  readonly field?: string;
  readonly details?: ErrorDetail[];
  /** Sent as Retry-After (seconds) with the answer: when trying again can succeed. */
  readonly retryAfterSeconds?: number;

  constructor(code: ErrorCode, text?: Partial<Message>, opts: { field?: string; details?: ErrorDetail[]; cause?: unknown; retryAfterSeconds?: number } = {}) {
    const base = ERROR_CODES[code];
    const msg = { zh: text?.zh ?? base.zh, en: text?.en ?? base.en };
    super(msg.en, { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.text = msg;
    this.field = opts.field;
    this.details = opts.details;
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }
}

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CODES[code].status;
}

export interface ErrorBody {
  error: { code: ErrorCode; message: Message; field?: string; details?: ErrorDetail[] };
}

export function errorBody(err: AppError): ErrorBody {
  const error: ErrorBody['error'] = { code: err.code, message: err.text };
  if (err.field) error.field = err.field;
  if (err.details?.length) error.details = err.details;
  return { error };
}

export const notFound = (what: { zh: string; en: string }, field?: string) =>
  new AppError('NOT_FOUND', { zh: `未找到${what.zh}`, en: `${what.en} not found` }, { field });
