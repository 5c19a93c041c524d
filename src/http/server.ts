/**
 * The one HTTP server: GraphQL at /graphql, the REST facade under /api/v1,
 * and /health and /ready for the platform running the service.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Context } from '../context.ts';
import { createReadinessCheck } from '../db/readiness.ts';
import type { Store } from '../db/store.ts';
import { createGraphQLServer, GRAPHQL_PATH } from '../graphql/yoga.ts';
import { COLLECTION_PATH, createDatabaseConnectionHandlers, type RestResponse } from '../rest/database-connections.ts';
import { createOperationRunner } from '../rest/operations.ts';
import { internalError, type Problem, ProblemResponse, problem } from '../rest/problem.ts';

const ITEM_PATH = new RegExp(`^${COLLECTION_PATH}/([^/]+)/?$`);

export interface App {
  server: Server;
  /** Stops accepting connections, lets in-flight requests finish (up to `timeoutMs`), then closes them. */
  close(timeoutMs: number): Promise<void>;
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const json = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': status >= 400 ? 'application/problem+json' : 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    ...headers,
  });
  response.end(json);
}

function sendProblem(response: ServerResponse, value: Problem, instance: string, headers: Record<string, string> = {}) {
  send(response, value.status, { ...value, instance }, headers);
}

const methodNotAllowed = (allowed: string[]) =>
  new ProblemResponse(problem(405, 'method_not_allowed', `This path supports ${allowed.join(', ')}.`), {
    allow: allowed.join(', '),
  });

/** A Fetch Request carrying the headers, for GraphQL plugins that look at the request. */
function fetchRequest(request: IncomingMessage, url: URL): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
  }
  return new Request(url, { method: request.method === 'GET' || request.method === 'HEAD' ? 'GET' : 'POST', headers });
}

export function createApp(context: Context, store: Store): App {
  const yoga = createGraphQLServer(context);
  const rest = createDatabaseConnectionHandlers(createOperationRunner(yoga));
  const { logger } = context;
  const checkReadiness = createReadinessCheck(context.prisma, store);

  async function routeApi(request: IncomingMessage, url: URL): Promise<RestResponse> {
    const method = request.method ?? 'GET';
    const asFetch = () => fetchRequest(request, url);
    const path = url.pathname.replace(/\/$/, '');
    if (path === COLLECTION_PATH) {
      if (method === 'GET' || method === 'HEAD') return rest.list(asFetch());
      if (method === 'POST') return rest.create(asFetch(), request);
      throw methodNotAllowed(['GET', 'HEAD', 'POST']);
    }
    const item = ITEM_PATH.exec(url.pathname);
    if (item?.[1]) {
      let id: string;
      try {
        id = decodeURIComponent(item[1]);
      } catch {
        id = item[1];
      }
      if (method === 'GET' || method === 'HEAD') return rest.get(asFetch(), id);
      if (method === 'PUT') return rest.replace(asFetch(), request, id);
      if (method === 'DELETE') return rest.delete(asFetch(), id);
      throw methodNotAllowed(['GET', 'HEAD', 'PUT', 'DELETE']);
    }
    throw new ProblemResponse(problem(404, 'route_not_found', `There is no resource at ${url.pathname}.`));
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', 'http://localhost');
    try {
      if (url.pathname === GRAPHQL_PATH) return await yoga.requestListener(request, response);
      if (url.pathname === '/health') return send(response, 200, { status: 'ok' });
      if (url.pathname === '/ready') {
        const readiness = await checkReadiness();
        return send(
          response,
          readiness.ready ? 200 : 503,
          readiness.ready ? { status: 'ready' } : { status: 'not_ready', reason: readiness.reason },
        );
      }
      if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
        const { status, body, headers } = await routeApi(request, url);
        return send(response, status, body, headers);
      }
      throw new ProblemResponse(problem(404, 'route_not_found', `There is no resource at ${url.pathname}.`));
    } catch (error) {
      if (error instanceof ProblemResponse) return sendProblem(response, error.problem, url.pathname, error.headers);
      logger.error({ err: error, method: request.method, path: url.pathname }, 'request failed');
      if (!response.headersSent) return sendProblem(response, internalError(), url.pathname);
      response.destroy();
    }
  }

  // Responses in progress, so that shutdown can tell their clients not to keep the connection.
  const inFlight = new Set<ServerResponse>();
  let closing = false;
  const server = createServer((request, response) => {
    inFlight.add(response);
    response.once('close', () => {
      inFlight.delete(response);
      // The connection may now be idle: let close() finish without waiting for keep-alive to time out.
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
    void handle(request, response);
  });

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
