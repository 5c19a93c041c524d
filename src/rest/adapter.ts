/**
 * The REST adapter as the HTTP layer takes it: every route's operation prepared against the schema
 * at start-up, and what answers a routed request, by the route's declared operation or its handler.
 */
import { parse } from 'graphql';
import type { Yoga } from '../graphql/entry.ts';
import { createAccessHandlers } from './access.ts';
import { createAuditEventHandlers } from './audit-events.ts';
import type { RoutedRequest } from './body.ts';
import { createDatabaseConnectionHandlers } from './database-connections.ts';
import { createIdempotency, type IdempotencyRecords } from './idempotency.ts';
import { type Caller, createOperationRunner, executeOperation } from './operations.ts';
import type { RestResponse } from './response.ts';
import { REST_ROUTES, type RestHandlers, type RestRoute } from './routes.ts';
import { createSchemaHistoryHandlers } from './schema-history.ts';

export type AnswerRoute = (route: RestRoute, caller: Caller, request: RoutedRequest) => Promise<RestResponse>;

/** The names of the variables an operation's text declares. */
const variableNames = (text: string) =>
  parse(text).definitions.flatMap((definition) =>
    'variableDefinitions' in definition
      ? (definition.variableDefinitions ?? []).map((variable) => variable.variable.name.value)
      : [],
  );

/** A declared operation's variables: the request's path and query parameters of the names it declares. */
function variablesOf(names: readonly string[], { params, parameters }: RoutedRequest) {
  const given: Record<string, unknown> = { ...params, ...parameters };
  return Object.fromEntries(names.filter((name) => given[name] !== undefined).map((name) => [name, given[name]]));
}

/** Throws at start-up if an operation does not fit the schema. */
export function createRestAdapter(yoga: Yoga, idempotencyRecords: IdempotencyRecords): AnswerRoute {
  const declared = REST_ROUTES.flatMap((route) => ('graphql' in route ? [route.graphql] : []));
  const run = createOperationRunner(yoga, declared);
  const variablesByOperation = new Map(declared.map((text) => [text, variableNames(text)]));
  const handlers: RestHandlers = {
    ...createDatabaseConnectionHandlers(run, createIdempotency(idempotencyRecords)),
    ...createAuditEventHandlers(run),
    ...createSchemaHistoryHandlers(run),
    ...createAccessHandlers(run),
  };
  return async (route, caller, request) => {
    if (!('graphql' in route)) return route.handle(handlers, caller, request);
    const variables = variablesOf(variablesByOperation.get(route.graphql) ?? [], request);
    const data = await executeOperation<Record<string, unknown>>(run, route.graphql, variables, caller);
    return route.answer(data, request);
  };
}
