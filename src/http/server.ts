/**
 * The one HTTP server: GraphQL at /graphql, the REST facade under /api/v1,
 * and /health and /ready for the platform running the service. It
 * authenticates callers, names each request, and logs one line per request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type ApiKeyEntry, authenticate, type Principal } from '../auth/api-keys.ts';
import type { ServiceContext } from '../context.ts';
import { createReadinessCheck } from '../db/readiness.ts';
import type { Store } from '../db/store.ts';
import { explorerPage } from '../graphql/explorer.ts';
import { createGraphQLServer, GRAPHQL_PATH } from '../graphql/yoga.ts';
import type { Logger } from '../logger.ts';
import { createDatabaseConnectionHandlers } from '../rest/database-connections.ts';
import { createOperationRunner } from '../rest/operations.ts';
import { internalError, ProblemResponse, problem } from '../rest/problem.ts';
import { routeNotFound, routeRest } from '../rest/routes.ts';
import { BodyTooLargeError, readBody } from './body.ts';
import { sendJson, sendProblem } from './responses.ts';
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

function fetchHeaders(request: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
  }
  return headers;
}

/** A Fetch Request carrying the headers, for GraphQL plugins that look at the request. */
function fetchRequest(request: IncomingMessage, url: URL): Request {
  const method = request.method === 'GET' || request.method === 'HEAD' ? 'GET' : 'POST';
  return new Request(url, { method, headers: fetchHeaders(request) });
}

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

const WWW_AUTHENTICATE = {
  missing: 'Bearer realm="database-connection-api"',
  invalid: 'Bearer realm="database-connection-api", error="invalid_token"',
};
const UNAUTHENTICATED_DETAIL = {
  missing: 'This API needs an API key: send it as Authorization: Bearer <key>.',
  invalid: 'The API key is not valid.',
};

/** The GraphiQL page itself holds nothing secret; the requests it makes need a key like any other. */
const isExplorerPage = (request: IncomingMessage) =>
  request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');

export function createApp(service: ServiceContext, store: Store, options: AppOptions): App {
  const yoga = createGraphQLServer(service, { explorer: options.graphqlExplorer });
  const rest = createDatabaseConnectionHandlers(createOperationRunner(yoga));
  const checkReadiness = createReadinessCheck(service.prisma, store);

  async function handle(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    log: Logger,
    who: { principal?: Principal },
  ) {
    if (url.pathname === '/health') return sendJson(response, 200, { status: 'ok' });
    if (url.pathname === '/ready') {
      const readiness = await checkReadiness();
      return readiness.ready
        ? sendJson(response, 200, { status: 'ready' })
        : sendJson(
            response,
            503,
            { status: 'not_ready', reason: readiness.reason },
            { 'content-type': 'application/json' },
          );
    }
    const isGraphQL = url.pathname === GRAPHQL_PATH;
    if (!isGraphQL && url.pathname !== '/api' && !url.pathname.startsWith('/api/')) throw routeNotFound(url.pathname);

    const authentication =
      isGraphQL && isExplorerPage(request) ? undefined : authenticate(request.headers.authorization, options.apiKeys);
    if (authentication && 'failure' in authentication) {
      const headers = { 'www-authenticate': WWW_AUTHENTICATE[authentication.failure] };
      const detail = UNAUTHENTICATED_DETAIL[authentication.failure];
      if (!isGraphQL) throw new ProblemResponse(problem(401, 'unauthenticated', detail), headers);
      return sendJson(
        response,
        401,
        { errors: [{ message: detail, extensions: { code: 'UNAUTHENTICATED' } }] },
        {
          ...headers,
          'content-type': 'application/json; charset=utf-8',
        },
      );
    }
    const principal = authentication?.principal ?? { name: 'anonymous', scopes: new Set() };
    who.principal = principal;

    if (isGraphQL && isExplorerPage(request)) {
      if (!options.graphqlExplorer) throw routeNotFound(url.pathname);
      const page = await explorerPage(GRAPHQL_PATH);
      response.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': page.contentSecurityPolicy,
        'cache-control': 'no-cache',
      });
      return response.end(page.html);
    }
    if (isGraphQL) {
      // Through Yoga's fetch handler, so that the body is read here, within the size limit.
      const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
      let body: Buffer | undefined;
      try {
        body = hasBody ? await readBody(request) : undefined;
      } catch (error) {
        if (!(error instanceof BodyTooLargeError)) throw error;
        return sendJson(
          response,
          413,
          { errors: [{ message: error.message, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] },
          JSON_TYPE,
        );
      }
      const graphqlRequest = new Request(url, {
        method: request.method,
        headers: fetchHeaders(request),
        body: body === undefined ? undefined : new Uint8Array(body),
      });
      const answer = await yoga.fetch(graphqlRequest, { principal, logger: log });
      response.writeHead(answer.status, Object.fromEntries(answer.headers));
      return response.end(Buffer.from(await answer.arrayBuffer()));
    }
    const caller = { principal, logger: log, request: fetchRequest(request, url) };
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
        log.info(
          {
            method: request.method,
            path: url.pathname,
            status: response.statusCode,
            ms: Number(process.hrtime.bigint() - started) / 1e6,
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
        if (!response.headersSent) return sendProblem(response, internalError(), url.pathname);
        response.destroy();
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
