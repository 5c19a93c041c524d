/**
 * How the data of a route's declared GraphQL operation becomes its REST answer (./routes.ts): the
 * mapping helpers a read-only route names, so that it needs no handler of its own.
 */
import { ERROR_CODES, type ErrorCode } from '../error-codes.ts';
import type { RoutedRequest } from './body.ts';
import { ProblemResponse, problem } from './problem.ts';
import type { RestResponse } from './response.ts';

/** A route's answer from its operation's data (the fields the operation selects, by their names). */
export type Answer = (data: Record<string, unknown>, request: RoutedRequest) => RestResponse;

/**
 * What a read answers when its item is not there: the problem a function makes of the request, or
 * an error code, whose meaning in the catalogue of error codes is then the problem's detail.
 */
export type Missing = ErrorCode | ((request: RoutedRequest) => ProblemResponse);

const missingProblem = (missing: Missing, request: RoutedRequest) =>
  typeof missing === 'string'
    ? new ProblemResponse(problem(missing, ERROR_CODES[missing].description))
    : missing(request);

/** 200 with the list the operation answers at `field`, each item in REST's form. */
export const listAt =
  <Item>(field: string, toRest: (item: Item) => unknown): Answer =>
  (data) => ({ status: 200, body: (data[field] as Item[]).map(toRest) });

/**
 * 200 with the object the operation answers at `field`, in REST's form, with the headers `headersOf`
 * gives it; when it is null (none, or none the caller may see), the problem of `missing`.
 */
export const itemAt =
  <Item>(
    field: string,
    toRest: (item: Item) => unknown,
    missing: Missing,
    headersOf?: (item: Item) => Record<string, string>,
  ): Answer =>
  (data, request) => {
    const item = data[field] as Item | null;
    if (item === null || item === undefined) throw missingProblem(missing, request);
    return { status: 200, body: toRest(item), ...(headersOf && { headers: headersOf(item) }) };
  };

/**
 * 200 with the item of the list the operation answers at `field` whose `key` is the path's parameter
 * of that name (a workspace by its name), in REST's form; none in the list: the problem of `missing`.
 */
export const listItemAt =
  <Item extends object>(
    field: string,
    key: keyof RoutedRequest['params'],
    toRest: (item: Item) => unknown,
    missing: Missing,
  ): Answer =>
  (data, request) => {
    const item = (data[field] as Item[]).find((each) => (each as Record<string, unknown>)[key] === request.params[key]);
    return itemAt(field, toRest, missing)({ [field]: item ?? null }, request);
  };
