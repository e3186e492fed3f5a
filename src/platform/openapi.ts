import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: "Ping'an (平安) API", version: '0.1.0', description: '网格化基层治理与平安建设平台 · grid-based grassroots governance and public safety. Sign in with POST /api/v1/auth/login (a session cookie; send X-CSRF-Token on changes) or use an API key (Authorization: Bearer pak_…).' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'pingan_session' }, apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ session: [] }, { apiKey: [] }],
      tags: [
        { name: 'org', description: '组织架构 · the org tree' },
        { name: 'grids', description: '网格与定位 · boundaries and point-to-grid routing' },
        { name: 'auth', description: '登录与会话 · sign-in, sessions, CSRF' },
        { name: 'users', description: '账号与角色 · accounts, roles, grants' },
        { name: 'keys', description: 'API 密钥 · integration keys' },
        { name: 'audit', description: '审计日志 · the audit log (auditors)' },
        { name: 'health', description: '运行状态 · liveness and readiness' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
