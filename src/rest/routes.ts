/**
 * The REST routes, one entry each: method, path (`:id` for the connection id)
 * and the handler it calls with the request's parts. The HTTP layer registers
 * them; the OpenAPI document describes the same paths.
 */
import { DIALECT_NAMES, type DialectName } from '../dialects/registry.ts';
import type { RestRequest } from './body.ts';
import type { createDatabaseConnectionHandlers } from './database-connections.ts';
import { COLLECTION_PATH } from './database-connections.ts';
import type { Caller } from './operations.ts';
import { ProblemResponse, problem } from './problem.ts';
import type { RestResponse } from './response.ts';

export type RestHandlers = ReturnType<typeof createDatabaseConnectionHandlers>;

/** A request as the routes read it: headers, parsed body, path parameters and query. */
export interface RoutedRequest extends RestRequest {
  params: { id?: string };
  query: Record<string, string | string[] | undefined>;
}

export interface RestRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  handle(handlers: RestHandlers, caller: Caller, request: RoutedRequest): Promise<RestResponse>;
}

const ITEM_PATH = `${COLLECTION_PATH}/:id`;

const invalidParameter = (name: string, message: string) =>
  new ProblemResponse(
    problem('validation_failed', `The query parameter ${name} ${message}.`, {
      errors: [{ field: name, message }],
    }),
  );

function booleanParameter(request: RoutedRequest, name: 'reveal' | 'test'): boolean {
  const value = request.query[name];
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw invalidParameter(name, 'must be true or false');
}

function dialectParameter(request: RoutedRequest): DialectName | undefined {
  const value = request.query.dialect;
  if (value === undefined) return undefined;
  if ((DIALECT_NAMES as readonly unknown[]).includes(value)) return value as DialectName;
  throw invalidParameter('dialect', `must be one of ${DIALECT_NAMES.join(', ')}`);
}

const idOf = (request: RoutedRequest) => request.params.id ?? '';

export const REST_ROUTES: RestRoute[] = [
  {
    method: 'GET',
    path: COLLECTION_PATH,
    handle: (rest, caller, request) => rest.list(caller, dialectParameter(request)),
  },
  {
    method: 'POST',
    path: COLLECTION_PATH,
    handle: (rest, caller, request) => rest.create(caller, request, booleanParameter(request, 'test')),
  },
  { method: 'POST', path: `${COLLECTION_PATH}/test`, handle: (rest, caller, request) => rest.testUri(caller, request) },
  {
    method: 'GET',
    path: ITEM_PATH,
    handle: (rest, caller, request) => rest.get(caller, idOf(request), booleanParameter(request, 'reveal')),
  },
  {
    method: 'PUT',
    path: ITEM_PATH,
    handle: (rest, caller, request) => rest.replace(caller, request, idOf(request), booleanParameter(request, 'test')),
  },
  {
    method: 'DELETE',
    path: ITEM_PATH,
    handle: (rest, caller, request) => rest.delete(caller, idOf(request), request.headers['if-match']),
  },
  { method: 'POST', path: `${ITEM_PATH}/test`, handle: (rest, caller, request) => rest.test(caller, idOf(request)) },
  {
    method: 'GET',
    path: `${ITEM_PATH}/schemas`,
    handle: (rest, caller, request) => rest.schemas(caller, idOf(request)),
  },
];

/** A route's path as the OpenAPI document and the metrics write it: `:id` → `{id}`. */
export const templateOf = (path: string) => path.replace(/:(\w+)/g, '{$1}');

export const methodNotAllowed = (allowed: string[]) =>
  new ProblemResponse(problem('method_not_allowed', `This path supports ${allowed.join(', ')}.`), {
    allow: allowed.join(', '),
  });

export const routeNotFound = (path: string) =>
  new ProblemResponse(problem('route_not_found', `There is no resource at ${path}.`));
