/**
 * The one HTTP server, on Fastify: GraphQL at /graphql, the REST facade under /api/v1, the API
 * reference, and /health, /ready and /metrics for the platform running the service. Fastify and
 * its plugins do the HTTP work (routing, body parsing and limits, CORS, security headers, rate
 * limiting, closing); each part is set up by a module of its own, put together here.
 */
import type { FastifyError } from 'fastify';
import type { Authenticator } from '../auth/authenticator.ts';
import type { ReadCacheSettings, ReadCacheStats } from '../commands/connections/read-cache.ts';
import type { IdempotencyRecords } from '../commands/idempotency-records.ts';
import type { ServiceContext } from '../context.ts';
import type { Prisma } from '../db/client.ts';
import { isDatabaseUnavailable } from '../db/errors.ts';
import { createReadinessCheck } from '../db/readiness.ts';
import type { Store } from '../db/store.ts';
import { createResponseCache, type ResponseCache } from '../graphql/response-cache.ts';
import { createGraphQLServer } from '../graphql/yoga.ts';
import { createRestAdapter } from '../rest/adapter.ts';
import { databaseUnavailable, internalError, ProblemResponse } from '../rest/problem.ts';
import { routeNotFound, templateOf } from '../rest/routes.ts';
import { registerApiDocs } from './api-docs.ts';
import { authenticateRequests } from './authentication.ts';
import { compressAnswers } from './compression.ts';
import { type ConsoleSettings, registerConsole } from './console.ts';
import { createFastify, type HttpApp } from './fastify.ts';
import { registerGraphQL } from './graphql-route.ts';
import { parseJsonBodies } from './json-body.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { PUBLIC_ROUTE, registerPlatformRoutes } from './platform-routes.ts';
import { type ProtectionOptions, protect } from './protection.ts';
import { frameworkProblem, pathOf, sendProblem, sendRefusal } from './replies.ts';
import { registerRestRoutes } from './rest-routes.ts';

export interface AppOptions extends ProtectionOptions {
  /** The read cache's bounds, which the GraphQL responses kept whole share; 0 entries: neither is kept. */
  readCache: ReadCacheSettings;
  authenticate: Authenticator;
  /** How long a client may take to send a whole request. */
  REQUEST_TIMEOUT_MS: number;
  /** Failed authentications one client address may make a minute before they are answered 429; 0: no limit. */
  AUTH_FAILURES_PER_MINUTE: number;
  graphqlExplorer: boolean;
  /** The console at /, and how it signs in; none with CONSOLE=false. */
  console?: ConsoleSettings;
}

export type App = ReturnType<typeof createApp>;

/** What the server reads past GraphQL: the store's readiness, and the Idempotency-Key records' door. */
export interface AppStorage {
  store: Store;
  /** For the readiness check only. */
  prisma: Prisma;
  idempotencyRecords: IdempotencyRecords;
}

/** Expected refusals answered as problems; anything else logged, counted and answered 500 (or 503). */
function answerErrors(app: HttpApp, metrics: Metrics) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const expected = error instanceof ProblemResponse ? error : frameworkProblem(error);
    if (expected) return sendRefusal(reply, expected);
    request.log.error({ err: error, method: request.method, path: pathOf(request) }, 'request failed');
    metrics.countDatabaseError(error);
    if (reply.sent) return;
    // A database call outside GraphQL (Idempotency-Key records) that found the database gone.
    if (isDatabaseUnavailable(error)) return sendRefusal(reply, databaseUnavailable());
    return sendProblem(reply, internalError());
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, routeNotFound(pathOf(request)).problem));
}

/** The response cache, told of every change as the read cache is; none when the read cache is off. */
function responseCacheOf(service: ServiceContext, settings: ReadCacheSettings): ResponseCache | undefined {
  if (settings.maxEntries === 0) return undefined;
  const responseCache = createResponseCache(settings);
  service.events.watch(responseCache);
  return responseCache;
}

/** Reads answered from memory: a row of the read cache, or a whole response. */
function readCacheStats(
  service: ServiceContext,
  responseCache: ResponseCache | undefined,
): ReadCacheStats & { resultHits: number } {
  const rows = service.connections.readCacheStats();
  const responses = responseCache?.stats() ?? { hits: 0, entries: 0, bytes: 0 };
  return {
    ...rows,
    hits: rows.hits + responses.hits,
    entries: rows.entries + responses.entries,
    bytes: rows.bytes + responses.bytes,
    resultHits: responses.hits,
  };
}

export function createApp(service: ServiceContext, storage: AppStorage, options: AppOptions) {
  const responseCache = responseCacheOf(service, options.readCache);
  const metrics = createMetrics({
    subscribers: () => service.events.subscribers(),
    readCache: () => readCacheStats(service, responseCache),
    schemaChanges: () => service.connections.schemaHistory.changeCounts(),
    // Read from the database at each scrape; without it, the other metrics are still served.
    connectionHealth: (caller) =>
      service.connections.health.summary(caller).catch((error: unknown) => {
        service.logger.warn({ err: error }, 'metrics: the health of connections cannot be read');
        return [];
      }),
  });
  const yoga = createGraphQLServer(service, {
    explorer: options.graphqlExplorer,
    observer: metrics,
    responseCache,
  });
  const rest = createRestAdapter(yoga, storage.idempotencyRecords);

  const app = createFastify(service.logger, options.REQUEST_TIMEOUT_MS);
  parseJsonBodies(app);
  protect(app, options);
  authenticateRequests(app, options.authenticate, options);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ? templateOf(request.routeOptions.url) : 'unknown';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1e3);
  });
  answerErrors(app, metrics);
  compressAnswers(app);
  // Declared in a plugin of their own, so that the plugins above are loaded (and hook into them) first.
  app.register(async (routes) => {
    registerPlatformRoutes(routes, { metrics, readiness: createReadinessCheck(storage.prisma, storage.store) });
    registerApiDocs(routes, PUBLIC_ROUTE);
    if (options.console) registerConsole(routes, PUBLIC_ROUTE, options.console);
    routes.register(registerGraphQL, { yoga, explorer: options.graphqlExplorer });
    registerRestRoutes(routes, rest);
  });
  return app;
}
