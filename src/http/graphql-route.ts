/** Serving /graphql over node:http: the GraphiQL page, and GraphQL requests through Yoga. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestContext } from '../context.ts';
import { explorerPage } from '../graphql/explorer.ts';
import { GRAPHQL_PATH, type Yoga } from '../graphql/yoga.ts';
import { BodyTooLargeError, readBody } from './body.ts';
import { JSON_TYPE, sendJson, sendPage } from './responses.ts';

function fetchHeaders(yoga: Yoga, request: IncomingMessage): Headers {
  const headers = new yoga.fetchAPI.Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
  }
  return headers;
}

/** What a browser navigating to /graphql asks for. The page holds nothing secret, so it needs no key. */
export const isExplorerPage = (request: IncomingMessage) =>
  request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');

export async function serveExplorer(response: ServerResponse) {
  const page = await explorerPage(GRAPHQL_PATH);
  sendPage(response, 'text/html; charset=utf-8', page.contentSecurityPolicy, page.html);
}

/** A GraphQL error response outside execution (401, 413), shaped as GraphQL clients expect. */
export function sendGraphQLError(
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
) {
  sendJson(response, status, { errors: [{ message, extensions: { code } }] }, { ...headers, ...JSON_TYPE });
}

/** Runs the request through Yoga's fetch handler, having read the body here, within the size limit. */
export async function serveGraphQL(
  yoga: Yoga,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  context: RequestContext,
) {
  let body: Buffer | undefined;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    try {
      body = await readBody(request);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      return sendGraphQLError(response, 413, 'PAYLOAD_TOO_LARGE', error.message);
    }
  }
  // Yoga's own Fetch API (a lighter implementation than Node's global one) for the round trip.
  const answer = await yoga.fetch(
    new yoga.fetchAPI.Request(url.toString(), {
      method: request.method,
      headers: fetchHeaders(yoga, request),
      body: body && new Uint8Array(body),
    }),
    context,
  );
  response.writeHead(answer.status, Object.fromEntries(answer.headers));
  response.end(Buffer.from(await answer.arrayBuffer()));
}
