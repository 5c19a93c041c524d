/** Which REST handler a method and path reach. */
import type { IncomingMessage } from 'node:http';
import { DIALECT_NAMES, type DialectName } from '../dialects/registry.ts';
import type { createDatabaseConnectionHandlers, RestResponse } from './database-connections.ts';
import { COLLECTION_PATH } from './database-connections.ts';
import type { Caller } from './operations.ts';
import { ProblemResponse, problem } from './problem.ts';

const ITEM_PATH = new RegExp(`^${COLLECTION_PATH}/([^/]+)(?:/(test|schemas))?/?$`);
const URI_TEST_PATH = `${COLLECTION_PATH}/test`;

/** The REST route a path belongs to, its id written `{id}` as in the OpenAPI document; undefined for none. */
export function routeTemplate(pathname: string): string | undefined {
  const path = pathname.replace(/\/$/, '');
  if (path === COLLECTION_PATH || path === URI_TEST_PATH) return path;
  const [, item, action] = ITEM_PATH.exec(pathname) ?? [];
  if (item === undefined) return undefined;
  return `${COLLECTION_PATH}/{id}${action ? `/${action}` : ''}`;
}

const methodNotAllowed = (allowed: string[]) =>
  new ProblemResponse(problem('method_not_allowed', `This path supports ${allowed.join(', ')}.`), {
    allow: allowed.join(', '),
  });

export const routeNotFound = (path: string) =>
  new ProblemResponse(problem('route_not_found', `There is no resource at ${path}.`));

const invalidParameter = (name: string, message: string) =>
  new ProblemResponse(
    problem('validation_failed', `The query parameter ${name} ${message}.`, {
      errors: [{ field: name, message }],
    }),
  );

function booleanParameter(url: URL, name: 'reveal' | 'test'): boolean {
  const value = url.searchParams.get(name);
  if (value === null || value === 'false') return false;
  if (value === 'true') return true;
  throw invalidParameter(name, 'must be true or false');
}

function dialectParameter(url: URL): DialectName | undefined {
  const value = url.searchParams.get('dialect');
  if (value === null) return undefined;
  if ((DIALECT_NAMES as readonly string[]).includes(value)) return value as DialectName;
  throw invalidParameter('dialect', `must be one of ${DIALECT_NAMES.join(', ')}`);
}

export async function routeRest(
  handlers: ReturnType<typeof createDatabaseConnectionHandlers>,
  request: IncomingMessage,
  url: URL,
  caller: Caller,
): Promise<RestResponse> {
  const method = request.method ?? 'GET';
  const path = url.pathname.replace(/\/$/, '');
  if (path === COLLECTION_PATH) {
    if (method === 'GET' || method === 'HEAD') return handlers.list(caller, dialectParameter(url));
    if (method === 'POST') return handlers.create(caller, request, booleanParameter(url, 'test'));
    throw methodNotAllowed(['GET', 'HEAD', 'POST']);
  }
  if (path === URI_TEST_PATH && method === 'POST') return handlers.testUri(caller, request);
  const [, item, action] = ITEM_PATH.exec(url.pathname) ?? [];
  if (item === undefined) throw routeNotFound(url.pathname);
  let id = item;
  try {
    id = decodeURIComponent(item);
  } catch {}
  if (action === 'test') {
    if (method === 'POST') return handlers.test(caller, id);
    throw methodNotAllowed(['POST']);
  }
  if (action === 'schemas') {
    if (method === 'GET' || method === 'HEAD') return handlers.schemas(caller, id);
    throw methodNotAllowed(['GET', 'HEAD']);
  }
  if (method === 'GET' || method === 'HEAD') return handlers.get(caller, id, booleanParameter(url, 'reveal'));
  if (method === 'PUT') return handlers.replace(caller, request, id, booleanParameter(url, 'test'));
  if (method === 'DELETE') return handlers.delete(caller, id, request.headers['if-match']);
  throw methodNotAllowed(['GET', 'HEAD', 'PUT', 'DELETE']);
}
