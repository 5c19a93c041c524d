/**
 * What the platform running the service asks of it: /health and /ready without an API key, and
 * /metrics with the scope metrics:read (its series name connections by alias, of the workspaces where
 * the caller holds it).
 */

import type { FastifyInstance } from 'fastify';
import type { Principal } from '../auth/api-keys.ts';
import type { Metrics } from './metrics.ts';

export const PUBLIC_ROUTE = { config: { public: true, rateLimit: false } } as const;

export function registerPlatformRoutes(
  app: FastifyInstance,
  { metrics, readiness }: { metrics: Metrics; readiness: () => Promise<{ ready: boolean; reason?: string }> },
) {
  app.get('/health', PUBLIC_ROUTE, async () => ({ status: 'ok' }));
  app.get('/metrics', { config: { scope: 'metrics:read', rateLimit: false } }, async (request, reply) =>
    reply.type(metrics.contentType).send(await metrics.scrape({ principal: request.principal as Principal })),
  );
  app.get('/ready', PUBLIC_ROUTE, async (_request, reply) => {
    const { ready, reason } = await readiness();
    return ready ? { status: 'ready' } : reply.code(503).send({ status: 'not_ready', reason });
  });
}
