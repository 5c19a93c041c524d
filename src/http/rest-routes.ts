/** The REST facade on Fastify: each declared route (src/rest/routes.ts), and 405 with Allow for the methods a path lacks. */

import type { FastifyInstance } from 'fastify';
import type { Principal } from '../auth/api-keys.ts';
import type { Logger } from '../logger.ts';
import type { AnswerRoute } from '../rest/adapter.ts';
import { JsonStream } from '../rest/response.ts';
import { methodNotAllowed, REST_ROUTES, readRequest } from '../rest/routes.ts';
import { wantsFresh } from './cache-control.ts';

export function registerRestRoutes(app: FastifyInstance, answer: AnswerRoute) {
  const methodsByPath = new Map<string, string[]>();
  for (const route of REST_ROUTES) {
    methodsByPath.set(route.path, [...(methodsByPath.get(route.path) ?? []), route.method]);
    app.route({
      method: route.method,
      url: route.path,
      handler: async (request, reply) => {
        const caller = {
          principal: request.principal as Principal,
          logger: request.log as Logger,
          requestId: request.id,
          fresh: wantsFresh(request.headers),
        };
        const routed = readRequest(route, request as Parameters<typeof readRequest>[1]);
        const { status, body, headers } = await answer(route, caller, routed);
        reply.code(status).headers(headers ?? {});
        // Long lists arrive as a stream of JSON text, page by page.
        return body instanceof JsonStream ? reply.type('application/json; charset=utf-8').send(body.stream) : body;
      },
    });
  }
  for (const [path, methods] of methodsByPath) {
    // POST …/test shares its path with an id: other methods there are those of /{id}, for the id "test".
    if (path.endsWith('/test') && !path.includes(':id')) continue;
    const allowed = methods.includes('GET') ? ['GET', 'HEAD', ...methods.filter((m) => m !== 'GET')] : methods;
    const others = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'].filter((method) => !methods.includes(method));
    app.route({
      method: others,
      url: path,
      handler: async () => {
        throw methodNotAllowed(allowed);
      },
    });
  }
}
