/**
 * What guards every response and every caller: the request id and security headers, the names the
 * service answers to and the pages that may change state, CORS and the rate limit.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import helmet, { type HelmetOptions } from 'helmet';
import { principalKey } from '../auth/api-keys.ts';
import { ProblemResponse, problem } from '../rest/problem.ts';
import type { HttpApp } from './fastify.ts';
import { type HostOptions, hostChecker, misdirected } from './hosts.ts';
import { foreignOriginRefusal, isCorsOrigin } from './origins.ts';
import { sendRefusal } from './replies.ts';
import { API_SECURITY_HEADERS, CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS } from './security.ts';

export interface ProtectionOptions extends HostOptions {
  /** Browser origins allowed to call the API; empty: none. */
  CORS_ORIGINS: string[];
  /** Requests per minute one API key (or, without keys, one client address) may make; 0: no limit. */
  RATE_LIMIT_PER_MINUTE: number;
}

/** Helmet's security headers, as strict as an API's answers can be. */
const HELMET_OPTIONS: HelmetOptions = {
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
};

/**
 * The headers helmet sets for these options, computed once: they depend on nothing of the request,
 * and @fastify/helmet built helmet's middleware anew on every request (2% of the CPU of a cached read).
 */
function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number) => {
      headers[name.toLowerCase()] = String(value);
    },
    // X-Powered-By: nobody sets it here.
    removeHeader: () => {},
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}

/**
 * Before anything reads the request: a Host the service does not answer to (DNS rebinding) is 421,
 * a state-changing request from another origin's page 403; both on every path, public ones too.
 */
function refuseForeignRequests(app: HttpApp, options: ProtectionOptions) {
  const isServedHost = hostChecker(options);
  app.addHook('onRequest', async (request, reply) => {
    const { host } = request.headers;
    const refusal = isServedHost(host)
      ? foreignOriginRefusal(request, options.CORS_ORIGINS)
      : misdirected(host, options);
    if (refusal) return sendRefusal(reply, refusal);
  });
}

export function protect(app: HttpApp, options: ProtectionOptions) {
  const { CORS_ORIGINS: corsOrigins, RATE_LIMIT_PER_MINUTE: rateLimitPerMinute } = options;
  const securityHeaders = { ...helmetHeaders(HELMET_OPTIONS), ...API_SECURITY_HEADERS };
  // First, so that every answer carries them, the refusals below included.
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.headers(securityHeaders);
  });
  refuseForeignRequests(app, options);
  app.register(cors, {
    // Closed unless the origin is on the allow-list.
    origin: (origin, callback) => callback(null, origin !== undefined && isCorsOrigin(origin, corsOrigins)),
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
