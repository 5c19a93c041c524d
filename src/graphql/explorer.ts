/**
 * The GraphiQL page, served from the npm package (no CDN), with a
 * Content-Security-Policy that allows its own inline script by hash and
 * nothing else. Built on first use: the page is 9 MB.
 */
import { createHash } from 'node:crypto';

export interface ExplorerPage {
  html: string;
  contentSecurityPolicy: string;
}

let page: Promise<ExplorerPage> | undefined;

export function explorerPage(graphqlPath: string): Promise<ExplorerPage> {
  page ??= build(graphqlPath);
  return page;
}

async function build(graphqlPath: string): Promise<ExplorerPage> {
  const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
  const html = renderGraphiQL({ title: 'Database Connection API', endpoint: graphqlPath });
  const scriptHashes = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    ([, script]) =>
      `'sha256-${createHash('sha256')
        .update(script ?? '')
        .digest('base64')}'`,
  );
  const contentSecurityPolicy = [
    "default-src 'none'",
    `script-src ${scriptHashes.join(' ')}`,
    // The editor injects style elements at run time.
    "style-src 'unsafe-inline'",
    // Its web workers are built from blobs by the inline script.
    'worker-src blob:',
    "connect-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, contentSecurityPolicy };
}
