/**
 * /graphql on Fastify: the GraphiQL page for browsers, and GraphQL requests
 * through Yoga (its Fastify integration), whose responses stream as Yoga
 * produces them.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { explorerPage } from '../graphql/explorer.ts';
import { GRAPHQL_PATH, type Yoga } from '../graphql/yoga.ts';
import type { Logger } from '../logger.ts';
import { wantsFresh } from './cache-control.ts';
import { sendPage } from './pages.ts';

/** What a browser navigating to /graphql asks for: the page holds nothing secret, so it needs no key. */
export const isExplorerPage = (request: FastifyRequest) =>
  request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');

export const registerGraphQL: FastifyPluginAsync<{ yoga: Yoga; explorer: boolean }> = async (
  app,
  { yoga, explorer },
) => {
  // Yoga reads the body itself (JSON, and the form posts its CSRF check refuses): Fastify only
  // collects it, within the size limit.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.route({
    method: ['GET', 'POST'],
    url: GRAPHQL_PATH,
    handler: async (request, reply) => {
      if (isExplorerPage(request)) {
        if (!explorer) return reply.callNotFound();
        const page = await explorerPage(GRAPHQL_PATH);
        return sendPage(reply, 'text/html; charset=utf-8', page.contentSecurityPolicy, page.html);
      }
      const response = await yoga.handleNodeRequestAndResponse(request, reply, {
        principal: request.principal as NonNullable<typeof request.principal>,
        logger: request.log as Logger,
        requestId: request.id,
        fresh: wantsFresh(request.headers),
      });
      for (const [name, value] of response.headers) reply.header(name, value);
      reply.code(response.status);
      // Event streams (subscriptions, incremental delivery) stream as Yoga produces them; a single
      // result is complete already, and sent as one buffer, cheaper than piping a stream.
      const contentType = response.headers.get('content-type') ?? '';
      if (/^(text\/event-stream|multipart\/mixed)/.test(contentType)) return reply.send(response.body);
      return reply.send(Buffer.from(await response.arrayBuffer()));
    },
  });
};
