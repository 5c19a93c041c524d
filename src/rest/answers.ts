/**
 * How the data of a route's declared GraphQL operation becomes its REST answer (./routes.ts): the
 * mapping helpers a read-only route names, so that it needs no handler of its own.
 */
import type { RoutedRequest } from './body.ts';
import type { ProblemResponse } from './problem.ts';
import type { RestResponse } from './response.ts';

/** A route's answer from its operation's data (the fields the operation selects, by their names). */
export type Answer = (data: Record<string, unknown>, request: RoutedRequest) => RestResponse;

/** 200 with the list the operation answers at `field`, each item in REST's form. */
export const listAt =
  <Item>(field: string, toRest: (item: Item) => unknown): Answer =>
  (data) => ({ status: 200, body: (data[field] as Item[]).map(toRest) });

/**
 * 200 with the object the operation answers at `field`, in REST's form, with the headers `headersOf`
 * gives it; when it is null (none, or none the caller may see) the problem `missing` makes.
 */
export const itemAt =
  <Item>(
    field: string,
    toRest: (item: Item) => unknown,
    missing: (request: RoutedRequest) => ProblemResponse,
    headersOf?: (item: Item) => Record<string, string>,
  ): Answer =>
  (data, request) => {
    const item = data[field] as Item | null;
    if (item === null || item === undefined) throw missing(request);
    return { status: 200, body: toRest(item), ...(headersOf && { headers: headersOf(item) }) };
  };
