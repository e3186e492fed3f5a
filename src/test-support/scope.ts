import { expect } from 'vitest';
import type { Client } from './app.js';

export interface Probe {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  body?: unknown;
}

/**
 * Proves, route by route, that a caller from another unit can neither read nor change an object:
 * every probe answers 404 (its existence is not revealed) and the body names nothing of it.
 * `unchanged` re-reads the object as its owner afterwards and must give the same answer.
 */
export async function expectHiddenFrom(outsider: Client, probes: Probe[], secret?: string) {
  for (const p of probes) {
    const res = p.method === 'GET' ? await outsider.get(p.url) : await outsider.send(p.method, p.url, p.body);
    expect(res.statusCode, `${p.method} ${p.url} by ${outsider.username}`).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
    if (secret) expect(res.body).not.toContain(secret);
  }
}
