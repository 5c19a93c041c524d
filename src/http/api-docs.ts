/**
 * The REST API reference: the OpenAPI document at /api/v1/openapi.json, and a
 * Swagger UI page at /api/v1/docs, its assets served from the npm package (no
 * CDN) under a Content-Security-Policy that allows this origin's scripts only.
 */
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { OPENAPI_DOCUMENT } from '../rest/openapi.ts';
import { sendJson, sendPage } from './responses.ts';

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

const send = (response: ServerResponse, type: string, body: string | Buffer) =>
  sendPage(response, type, CONTENT_SECURITY_POLICY, body);

/** Answers the request when it is for the OpenAPI document or the reference page; false otherwise. */
export function serveApiDocs(pathname: string, response: ServerResponse): boolean {
  if (pathname === OPENAPI_PATH) {
    sendJson(response, 200, OPENAPI_DOCUMENT);
    return true;
  }
  if (pathname === DOCS_PATH || pathname === `${DOCS_PATH}/`) {
    send(response, 'text/html; charset=utf-8', PAGE);
    return true;
  }
  if (pathname === `${DOCS_PATH}/init.js`) {
    send(response, ASSETS['swagger-ui-bundle.js'] as string, INIT);
    return true;
  }
  const asset = pathname.startsWith(`${DOCS_PATH}/`) ? pathname.slice(DOCS_PATH.length + 1) : undefined;
  const type = asset === undefined ? undefined : ASSETS[asset];
  if (asset === undefined || type === undefined) return false;
  let body = assetCache.get(asset);
  if (!body) {
    body = readFileSync(join(assetFolder, asset));
    assetCache.set(asset, body);
  }
  send(response, type, body);
  return true;
}
