/**
 * The one HTTP server: GraphQL at /graphql, the REST facade under /api/v1,
 * and /health and /ready for the platform running the service. It
 * authenticates callers, names each request, and logs one line per request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type ApiKeyEntry, authenticate, type Principal } from '../auth/api-keys.ts';
import type { ServiceContext } from '../context.ts';
import { isDatabaseUnavailable } from '../db/errors.ts';
import { createReadinessCheck } from '../db/readiness.ts';
import type { Store } from '../db/store.ts';
import { createGraphQLServer, GRAPHQL_PATH } from '../graphql/yoga.ts';
import type { Logger } from '../logger.ts';
import { createDatabaseConnectionHandlers } from '../rest/database-connections.ts';
import { createIdempotency } from '../rest/idempotency.ts';
import { createOperationRunner } from '../rest/operations.ts';
import { databaseUnavailable, internalError, ProblemResponse, problem } from '../rest/problem.ts';
import { routeNotFound, routeRest } from '../rest/routes.ts';
import { serveApiDocs } from './api-docs.ts';
import { isExplorerPage, sendGraphQLError, serveExplorer, serveGraphQL } from './graphql-route.ts';
import { createMetrics } from './metrics.ts';
import { JSON_TYPE, sendJson, sendProblem } from './responses.ts';
import { API_SECURITY_HEADERS, applyCors, requestIdOf } from './security.ts';

export interface AppOptions {
  apiKeys: ApiKeyEntry[];
  corsOrigins: string[];
  requestTimeoutMs: number;
  graphqlExplorer: boolean;
}

export interface App {
  server: Server;
  /** Stops accepting connections, lets in-flight requests finish (up to `timeoutMs`), then closes them. */
  close(timeoutMs: number): Promise<void>;
}

const WWW_AUTHENTICATE = {
  missing: 'Bearer realm="database-connection-api"',
  invalid: 'Bearer realm="database-connection-api", error="invalid_token"',
};
const UNAUTHENTICATED_DETAIL = {
  missing: 'This API needs an API key: send it as Authorization: Bearer <key>.',
  invalid: 'The API key is not valid.',
};

export function createApp(service: ServiceContext, store: Store, options: AppOptions): App {
  const metrics = createMetrics();
  const yoga = createGraphQLServer(service, { explorer: options.graphqlExplorer, metrics });
  const idempotency = createIdempotency(service.prisma, service.secrets.keyring);
  const rest = createDatabaseConnectionHandlers(createOperationRunner(yoga), idempotency);
  const checkReadiness = createReadinessCheck(service.prisma, store);

  async function handle(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    log: Logger,
    who: { principal?: Principal },
  ) {
    if (url.pathname === '/health') return sendJson(response, 200, { status: 'ok' });
    // Like /health and /ready, for the platform: no API key (it shows counts, never data).
    if (url.pathname === '/metrics') {
      const text = await metrics.registry.metrics();
      response.writeHead(200, { 'content-type': metrics.registry.contentType });
      return response.end(text);
    }
    if (url.pathname === '/ready') {
      const readiness = await checkReadiness();
      const [status, body] = readiness.ready
        ? [200, { status: 'ready' }]
        : [503, { status: 'not_ready', reason: readiness.reason }];
      return sendJson(response, status, body, JSON_TYPE);
    }
    // The API reference is public, like the GraphiQL page: it describes the API, it holds no data.
    if ((request.method === 'GET' || request.method === 'HEAD') && serveApiDocs(url.pathname, response)) return;
    const isGraphQL = url.pathname === GRAPHQL_PATH;
    if (!isGraphQL && url.pathname !== '/api' && !url.pathname.startsWith('/api/')) throw routeNotFound(url.pathname);
    if (isGraphQL && isExplorerPage(request)) {
      if (!options.graphqlExplorer) throw routeNotFound(url.pathname);
      return serveExplorer(response);
    }

    const authentication = authenticate(request.headers.authorization, options.apiKeys);
    if ('failure' in authentication) {
      const headers = { 'www-authenticate': WWW_AUTHENTICATE[authentication.failure] };
      const detail = UNAUTHENTICATED_DETAIL[authentication.failure];
      if (isGraphQL) return sendGraphQLError(response, 401, 'UNAUTHENTICATED', detail, headers);
      throw new ProblemResponse(problem('unauthenticated', detail), headers);
    }
    const { principal } = authentication;
    who.principal = principal;

    if (isGraphQL) return serveGraphQL(yoga, request, response, url, { principal, logger: log });
    const caller = { principal, logger: log };
    const { status, body, headers } = await routeRest(rest, request, url, caller);
    return sendJson(response, status, body, headers);
  }

  // Responses in progress, so that shutdown can tell their clients not to keep the connection.
  const inFlight = new Set<ServerResponse>();
  let closing = false;
  const server = createServer(
    // Node checks for timed-out requests every connectionsCheckingInterval (30 s by default).
    {
      requestTimeout: options.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, options.requestTimeoutMs),
    },
    (request, response) => {
      const started = process.hrtime.bigint();
      const requestId = requestIdOf(request);
      const log = service.logger.child({ requestId });
      const url = new URL(request.url ?? '/', 'http://localhost');
      const who: { principal?: Principal } = {};
      inFlight.add(response);
      response.setHeader('x-request-id', requestId);
      for (const [name, value] of Object.entries(API_SECURITY_HEADERS)) response.setHeader(name, value);
      response.once('close', () => {
        inFlight.delete(response);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        metrics.observeRequest(request.method ?? 'GET', url.pathname, response.statusCode, seconds);
        log.info(
          {
            method: request.method,
            path: url.pathname,
            status: response.statusCode,
            ms: seconds * 1e3,
            apiKey: who.principal?.name,
          },
          'request',
        );
        // The connection may now be idle: let close() finish without waiting for keep-alive to time out.
        if (closing) setImmediate(() => server.closeIdleConnections());
      });
      if (applyCors(request, response, options.corsOrigins)) return;
      handle(request, response, url, log, who).catch((error) => {
        if (error instanceof ProblemResponse) return sendProblem(response, error.problem, url.pathname, error.headers);
        log.error({ err: error, method: request.method, path: url.pathname }, 'request failed');
        metrics.countDatabaseError(error);
        if (response.headersSent) return response.destroy();
        // A database call outside GraphQL (Idempotency-Key records) that found the database gone.
        if (isDatabaseUnavailable(error)) {
          const unavailable = databaseUnavailable();
          return sendProblem(response, unavailable.problem, url.pathname, unavailable.headers);
        }
        sendProblem(response, internalError(), url.pathname);
      });
    },
  );

  return {
    server,
    close(timeoutMs) {
      closing = true;
      for (const response of inFlight) if (!response.headersSent) response.setHeader('connection', 'close');
      return new Promise((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
