/**
 * The REST API reference: the OpenAPI document at /api/v1/openapi.json, and a
 * Swagger UI page at /api/v1/docs, its assets served from the npm package (no
 * CDN) under a Content-Security-Policy that allows this origin's scripts only.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import { OPENAPI_DOCUMENT } from '../rest/openapi.ts';
import { sendPage } from './pages.ts';

export const OPENAPI_PATH = '/api/v1/openapi.json';
export const DOCS_PATH = '/api/v1/docs';

const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  // Swagger UI sets style attributes at run time.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Database Connection API: REST reference</title>
  <link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
</head>
<body>
  <div id="docs"></div>
  <script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
  <script src="${DOCS_PATH}/init.js"></script>
</body>
</html>`;

const INIT = `window.ui = SwaggerUIBundle({ url: ${JSON.stringify(OPENAPI_PATH)}, dom_id: '#docs', deepLinking: true });`;

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};
const assetFolder = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
/** Read on first use: the bundle is about 1.5 MB. */
const assetCache = new Map<string, Buffer>();

/** Registers the OpenAPI document and the reference page with its assets, all public. */
export function registerApiDocs(app: FastifyInstance, options: RouteShorthandOptions) {
  app.get(OPENAPI_PATH, options, async () => OPENAPI_DOCUMENT);
  app.get(DOCS_PATH, options, async (_request, reply) =>
    sendPage(reply, 'text/html; charset=utf-8', CONTENT_SECURITY_POLICY, PAGE),
  );
  app.get(`${DOCS_PATH}/init.js`, options, async (_request, reply) =>
    sendPage(reply, ASSETS['swagger-ui-bundle.js'] as string, CONTENT_SECURITY_POLICY, INIT),
  );
  app.get<{ Params: { asset: string } }>(`${DOCS_PATH}/:asset`, options, async (request, reply) => {
    const { asset } = request.params;
    const type = Object.hasOwn(ASSETS, asset) ? ASSETS[asset] : undefined;
    if (type === undefined) return reply.callNotFound();
    let body = assetCache.get(asset);
    if (!body) {
      body = readFileSync(join(assetFolder, asset));
      assetCache.set(asset, body);
    }
    return sendPage(reply, type, CONTENT_SECURITY_POLICY, body);
  });
}
