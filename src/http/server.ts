/**
 * The one HTTP server, on Fastify: GraphQL at /graphql, the REST facade under
 * /api/v1, the API reference, and /health, /ready and /metrics for the
 * platform running the service. Fastify and its plugins do the HTTP work
 * (routing, body parsing and limits, CORS, security headers, rate limiting,
 * closing); here they are configured, callers authenticated, and each request
 * logged once and counted.
 */
import { createServer } from 'node:http';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { type ApiKeyEntry, authenticate, type Principal } from '../auth/api-keys.ts';
import type { ServiceContext } from '../context.ts';
import { isDatabaseUnavailable } from '../db/errors.ts';
import { createReadinessCheck } from '../db/readiness.ts';
import type { Store } from '../db/store.ts';
import { createGraphQLServer, GRAPHQL_PATH } from '../graphql/yoga.ts';
import type { Logger } from '../logger.ts';
import { createAuditEventHandlers } from '../rest/audit-events.ts';
import { unsupportedMediaType } from '../rest/body.ts';
import { COLLECTION_PATH, createDatabaseConnectionHandlers, notFoundProblem } from '../rest/database-connections.ts';
import { createIdempotency } from '../rest/idempotency.ts';
import { createOperationRunner } from '../rest/operations.ts';
import { databaseUnavailable, internalError, type Problem, ProblemResponse, problem } from '../rest/problem.ts';
import { JsonStream } from '../rest/response.ts';
import { methodNotAllowed, REST_ROUTES, readRequest, routeNotFound, templateOf } from '../rest/routes.ts';
import { registerApiDocs } from './api-docs.ts';
import { isExplorerPage, registerGraphQL } from './graphql-route.ts';
import { createMetrics } from './metrics.ts';
import { API_SECURITY_HEADERS, CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS, requestIdOf } from './security.ts';

export interface AppOptions {
  apiKeys: ApiKeyEntry[];
  corsOrigins: string[];
  requestTimeoutMs: number;
  graphqlExplorer: boolean;
  /** Requests per minute one API key (or, without keys, one client address) may make; 0: no limit. */
  rateLimitPerMinute: number;
}

export type App = ReturnType<typeof createApp>;

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling, once authenticated. */
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Served without an API key: it shows no data (health, metrics, the API reference, GraphiQL). */
    public?: boolean;
  }
}

/** The largest request body, on both interfaces. */
const MAX_BODY_BYTES = 1024 * 1024;

const WWW_AUTHENTICATE = {
  missing: 'Bearer realm="database-connection-api"',
  invalid: 'Bearer realm="database-connection-api", error="invalid_token"',
};
const UNAUTHENTICATED_DETAIL = {
  missing: 'This API needs an API key: send it as Authorization: Bearer <key>.',
  invalid: 'The API key is not valid.',
};

/** Paths that hold data, and need an API key (unknown paths under them too). */
const isApiPath = (path: string) => path === GRAPHQL_PATH || path === '/api' || path.startsWith('/api/');

const pathOf = (request: FastifyRequest) => request.url.split('?', 1)[0] ?? '/';

/** One log line per request, when it ends, instead of Fastify's two. */
class RequestLog extends LogController {
  override incomingRequest() {}
  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    const line = {
      method: request.method,
      path: pathOf(request),
      status: reply.statusCode,
      ms: reply.elapsedTime,
      apiKey: request.principal?.name,
      ...(error && { err: error }),
    };
    request.log.info(line, 'request');
  }
}

function sendProblem(reply: FastifyReply, value: Problem, headers: Record<string, string> = {}) {
  // Sent as bytes: given an object or a string, Fastify adds a charset to the media type.
  return reply
    .code(value.status)
    .headers({ ...headers, 'content-type': 'application/problem+json' })
    .send(Buffer.from(JSON.stringify({ ...value, instance: pathOf(reply.request) })));
}

/** /graphql answers errors outside execution in the GraphQL shape, its code in capitals. */
function sendGraphQLError(reply: FastifyReply, value: Problem, headers: Record<string, string> = {}) {
  return reply
    .code(value.status)
    .headers(headers)
    .type('application/json; charset=utf-8')
    .send({ errors: [{ message: value.detail, extensions: { code: value.code.toUpperCase() } }] });
}

/** The problem a request error of the framework stands for (body too large, not JSON). */
function frameworkProblem(error: FastifyError): ProblemResponse | undefined {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new ProblemResponse(
      problem('payload_too_large', `The request body must be at most ${MAX_BODY_BYTES} bytes.`),
    );
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return unsupportedMediaType();
  return undefined;
}

export function createApp(service: ServiceContext, store: Store, options: AppOptions) {
  const metrics = createMetrics({
    subscribers: () => service.events.subscribers(),
    // Read from the database at each scrape; without it, the other metrics are still served.
    connectionHealth: () =>
      service.prisma.databaseConnection
        .findMany({
          where: { healthStatus: { in: ['ok', 'failing'] } },
          select: { alias: true, dialect: true, healthStatus: true, healthLatencyMs: true },
        })
        .then((rows) =>
          rows.map((row) => ({
            alias: row.alias,
            dialect: row.dialect,
            up: row.healthStatus === 'ok',
            latencyMs: row.healthLatencyMs,
          })),
        )
        .catch((error: unknown) => {
          service.logger.warn({ err: error }, 'metrics: the health of connections cannot be read');
          return [];
        }),
  });
  const yoga = createGraphQLServer(service, { explorer: options.graphqlExplorer, observer: metrics });
  const idempotency = createIdempotency(service.prisma, service.secrets.keyring);
  const run = createOperationRunner(yoga);
  const rest = { ...createDatabaseConnectionHandlers(run, idempotency), ...createAuditEventHandlers(run) };
  const checkReadiness = createReadinessCheck(service.prisma, store);

  const app = Fastify({
    loggerInstance: service.logger,
    logController: new RequestLog({ requestIdLogLabel: 'requestId' }),
    genReqId: (request) => requestIdOf(request),
    bodyLimit: MAX_BODY_BYTES,
    // Ids of any length are looked up (and not found), as before the router had a say.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 16 * 1024 },
    // A path that does not decode (`%E0%A4%A`) names no connection and no route.
    frameworkErrors: (error, request, reply) => {
      if (error.code !== 'FST_ERR_BAD_URL') return sendProblem(reply, internalError());
      const path = pathOf(request);
      const id = path.startsWith(`${COLLECTION_PATH}/`)
        ? path.slice(COLLECTION_PATH.length + 1).split('/')[0]
        : undefined;
      return sendProblem(reply, id === undefined ? routeNotFound(path).problem : notFoundProblem(id));
    },
    // Node checks for requests past their timeout every connectionsCheckingInterval (30 s by default).
    serverFactory: (handler) =>
      createServer(
        {
          requestTimeout: options.requestTimeoutMs,
          connectionsCheckingInterval: Math.min(1_000, options.requestTimeoutMs),
        },
        handler,
      ),
  });

  // JSON bodies parsed as they are (keys such as __proto__ kept as plain data, stored as text);
  // a DELETE's empty body is no body (the spec's example sends one with Content-Type: application/json).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, text, done) => {
    if (text === '' && request.method === 'DELETE') return done(null, undefined);
    try {
      done(null, JSON.parse(text as string));
    } catch {
      // The parser's own message quotes the body, which may hold a password: say only what is wrong.
      done(new ProblemResponse(problem('malformed_json', 'The request body is not valid JSON.')), undefined);
    }
  });

  app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    // Headers for pages, not for an API: left to their defaults' absence.
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    strictTransportSecurity: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
  app.register(cors, {
    // Closed unless the origin is on the allow-list.
    origin: (origin, callback) =>
      callback(
        null,
        origin !== undefined && (options.corsOrigins.includes(origin) || options.corsOrigins.includes('*')),
      ),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: 600,
    strictPreflight: false,
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.headers(API_SECURITY_HEADERS);
    const path = pathOf(request);
    if (request.routeOptions.config.public || !isApiPath(path) || isExplorerPage(request)) return;
    const authentication = authenticate(request.headers.authorization, options.apiKeys);
    if ('failure' in authentication) {
      const headers = { 'www-authenticate': WWW_AUTHENTICATE[authentication.failure] };
      const unauthenticated = problem('unauthenticated', UNAUTHENTICATED_DETAIL[authentication.failure]);
      return path === GRAPHQL_PATH
        ? sendGraphQLError(reply, unauthenticated, headers)
        : sendProblem(reply, unauthenticated, headers);
    }
    request.principal = authentication.principal;
  });

  if (options.rateLimitPerMinute > 0) {
    app.register(rateLimit, {
      // After authentication, so that each API key has its own budget.
      hook: 'preHandler',
      max: options.rateLimitPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request) => (request.principal ? `key:${request.principal.name}` : `ip:${request.ip}`),
      // What the plugin throws past the limit (having set Retry-After): our problem, answered as any other.
      errorResponseBuilder: (_request, context) =>
        new ProblemResponse(
          problem('too_many_requests', `Too many requests from this API key: at most ${context.max} a minute.`),
        ),
    });
  }

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ? templateOf(request.routeOptions.url) : 'unknown';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1e3);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const isGraphQL = pathOf(request) === GRAPHQL_PATH;
    const expected = error instanceof ProblemResponse ? error : frameworkProblem(error);
    if (expected) {
      return isGraphQL
        ? sendGraphQLError(reply, expected.problem, expected.headers)
        : sendProblem(reply, expected.problem, expected.headers);
    }
    request.log.error({ err: error, method: request.method, path: pathOf(request) }, 'request failed');
    metrics.countDatabaseError(error);
    if (reply.sent) return;
    // A database call outside GraphQL (Idempotency-Key records) that found the database gone.
    if (isDatabaseUnavailable(error)) {
      const unavailable = databaseUnavailable();
      return sendProblem(reply, unavailable.problem, unavailable.headers);
    }
    return sendProblem(reply, internalError());
  });

  app.setNotFoundHandler((request, reply) => sendProblem(reply, routeNotFound(pathOf(request)).problem));

  // Declared in a plugin of their own, so that the plugins above are loaded (and hook into them) first.
  app.register(async (routes) => declareRoutes(routes));
  return app;

  function declareRoutes(app: FastifyInstance) {
    const publicRoute = { config: { public: true, rateLimit: false } } as const;
    app.get('/health', publicRoute, async () => ({ status: 'ok' }));
    // Like /health and /ready, for the platform: no API key (it shows counts, never data).
    app.get('/metrics', publicRoute, async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
    );
    app.get('/ready', publicRoute, async (_request, reply) => {
      const readiness = await checkReadiness();
      return readiness.ready
        ? { status: 'ready' }
        : reply.code(503).send({ status: 'not_ready', reason: readiness.reason });
    });
    registerApiDocs(app, publicRoute);
    app.register(registerGraphQL, { yoga, explorer: options.graphqlExplorer });

    // The REST facade; a path with a method it does not support answers 405 with Allow.
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
          };
          const routed = readRequest(route, request as Parameters<typeof readRequest>[1]);
          const { status, body, headers } = await route.handle(rest, caller, routed);
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
}
