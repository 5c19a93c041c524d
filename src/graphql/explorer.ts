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

/** The first tab a newcomer sees: a query, a mutation and a subscription of this API, to run as they are. */
export const EXAMPLE_OPERATIONS = `# The Database Connection API. Run an operation with the ▶ button, or Ctrl-Enter.
# With API keys configured, add {"Authorization": "Bearer dcapi_…"} under Headers below.

query ListConnections {
  databaseConnections(first: 10) {
    totalCount
    edges {
      node { id alias dialect connectionUri schemas metadata createdAt version }
    }
  }
}

mutation CreateConnection {
  createDatabaseConnection(
    input: {
      alias: "warehouse"
      connectionUri: "postgresql://analyst:secret@db.internal:5432/warehouse"
      schemas: ["public"]
      metadata: { team: "data" }
    }
  ) {
    __typename
    ... on CreateDatabaseConnectionSuccess {
      databaseConnection { id alias connectionUri }
    }
    ... on ValidationError { fieldErrors { field message } }
    ... on Error { code message }
  }
}

# Runs until stopped: changes of connections as they happen, from any client or instance.
subscription WatchConnections {
  databaseConnectionEvents { action at connection { alias connectionUri } }
}
`;

let page: Promise<ExplorerPage> | undefined;

export function explorerPage(graphqlPath: string): Promise<ExplorerPage> {
  page ??= build(graphqlPath);
  return page;
}

async function build(graphqlPath: string): Promise<ExplorerPage> {
  const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
  const html = renderGraphiQL({
    title: 'Database Connection API',
    endpoint: graphqlPath,
    // Subscriptions go by Server-Sent Events as a GET, which must carry the CSRF header that Yoga's
    // CSRF prevention asks of requests a browser would send without a preflight.
    additionalHeaders: { 'x-graphql-yoga-csrf': 'graphiql' },
    // Yoga's GraphiQL opens on `query` (its own welcome text otherwise); the option is not in its types.
    ...({ query: EXAMPLE_OPERATIONS } as object),
  });
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
