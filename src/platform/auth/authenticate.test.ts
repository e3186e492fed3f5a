import Fastify from 'fastify';
import { registerErrorHandling } from '../http.js';
import { describe, expect, it } from 'vitest';
import { authentication } from './authenticate.js';

const resolvers = { session: async () => null, apiKey: async () => null };

describe('authentication plugin', () => {
  it('refuses to start when an /api route declares no access rule', async () => {
    const app = Fastify();
    await app.register(authentication, resolvers);
    expect(() => app.get('/api/v1/forgotten', async () => 'oops')).toThrow(/declares no access rule/);
  });

  it('asks for sign-in on a protected route and lets public ones through', async () => {
    const app = Fastify();
    registerErrorHandling(app);
    await app.register(authentication, resolvers);
    app.get('/api/v1/open', { config: { public: true } }, async () => 'hi');
    app.get('/api/v1/closed', { config: { permission: 'org.read' } }, async () => 'secret');
    expect((await app.inject('/api/v1/open')).statusCode).toBe(200);
    const closed = await app.inject('/api/v1/closed');
    expect(closed.statusCode).toBe(401);
    expect(closed.json().error.code).toBe('UNAUTHORIZED');
    expect(closed.body).not.toContain('secret');
    const bearer = await app.inject({ url: '/api/v1/closed', headers: { authorization: 'Bearer pak_000000000000_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' } });
    expect(bearer.statusCode).toBe(401);
    expect(bearer.json().error).toMatchObject({ code: 'UNAUTHORIZED', message: { en: 'The API key is invalid or revoked' } });
    expect(bearer.body).not.toContain('secret');
  });
});
