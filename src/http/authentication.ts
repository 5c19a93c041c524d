/** Who is calling: every request to a path that holds data presents an API key (unless in local mode). */
import type { FastifyRequest } from 'fastify';
import type { Principal, Scope } from '../auth/api-keys.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import { GRAPHQL_PATH } from '../graphql/yoga.ts';
import { ProblemResponse, problem } from '../rest/problem.ts';
import { createFailureLimit } from './authentication-failures.ts';
import type { HttpApp } from './fastify.ts';
import { isExplorerPage } from './graphql-route.ts';
import { routedPathOf, sendRefusal } from './replies.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling, once authenticated. */
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Served without an API key: it shows no data (health, readiness, the API reference, GraphiQL). */
    public?: boolean;
    /** A route outside the API that needs a key with this scope (/metrics: its series name connections). */
    scope?: Scope;
  }
}

const WWW_AUTHENTICATE = {
  missing: 'Bearer realm="database-connection-api"',
  invalid: 'Bearer realm="database-connection-api", error="invalid_token"',
};
const UNAUTHENTICATED_DETAIL = {
  missing: 'This API needs an API key: send it as Authorization: Bearer <key>.',
  invalid: 'The API key or access token is not valid (unknown, revoked or expired).',
};

/** Paths that hold data, and need an API key (unknown paths under them too). */
const isApiPath = (path: string) => path === GRAPHQL_PATH || path === '/api' || path.startsWith('/api/');

const needsKey = (request: FastifyRequest) =>
  request.routeOptions.config.scope !== undefined ||
  (!request.routeOptions.config.public && isApiPath(routedPathOf(request)) && !isExplorerPage(request));

/** A refused key or token: 401, or 429 once its client address is past AUTH_FAILURES_PER_MINUTE. */
function unauthenticated(failure: 'missing' | 'invalid', retryAfterSeconds: number | undefined) {
  if (retryAfterSeconds !== undefined) {
    return new ProblemResponse(
      problem(
        'too_many_authentication_failures',
        'Too many requests from this address with a missing or invalid API key or token: ' +
          `retry in ${retryAfterSeconds} s, with a valid one.`,
      ),
      { 'retry-after': String(retryAfterSeconds) },
    );
  }
  return new ProblemResponse(problem('unauthenticated', UNAUTHENTICATED_DETAIL[failure]), {
    'www-authenticate': WWW_AUTHENTICATE[failure],
  });
}

/** Authenticates calls for data, limiting the failures of each client address (valid keys are never held back). */
export function authenticateRequests(
  app: HttpApp,
  authenticate: Authenticator,
  { AUTH_FAILURES_PER_MINUTE }: { AUTH_FAILURES_PER_MINUTE: number },
) {
  const failures = createFailureLimit(AUTH_FAILURES_PER_MINUTE);
  app.addHook('onRequest', async (request, reply) => {
    if (!needsKey(request)) return;
    const authentication = await authenticate(request.headers.authorization);
    if ('failure' in authentication) {
      return sendRefusal(reply, unauthenticated(authentication.failure, failures.fail(request.ip)));
    }
    request.principal = authentication.principal;
    const { scope } = request.routeOptions.config;
    if (scope !== undefined && !authentication.principal.access.scopes.has(scope)) {
      return sendRefusal(
        reply,
        new ProblemResponse(problem('forbidden', `This needs an API key with the scope ${scope}.`)),
      );
    }
  });
}
