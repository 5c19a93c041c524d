/** Request ids, and what the security plugins are told beyond their defaults. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** For API responses: nothing to cache (helmet's security headers are added to it in protection.ts). */
export const API_SECURITY_HEADERS: Record<string, string> = { 'cache-control': 'no-store' };

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's X-Request-Id when it is a sane token, else a new one; echoed on the response. */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

export const CORS_ALLOWED_HEADERS = ['authorization', 'content-type', 'x-request-id', 'if-match', 'idempotency-key'];
export const CORS_EXPOSED_HEADERS = [
  'location',
  'etag',
  'idempotent-replayed',
  'x-request-id',
  'www-authenticate',
  'allow',
  'retry-after',
];
