/** What guards every response and every caller: security headers, CORS and the rate limit, from Fastify's plugins. */

import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { principalKey } from '../auth/api-keys.ts';
import { ProblemResponse, problem } from '../rest/problem.ts';
import type { HttpApp } from './fastify.ts';
import { CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS } from './security.ts';

export interface ProtectionOptions {
  /** Browser origins allowed to call the API; empty: none. */
  CORS_ORIGINS: string[];
  /** Requests per minute one API key (or, without keys, one client address) may make; 0: no limit. */
  RATE_LIMIT_PER_MINUTE: number;
}

export function protect(
  app: HttpApp,
  { CORS_ORIGINS: corsOrigins, RATE_LIMIT_PER_MINUTE: rateLimitPerMinute }: ProtectionOptions,
) {
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
      callback(null, origin !== undefined && (corsOrigins.includes(origin) || corsOrigins.includes('*'))),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: 600,
    strictPreflight: false,
  });
  if (rateLimitPerMinute > 0) {
    app.register(rateLimit, {
      // After authentication, so that each API key has its own budget.
      hook: 'preHandler',
      max: rateLimitPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request) => (request.principal ? `key:${principalKey(request.principal)}` : `ip:${request.ip}`),
      // What the plugin throws past the limit (having set Retry-After): our problem, answered as any other.
      errorResponseBuilder: (_request, context) =>
        new ProblemResponse(
          problem('too_many_requests', `Too many requests from this API key: at most ${context.max} a minute.`),
        ),
    });
  }
}
