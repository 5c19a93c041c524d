/**
 * Which browser pages may call: CORS lets the origins of CORS_ORIGINS read answers, and only this
 * service's own pages (the console, GraphiQL, the API reference) and those origins may change
 * anything. A page elsewhere can still send a request a browser does not preflight (a POST of
 * text/plain), without reading the answer: that request is refused before it runs.
 */
import type { FastifyRequest } from 'fastify';
import { ProblemResponse, problem } from '../rest/problem.ts';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** An origin CORS_ORIGINS lets read answers and change state (`*`: any). */
export const isCorsOrigin = (origin: string, corsOrigins: string[]) =>
  corsOrigins.includes(origin) || corsOrigins.includes('*');

/**
 * The page's origin names the host and port the request was sent to: browsers write both alike
 * (lower-case, the scheme's default port left out). `null`, or no URL, never does.
 */
function isOwnOrigin(origin: string, host: string | undefined) {
  if (host === undefined || !URL.canParse(origin)) return false;
  return new URL(origin).host === host.toLowerCase();
}

/**
 * 403 for a POST, PUT, PATCH or DELETE a page of another origin sent. Requests without an Origin are
 * not a browser's cross-origin ones (browsers send it on every such request) and pass.
 */
export function foreignOriginRefusal(request: FastifyRequest, corsOrigins: string[]): ProblemResponse | undefined {
  const { origin, host } = request.headers;
  if (!STATE_CHANGING.has(request.method) || origin === undefined) return undefined;
  if (isOwnOrigin(origin, host) || isCorsOrigin(origin, corsOrigins)) return undefined;
  return new ProblemResponse(
    problem(
      'origin_not_allowed',
      `A page of the origin ${JSON.stringify(origin.slice(0, 255))} may not change anything here: only this ` +
        "service's own pages and the origins listed in CORS_ORIGINS may.",
    ),
  );
}
