/**
 * Configuration from environment variables, validated once at start. A bad value stops the
 * start with a message naming the variable.
 */
import net from 'node:net';
import path from 'node:path';
import { defaultCheckpointFile } from '../platform/audit/index.js';
import { fileURLToPath } from 'node:url';

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  dataDir: string;
  /** Where photos are stored (content-addressed); default <dataDir>/media. Share it between nodes. */
  mediaDir: string;
  databaseUrl?: string;
  region: string;
  bodyLimitBytes: number;
  shutdownTimeoutMs: number;
  /** After SIGTERM, how long /readyz says 503 while requests are still served, before closing. */
  shutdownDrainMs: number;
  gridRevisionPollMs: number;
  /** Requests per minute per caller (account or key; IP when signed out). */
  rateLimitPerMinute: number;
  /** Cases one reporter may file in an hour and in a day (citizens also per device); repeats of an open case are not counted. */
  intakeLimits: IntakeLimits;
  /** Sign-in and SMS requests per minute per IP. */
  authRateLimitPerMinute: number;
  /** Trust X-Forwarded-* from a reverse proxy (client IP, https). */
  trustProxy: boolean;
  /** Always mark the session cookie Secure (otherwise: when the request came over https). */
  secureCookies: boolean;
  /** PINGAN_WEBHOOK_ALLOW, validated: private ranges and names webhooks may reach */
  webhookAllow: string;
  /** Optional base-map tiles for the web pages ({z}/{x}/{y} URL template); without it the maps show our boundaries only. */
  tileUrl: string | null;
  tileAttribution: string | null;
  /** Where the built web pages are (npm run build:web). */
  webDir: string;
  /** Where the audit log's signed head checkpoints are appended (outside the database). */
  auditCheckpointFile: string;
  /** How often the server checkpoints the audit head (0: only on export and at shutdown). */
  auditCheckpointMs: number;
  /** How often the deadline sweep and the notification dispatcher run (0: never, e.g. in tests). */
  sweepIntervalMs: number;
}

export interface IntakeLimits {
  citizen: { hour: number; day: number };
  /** grid workers' patrol reports and operators' hotline entries, per account */
  staff: { hour: number; day: number };
  /** integrations (API keys, Open311), per key */
  key: { hour: number; day: number };
  /** how far back a repeat of one's own open case is looked for (0: never) */
  repeatMinutes: number;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, reason: string) {
    super(`Invalid configuration: ${variable} ${reason}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got "${raw}")`);
  }
  return raw as T;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number (got "${raw}")`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max} (got ${n})`);
  return n;
}

function tileUrl(env: Env, name: string): string | null {
  const raw = env[name];
  if (!raw) return null;
  if (!/^https?:\/\/[^\s]+$/.test(raw) || !raw.includes('{z}') || !raw.includes('{x}') || !raw.includes('{y}')) {
    throw new ConfigError(name, `must be an http(s) URL template with {z}, {x} and {y} (got "${raw}")`);
  }
  return raw;
}

function databaseUrl(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be a URL such as postgres://user@127.0.0.1:5432/pingan');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(name, `must use the postgres:// scheme (got "${url.protocol}")`);
  }
  return raw;
}

/** PINGAN_WEBHOOK_ALLOW: CIDRs and host names, comma-separated (read again at each check by platform/net/outbound). */
function webhookAllow(env: Env, nodeEnv: string): string {
  if (env.PINGAN_WEBHOOK_TEST_LOOPBACK && nodeEnv !== 'test') {
    throw new ConfigError('PINGAN_WEBHOOK_TEST_LOOPBACK', 'is only accepted when NODE_ENV=test (webhooks never reach loopback in production)');
  }
  const raw = env.PINGAN_WEBHOOK_ALLOW ?? '';
  for (const item of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [addr, bits, more] = item.split('/');
    const family = net.isIP(addr);
    const okCidr = family !== 0 && more === undefined && (bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128)));
    const okName = bits === undefined && /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(item);
    if (!okCidr && !okName) throw new ConfigError('PINGAN_WEBHOOK_ALLOW', `must list CIDRs or host names separated by commas (got "${item}")`);
  }
  return raw;
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const region = env.PINGAN_REGION ?? '33';
  if (!/^\d{2}$/.test(region)) throw new ConfigError('PINGAN_REGION', `must be a 2-digit province code (got "${region}")`);
  const dataDir = path.resolve(env.PINGAN_DATA_DIR && env.PINGAN_DATA_DIR !== '' ? env.PINGAN_DATA_DIR : 'data');
  return {
    env: nodeEnv,
    host: env.HOST && env.HOST !== '' ? env.HOST : '127.0.0.1',
    port: integer(env, 'PORT', 3000, 0, 65535),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, nodeEnv === 'test' ? 'silent' : 'info'),
    dataDir,
    mediaDir: path.resolve(env.PINGAN_MEDIA_DIR || path.join(env.PINGAN_DATA_DIR || 'data', 'media')),
    databaseUrl: databaseUrl(env, 'DATABASE_URL'),
    region,
    bodyLimitBytes: integer(env, 'PINGAN_BODY_LIMIT', 1_048_576, 1024, 512 * 1_048_576),
    shutdownTimeoutMs: integer(env, 'PINGAN_SHUTDOWN_TIMEOUT_MS', 10_000, 100, 600_000),
    shutdownDrainMs: integer(env, 'PINGAN_SHUTDOWN_DRAIN_MS', 1_000, 0, 600_000),
    gridRevisionPollMs: integer(env, 'PINGAN_GRID_POLL_MS', 10_000, 100, 3_600_000),
    rateLimitPerMinute: integer(env, 'PINGAN_RATE_LIMIT', 600, 1, 1_000_000),
    authRateLimitPerMinute: integer(env, 'PINGAN_AUTH_RATE_LIMIT', 10, 1, 1_000_000),
    intakeLimits: {
      citizen: { hour: integer(env, 'PINGAN_INTAKE_CITIZEN_HOUR', 10, 1, 1_000_000), day: integer(env, 'PINGAN_INTAKE_CITIZEN_DAY', 30, 1, 1_000_000) },
      staff: { hour: integer(env, 'PINGAN_INTAKE_STAFF_HOUR', 120, 1, 1_000_000), day: integer(env, 'PINGAN_INTAKE_STAFF_DAY', 1_000, 1, 1_000_000) },
      key: { hour: integer(env, 'PINGAN_INTAKE_KEY_HOUR', 3_000, 1, 10_000_000), day: integer(env, 'PINGAN_INTAKE_KEY_DAY', 30_000, 1, 10_000_000) },
      repeatMinutes: integer(env, 'PINGAN_INTAKE_REPEAT_MINUTES', 10, 0, 1_440),
    },
    trustProxy: oneOf(env, 'PINGAN_TRUST_PROXY', ['true', 'false'] as const, 'false') === 'true',
    sweepIntervalMs: integer(env, 'PINGAN_SWEEP_INTERVAL_MS', 30_000, 0, 3_600_000),
    auditCheckpointFile: path.resolve(env.PINGAN_AUDIT_CHECKPOINT_FILE || defaultCheckpointFile(dataDir)),
    auditCheckpointMs: integer(env, 'PINGAN_AUDIT_CHECKPOINT_MS', 300_000, 0, 86_400_000),
    tileUrl: tileUrl(env, 'PINGAN_TILE_URL'),
    tileAttribution: env.PINGAN_TILE_ATTRIBUTION || null,
    webDir: path.resolve(env.PINGAN_WEB_DIR || fileURLToPath(new URL('../../dist-web', import.meta.url))),
    secureCookies: oneOf(env, 'PINGAN_SECURE_COOKIES', ['true', 'false'] as const, nodeEnv === 'production' ? 'true' : 'false') === 'true',
    webhookAllow: webhookAllow(env, nodeEnv),
  };
}
