/**
 * The REST facade of ../shared/spec/database-connection-api.md. Each handler
 * runs one fixed GraphQL operation and maps its result to the REST shape and
 * status; the rules themselves live behind GraphQL.
 */

import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ErrorCode } from '../error-codes.ts';
import type { DialectName, HealthStatus } from '../graphql/entry.ts';
import { NotFoundError, principalKey } from '../graphql/entry.ts';
import type { FieldProblem } from '../validation.ts';
import type { RoutedRequest } from './body.ts';
import { type GraphQLConnection, maskSecrets, toRest } from './connection-fields.ts';
import { restFieldPath } from './connection-form.ts';
import { type Idempotency, idempotencyKeyOf } from './idempotency.ts';
import { type Caller, executeOperation, type OperationName, type RunOperation } from './operations.ts';
import { invalidInput, ProblemResponse, problem } from './problem.ts';
import { JsonStream, type RestResponse } from './response.ts';

export const COLLECTION_PATH = '/api/v1/database-connections';

/** The entity tag of a connection: its version, which every change raises. */
export const entityTag = (connection: GraphQLConnection) => `"${connection.version}"`;

/**
 * The version an If-Match header requires: none for no header or `*` (the write
 * then only needs the connection to exist), the version of a tag this API gave
 * (`"3"`), and 0, which no connection ever has, for anything else (a weak tag,
 * a list, a tag of another form or too large): such a header can never match.
 */
export function versionRequiredBy(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '*') return undefined;
  const version = Number(/^\s*"([1-9][0-9]{0,9})"\s*$/.exec(ifMatch)?.[1] ?? 0);
  // Versions are GraphQL Ints (32-bit): a larger one was never given, so it cannot match either.
  return version <= 2 ** 31 - 1 ? version : 0;
}

interface TestResult {
  ok: boolean;
  latencyMs: number;
  serverVersion: string | null;
  error: { code: string; message: string } | null;
}

/** A mutation's union: its success, or a typed error (the `Error` interface's fields). */
export interface MutationResult {
  result: Partial<TestResult> & {
    __typename: string;
    databaseConnection?: GraphQLConnection;
    code?: ErrorCode;
    message?: string;
    fieldErrors?: FieldProblem[];
    reason?: { code: string; message: string };
  };
}

const toRestTestResult = (result: TestResult) => ({
  ok: result.ok,
  latency_ms: result.latencyMs,
  server_version: result.serverVersion,
  error: result.error,
});

/**
 * How much of the streamed REST list is read at a time: pages of about a megabyte of JSON, their
 * row count following the size of the rows (10 to 1,000, starting at 100), so that small rows go in
 * pages of 1,000, the fastest. A page is written in chunks of about LIST_CHUNK_BYTES, each under
 * V8's large-object size, so the young generation collects them, and few enough that the socket
 * writes stay few. Three clients reading lists of 740 MB (rows of 60 KB), Node.js 20: peak RSS
 * 491 MB with a page written as one string, 387 MB row by row, 384 MB in chunks
 * (test/list-stream.test.ts); the list of 10,000 at 0.64× the baseline row by row, 0.78× in chunks
 * (npm run bench).
 */
const LIST_PAGE_BYTES = 1024 * 1024;
const LIST_CHUNK_BYTES = 32 * 1024;
const LIST_PAGE_ROWS = { first: 100, min: 10, max: 1_000 };

interface ListPage {
  page: { edges: { node: GraphQLConnection }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

/**
 * REST returns every connection: page through the GraphQL connection with keyset cursors and
 * stream each page as JSON text, reading the next only when the client has taken the last, so
 * memory holds a page or two per client, whatever the length of the list.
 */
async function* listChunks(
  firstPage: ListPage['page'],
  pageAfter: (after: string | null, first: number) => Promise<ListPage['page']>,
) {
  let page = firstPage;
  let separator = '[';
  for (;;) {
    let bytes = 0;
    let chunk = '';
    for (const edge of page.edges) {
      const text = JSON.stringify(toRest(edge.node));
      bytes += text.length;
      chunk += separator + text;
      separator = ',';
      if (chunk.length >= LIST_CHUNK_BYTES) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
    if (!page.pageInfo.hasNextPage) break;
    // A turn of the event loop between pages: while the client takes each write at once (a fast
    // reader), the stream and the store's reads go on in promises alone and no other request would
    // be read until the list ends (a request to /health waited 1–4 s behind one list of 740 MB, and
    // under load other clients' requests passed REQUEST_TIMEOUT_MS: 408).
    await nextTurn();
    // As many rows as make about LIST_PAGE_BYTES, judging by the rows just sent.
    const rows = Math.round((page.edges.length * LIST_PAGE_BYTES) / Math.max(bytes, 1));
    page = await pageAfter(page.pageInfo.endCursor, Math.min(LIST_PAGE_ROWS.max, Math.max(LIST_PAGE_ROWS.min, rows)));
  }
  yield separator === '[' ? '[]' : ']';
}

/** A create, answered 201 with its Location; with an Idempotency-Key, a retry answers the first response and creates nothing new. */
async function createOnce(
  idempotency: Idempotency,
  caller: Caller,
  { request, testConnection }: { request: RoutedRequest; testConnection: boolean },
  mutation: () => Promise<RestResponse>,
): Promise<RestResponse> {
  const key = idempotencyKeyOf(request);
  const createConnection = async () => {
    const response = await mutation();
    const { id } = response.body as { id: string };
    return { ...response, headers: { ...response.headers, location: `${COLLECTION_PATH}/${encodeURIComponent(id)}` } };
  };
  if (key === undefined) return createConnection();
  // Kept with its secrets masked, whatever MASK_SECRETS says: the record is stored as it is.
  const masked = (response: RestResponse) => ({
    ...response,
    body: maskSecrets(response.body as Record<string, unknown>),
  });
  return idempotency(
    principalKey(caller.principal),
    key,
    { body: request.body, testConnection },
    createConnection,
    masked,
  );
}

/** Runs a mutation and answers its success, or throws the problem its typed error maps to. */
async function mutation(
  run: RunOperation,
  { name, variables, caller }: { name: OperationName; variables: Record<string, unknown>; caller: Caller },
  status: number,
): Promise<RestResponse> {
  const { result } = await executeOperation<MutationResult>(run, name, variables, caller);
  const connection = result.databaseConnection;
  if (connection) return { status, body: toRest(connection), headers: { etag: entityTag(connection) } };
  if (result.__typename === 'ConnectionTestResult') return { status, body: toRestTestResult(result as TestResult) };
  throw typedErrorProblem(result);
}

/** What a list may be narrowed to: the query parameters, already checked. */
interface ListFilters {
  workspace?: string;
  dialect?: DialectName;
  health?: HealthStatus;
}

/** Every connection the caller sees, streamed page by page. */
async function listAll(run: RunOperation, caller: Caller, { workspace, dialect, health }: ListFilters) {
  const filter = {
    ...(workspace !== undefined && { workspace }),
    ...(dialect && { dialect: dialect.toUpperCase() }),
    ...(health && { health: health.toUpperCase() }),
  };
  const pageAfter = async (after: string | null, first: number) =>
    (await executeOperation<ListPage>(run, 'list', { first, after, filter }, caller)).page;
  // The first page before answering, so that a refusal (a scope, the database) keeps its status.
  const firstPage = await pageAfter(null, LIST_PAGE_ROWS.first);
  const chunks = Readable.from(listChunks(firstPage, pageAfter), { objectMode: false, highWaterMark: 1 });
  return { status: 200, body: new JsonStream(chunks) };
}

export function createDatabaseConnectionHandlers(run: RunOperation, idempotency: Idempotency) {
  const mutate = (name: OperationName, variables: Record<string, unknown>, caller: Caller, status = 200) =>
    mutation(run, { name, variables, caller }, status);

  return {
    /** The `?workspace=`, `?dialect=` and `?health=` query parameters, already checked. */
    list: (caller: Caller, filters: ListFilters): Promise<RestResponse> => listAll(run, caller, filters),

    /** `testConnection`: the `?test=true` query parameter. With an Idempotency-Key, a retry creates nothing new. */
    /** `request.input`: the body, its shape checked and its fields renamed (./routes.ts). */
    create: (caller: Caller, request: RoutedRequest, testConnection: boolean): Promise<RestResponse> =>
      createOnce(idempotency, caller, { request, testConnection }, () =>
        mutate('create', { input: request.input, testConnection }, caller, 201),
      ),

    async replace(caller: Caller, request: RoutedRequest, id: string, testConnection: boolean): Promise<RestResponse> {
      // PUT replaces the document: every field is sent, the defaults filling what the body left out.
      const { input } = request;
      const expectedVersion = versionRequiredBy(request.headers['if-match']);
      return mutate('update', { id, input, testConnection, expectedVersion }, caller);
    },

    async test(caller: Caller, id: string): Promise<RestResponse> {
      return mutate('testStored', { id }, caller);
    },

    /** Tests a URI before saving: the body holds `connection_uri`, and optionally `schemas` and the SSH and TLS settings. */
    async testUri(caller: Caller, { connectionUri, ...settings }: Record<string, unknown>): Promise<RestResponse> {
      return mutate('testUri', { uri: connectionUri, ...settings }, caller);
    },

    /** `ifMatch`: the If-Match header, to delete only the version the client read. */
    async delete(caller: Caller, id: string, ifMatch: string | undefined): Promise<RestResponse> {
      return mutate('delete', { id, expectedVersion: versionRequiredBy(ifMatch) }, caller);
    },
  };
}

/** Turns a typed GraphQL error into its REST problem. */
export function typedErrorProblem(
  error: MutationResult['result'],
  fieldName: (path: string) => string = restPath,
): ProblemResponse {
  const code = error.code ?? 'internal_error';
  if (code === 'validation_failed' || code === 'invalid_secret_reference') {
    const errors = (error.fieldErrors ?? []).map((problem) => ({ ...problem, field: fieldName(problem.field) }));
    return invalidInput(errors, undefined, code);
  }
  const detail = error.message ?? 'The request failed.';
  const extra = error.reason ? { reason: error.reason } : {};
  const headers: Record<string, string> = code === 'too_many_tests' ? { 'retry-after': '1' } : {};
  return new ProblemResponse(problem(code, detail, extra), headers);
}

/**
 * A field path of a GraphQL input or argument in REST names: `connectionUri[0]` →
 * `connection_uri[0]`; testConnectionUri's argument `uri` is the body's connection_uri too.
 */
const restPath = (path: string) => restFieldPath(path.replace(/^uri\b/, 'connectionUri'));

/** The 404 of a query that found nothing, worded as the mutations' NotFoundError. */
export function notFoundProblem(id: string) {
  const error = new NotFoundError(id);
  return problem(error.code, error.message);
}
