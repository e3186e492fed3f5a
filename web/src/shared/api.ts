/**
 * The API client of every page: JSON over fetch with the session cookie, the CSRF token on every
 * change, and errors as ApiError carrying the server's code, bilingual message and field.
 */
export interface Message { zh: string; en: string }
/** One of several problems of a request, e.g. a bad feature of an uploaded file (`index`). */
export interface ErrorDetail { field?: string; index?: number; message: Message }

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, readonly text: Message, readonly field?: string, readonly details?: ErrorDetail[]) {
    super(text.en);
  }
  /** The message in the current language. */
  say(lang: string): string {
    return lang.startsWith('en') ? this.text.en : this.text.zh;
  }
}

const NETWORK: Message = { zh: '网络连接失败，请检查网络后重试', en: 'Network error: check the connection and retry' };

let csrf = sessionStorage.getItem('pingan.csrf') ?? '';
export function setCsrf(token: string) {
  csrf = token;
  sessionStorage.setItem('pingan.csrf', token);
}

async function parse(res: Response): Promise<unknown> {
  const type = res.headers.get('content-type') ?? '';
  const body = type.includes('json') ? await res.json().catch(() => null) : await res.text();
  if (res.ok) return body;
  const err = (body as { error?: { code: string; message: Message; field?: string; details?: ErrorDetail[] } } | null)?.error;
  throw new ApiError(res.status, err?.code ?? `HTTP_${res.status}`, err?.message ?? { zh: `请求失败（${res.status}）`, en: `Request failed (${res.status})` }, err?.field, err?.details);
}

export async function request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const h: Record<string, string> = { ...headers };
  if (method !== 'GET') h['x-csrf-token'] = csrf;
  let payload: BodyInit | undefined;
  if (body instanceof Blob) {
    payload = body;
    h['content-type'] = body.type || 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    h['content-type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers: h, body: payload, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'NETWORK', NETWORK);
  }
  return parse(res) as Promise<T>;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown, headers?: Record<string, string>) => request<T>('POST', path, body ?? {}, headers),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, body ?? {}),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, body ?? {}),
};

export interface SessionUser {
  id: number; kind: 'staff' | 'citizen' | 'key'; name: string; roles: string[]; mustChangePassword: boolean;
  /** What the caller may do (absent in a user remembered from before the server sent it). */
  permissions?: string[];
}

export async function currentSession(): Promise<SessionUser | null> {
  try {
    const s = await api.get<{ csrfToken: string; user: SessionUser }>('/api/v1/auth/session');
    setCsrf(s.csrfToken);
    return s.user;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return null;
    throw e;
  }
}

export async function staffLogin(username: string, password: string, totp?: string): Promise<SessionUser> {
  const r = await api.post<{ csrfToken: string; user: SessionUser }>('/api/v1/auth/login', { username, password, ...(totp ? { totp } : {}) });
  setCsrf(r.csrfToken);
  return r.user;
}

export async function smsSend(phone: string): Promise<{ sentTo: string }> {
  return api.post('/api/v1/auth/sms/send', { phone });
}

export async function smsLogin(phone: string, code: string): Promise<SessionUser> {
  const r = await api.post<{ csrfToken: string; user: SessionUser }>('/api/v1/auth/sms/login', { phone, code });
  setCsrf(r.csrfToken);
  return r.user;
}

export async function logout(): Promise<void> {
  await api.post('/api/v1/auth/logout').catch(() => undefined);
  setCsrf('');
}

/** A random Idempotency-Key for one submission (kept across its retries). */
export function newKey(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** This device's id for the intake limits (X-Device-Id): random, kept in the browser's storage. */
export function deviceId(): string {
  const KEY = 'pingan.device';
  try {
    const known = localStorage.getItem(KEY);
    if (known && /^[A-Za-z0-9_-]{16,64}$/.test(known)) return known;
    const id = `d${newKey()}`;
    localStorage.setItem(KEY, id);
    return id;
  } catch {
    return `d${newKey()}`;
  }
}
