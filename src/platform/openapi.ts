import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: "Ping'an (平安) API", version: '0.1.0', description: '网格化基层治理与平安建设平台 · grid-based grassroots governance and public safety' },
      tags: [
        { name: 'org', description: '组织架构 · the org tree' },
        { name: 'grids', description: '网格与定位 · boundaries and point-to-grid routing' },
        { name: 'health', description: '运行状态 · liveness and readiness' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
