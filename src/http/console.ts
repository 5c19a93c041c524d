/**
 * The console, at /: the single-page app built from console/ into dist/console (by `npm run build`,
 * which `npm install` runs), its assets under /console/, and /console/settings.json, which tells it
 * how callers sign in. All public: they hold no data, which the console reads through /graphql.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import { sendFixedBody } from './compression.ts';
import { sendPage } from './pages.ts';

export const CONSOLE_PATH = '/';
const ASSETS_PATH = '/console/';

/** From src/http and from dist/http alike, the build is dist/console at the project's root. */
const BUILD = new URL('../../dist/console/', import.meta.url);

const BUILT_ASSET = /^assets\/[\w-]+(\.[\w-]+)*$/;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
};

export interface ConsoleSettings {
  /** The OpenID Connect provider the console signs in at, when CONSOLE_OIDC_CLIENT_ID is set. */
  oidc?: { issuer: string; clientId: string; scope: string; audience: string };
  /** Whether callers need a key or a token: false in local mode. */
  signIn: boolean;
}

/** Its own scripts and styles only; it talks to this origin, and to the provider when signing in. */
function contentSecurityPolicy({ oidc }: ConsoleSettings) {
  const provider = oidc ? ` ${new URL(oidc.issuer).origin}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${provider}`,
    "base-uri 'none'",
    `form-action 'self'${provider}`,
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The build's files, read on first request and kept (the whole build is a few hundred KB). */
const files = new Map<string, Promise<Buffer | undefined>>();
const fileOf = (path: string) => {
  const found = files.get(path) ?? readFile(new URL(path, BUILD)).catch(() => undefined);
  files.set(path, found);
  return found;
};

export function registerConsole(app: FastifyInstance, options: RouteShorthandOptions, settings: ConsoleSettings) {
  const policy = contentSecurityPolicy(settings);
  const page = async (reply: Parameters<typeof sendPage>[0]) => {
    const html = await fileOf('index.html');
    if (!html) return reply.callNotFound();
    return sendPage(reply, CONTENT_TYPES['.html'] as string, policy, html);
  };
  app.get(CONSOLE_PATH, options, (_request, reply) => page(reply));
  app.get(`${ASSETS_PATH}settings.json`, options, async () => settings);
  app.get(`${ASSETS_PATH}*`, options, async (request, reply) => {
    const path = (request.params as { '*': string })['*'];
    const type = CONTENT_TYPES[extname(path)];
    // Only the build's assets: one folder, plain names, nothing that could climb out of it.
    const body = type && BUILT_ASSET.test(path) ? await fileOf(path) : undefined;
    if (!body) return reply.callNotFound();
    // Built file names carry a hash of their content: they never change.
    return sendFixedBody(
      reply
        .headers({ 'content-security-policy': policy, 'cache-control': 'public, max-age=31536000, immutable' })
        .type(type as string),
      body,
    );
  });
}
