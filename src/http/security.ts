/** Response headers that every response carries, request ids, and CORS for an allow-list of origins. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** For API responses: nothing to render, embed or cache. */
export const API_SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's X-Request-Id when it is a sane token, else a new one; echoed on the response. */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

const CORS_METHODS = 'GET, HEAD, POST, PUT, DELETE';
const CORS_HEADERS = 'authorization, content-type, x-request-id, if-match, idempotency-key';

/**
 * CORS, closed unless an origin is on the allow-list. Returns true when it
 * answered the request itself (a preflight).
 */
export function applyCors(request: IncomingMessage, response: ServerResponse, allowedOrigins: string[]): boolean {
  const origin = request.headers.origin;
  const allowed = origin !== undefined && (allowedOrigins.includes(origin) || allowedOrigins.includes('*'));
  response.setHeader('vary', 'Origin');
  if (allowed) {
    response.setHeader('access-control-allow-origin', origin);
    response.setHeader(
      'access-control-expose-headers',
      'location, etag, idempotent-replayed, x-request-id, www-authenticate, allow',
    );
  }
  if (request.method !== 'OPTIONS' || !request.headers['access-control-request-method']) return false;
  if (allowed) {
    response.setHeader('access-control-allow-methods', CORS_METHODS);
    response.setHeader('access-control-allow-headers', CORS_HEADERS);
    response.setHeader('access-control-max-age', '600');
  }
  response.writeHead(204);
  response.end();
  return true;
}
