/**
 * A Databricks workspace's SQL Statement Execution API 2.0, as Databricks documents it
 * (https://docs.databricks.com/api/workspace/statementexecution, and the tutorial
 * https://docs.databricks.com/en/dev-tools/sql-execution-tutorial.html) and as the official SDK
 * types it (@databricks/sdk-experimental, dist/apis/sql/model.d.ts: StatementResponse,
 * StatementStatus, ServiceError, ResultManifest, ResultData):
 *
 * - POST /api/2.0/sql/statements runs a statement on a SQL warehouse. A statement that outlasts
 *   `wait_timeout` (`0s`: answer at once) is answered in progress (PENDING, then RUNNING), then
 *   polled with GET /api/2.0/sql/statements/{id}; with `on_wait_timeout: CANCEL` it is canceled
 *   instead. POST …/{id}/cancel cancels one.
 * - A result comes in chunks: the statement's answer has the manifest (columns, every chunk) and
 *   chunk 0; each chunk but the last names the next (`next_chunk_index`, and
 *   `next_chunk_internal_link`, a path on the workspace's host), read with
 *   GET …/{id}/result/chunks/{n}. In JSON_ARRAY every value is a string, NULL is null.
 * - A statement that fails is HTTP 200 with `status.state` FAILED and `status.error`: an
 *   `error_code` from the API's fixed list (ServiceErrorCode: BAD_REQUEST, NOT_FOUND, …) and the
 *   error class in brackets at the head of `message` (https://docs.databricks.com/en/error-messages/).
 * - A request the API refuses is an HTTP error with the REST API's body `{error_code, message}`
 *   (parsed by the SDK's dist/apierr.js).
 *
 * Its answers are read by the official client in test/vendors/databricks.test.ts: a stand-in that
 * client cannot read is a broken stand-in.
 */
import { randomUUID } from 'node:crypto';
import { type Answer, answerSql, type Handler, type Received, WAREHOUSE, type Warehouse } from './server.ts';

export const DATABRICKS_VERSION = '2025.35';

/** The personal access token that works, and one that has expired. */
export const DATABRICKS_TOKEN = 'dapi-good';
export const EXPIRED_TOKEN = 'dapi-expired';

/** The one SQL warehouse of the workspace. */
export const WAREHOUSE_ID = 'abc123';

export interface DatabricksOptions {
  /** Rows in a chunk (Databricks cuts results by size; a small chunk makes every test read several). */
  chunkRows?: number;
  /** Answers in progress (PENDING, then RUNNING) each statement gives before its outcome. */
  inProgress?: number;
  /** The catalog `main`'s schemas, tables and columns: the one small warehouse unless given. */
  warehouse?: Warehouse;
  /**
   * Statements the token's user may not run: they fail INSUFFICIENT_PERMISSIONS (none unless
   * given). Read at each statement: a test may change it on the options it gave.
   */
  refuse?: RegExp;
}

type Settings = Required<Omit<DatabricksOptions, 'refuse'>> & { refused(statement: string): boolean };

/** The catalogs: `main` holds the warehouse and is the default; `secret` exists, but the token's user may not use it. */
const MAIN_CATALOG = 'main';
const DENIED_CATALOG = 'secret';

interface ServiceError {
  error_code: string;
  message: string;
  sql_state: string;
}

interface Statement {
  id: string;
  /** In-progress answers still to give; the first given is PENDING, the others RUNNING. */
  inProgress: number;
  answered: number;
  canceled: boolean;
  failure?: ServiceError;
  columns: string[];
  chunks: (string | null)[][][];
  chunkRows: number;
}

/**
 * A refusal of the REST API: the status, the body `{error_code, message}` and the reason phrase
 * header, as the workspace answers (a token it does not know: 403 with `error_code` 403 as a number,
 * recorded in databricks/databricks-sdk-go#946, #992 and #1317). The codes and their statuses are
 * those of the API's specification, as the SDKs generate them from it (databricks-sdk-py,
 * databricks/sdk/errors/platform.py): BAD_REQUEST and INVALID_PARAMETER_VALUE 400, NOT_FOUND and
 * RESOURCE_DOES_NOT_EXIST 404; the words of each are the stand-in's, unless cited where it is used.
 */
const refusal = (status: number, error_code: string | number, message: string, headers = {}): Answer => ({
  status,
  body: { error_code, message },
  headers: { 'x-databricks-reason-phrase': message, ...headers },
});

/**
 * Every request carries the token as `Authorization: Bearer`: none is 401 with the realm's
 * challenge (databricks/databricks-sdk-go#1158, whose Content-Length, 98, is this body's), an
 * expired one 401 "Token is expired" (databrickslabs/splunk-integration#55), any other 403
 * "Invalid access token." (Content-Length 52 in the issues above: this body's too).
 */
function unauthenticated(request: Received): Answer | undefined {
  const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
  if (token === DATABRICKS_TOKEN) return undefined;
  if (token === undefined) {
    return refusal(401, 401, 'Credential was not sent or was of an unsupported type for this API.', {
      'www-authenticate': 'Bearer realm="DatabricksRealm"',
    });
  }
  if (token === EXPIRED_TOKEN) return refusal(401, 401, 'Token is expired.');
  return refusal(403, 403, 'Invalid access token.');
}

/** A failure as `status.error` carries it, with its error condition's words (docs.databricks.com/en/error-messages). */
const failure = (errorClass: string, words: string, sql_state: string): ServiceError => ({
  error_code: 'BAD_REQUEST',
  message: `[${errorClass}] ${words} SQLSTATE: ${sql_state}`,
  sql_state,
});

/** What the warehouse says of the session's catalog and schema (the request's `catalog`, `schema`) before it runs anything. */
function sessionFailure(catalog: string, schema: string | undefined, warehouse: Warehouse): ServiceError | undefined {
  const quoted = (...names: string[]) => names.map((name) => `\`${name}\``).join('.');
  if (catalog === DENIED_CATALOG) {
    const words = `Insufficient privileges: User does not have USE CATALOG on Catalog '${catalog}'.`;
    return failure('INSUFFICIENT_PERMISSIONS', words, '42501');
  }
  if (catalog !== MAIN_CATALOG) {
    const words = `Catalog '${catalog}' was not found. Please verify the catalog name and then retry the query or command again.`;
    return failure('NO_SUCH_CATALOG_EXCEPTION', words, '42704');
  }
  if (schema !== undefined && !warehouse.schemas.includes(schema)) {
    const words = `The schema ${quoted(catalog, schema)} cannot be found. Verify the spelling and correctness of the schema and catalog.`;
    return failure('SCHEMA_NOT_FOUND', words, '42704');
  }
  return undefined;
}

/** A statement as the warehouse takes it: what fails, or its columns and its rows in chunks. */
function prepared(body: Record<string, unknown>, options: Settings): Statement {
  const catalog = typeof body.catalog === 'string' ? body.catalog : MAIN_CATALOG;
  const schema = typeof body.schema === 'string' ? body.schema : undefined;
  const statement = String(body.statement);
  const failed =
    sessionFailure(catalog, schema, options.warehouse) ??
    (options.refused(statement)
      ? failure('INSUFFICIENT_PERMISSIONS', 'Insufficient privileges: User does not have SELECT on the view.', '42501')
      : undefined);
  const answer = failed ? undefined : answerSql(statement, DATABRICKS_VERSION, options.warehouse);
  const rows = (answer?.rows ?? []).map((row) => row.map((value) => (value == null ? null : String(value))));
  const { chunkRows } = options;
  return {
    id: randomUUID(),
    inProgress: options.inProgress,
    answered: 0,
    canceled: false,
    failure:
      failed ??
      (answer ? undefined : failure('PARSE_SYNTAX_ERROR', "Syntax error at or near 'the stand-in'.", '42601')),
    columns: answer?.columns ?? [],
    chunks: Array.from({ length: Math.ceil(rows.length / chunkRows) }, (_, i) =>
      rows.slice(i * chunkRows, (i + 1) * chunkRows),
    ),
    chunkRows,
  };
}

/** Chunk `index` as ResultData: its rows, and the next chunk's index and link when there is one. */
function chunkOf(statement: Statement, index: number) {
  const rows = statement.chunks[index] ?? [];
  const next = index + 1 < statement.chunks.length ? index + 1 : undefined;
  return {
    chunk_index: index,
    row_offset: index * statement.chunkRows,
    row_count: rows.length,
    data_array: rows,
    ...(next !== undefined && {
      next_chunk_index: next,
      next_chunk_internal_link: `/api/2.0/sql/statements/${statement.id}/result/chunks/${next}`,
    }),
  };
}

/** The manifest: the columns (as text: the stand-in types nothing), every chunk, the totals. */
function manifestOf(statement: Statement) {
  return {
    format: 'JSON_ARRAY',
    schema: {
      column_count: statement.columns.length,
      columns: statement.columns.map((name, position) => ({
        name,
        type_text: 'STRING',
        type_name: 'STRING',
        position,
      })),
    },
    total_chunk_count: statement.chunks.length,
    chunks: statement.chunks.map((rows, index) => ({
      chunk_index: index,
      row_offset: index * statement.chunkRows,
      row_count: rows.length,
    })),
    total_row_count: statement.chunks.reduce((sum, rows) => sum + rows.length, 0),
    truncated: false,
  };
}

/** The StatementResponse for the statement's state now: in progress, canceled, failed, or its result's first chunk. */
function responseOf(statement: Statement) {
  const head = { statement_id: statement.id };
  if (statement.canceled) return { ...head, status: { state: 'CANCELED' } };
  if (statement.inProgress > 0) {
    statement.inProgress--;
    return { ...head, status: { state: statement.answered++ === 0 ? 'PENDING' : 'RUNNING' } };
  }
  if (statement.failure) {
    const { sql_state, ...error } = statement.failure;
    return { ...head, status: { state: 'FAILED', error, sql_state } };
  }
  return {
    ...head,
    status: { state: 'SUCCEEDED' },
    manifest: manifestOf(statement),
    ...(statement.chunks.length > 0 && { result: chunkOf(statement, 0) }),
  };
}

/** POST /api/2.0/sql/statements: the warehouse must exist; the statement runs, and is answered as its wait ends. */
function execute(request: Received, statements: Map<string, Statement>, options: Settings): Answer {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(request.body);
  } catch {
    // The REST API's code for a body it cannot read, in its words (recorded in databricks/databricks-sdk-go#1105).
    return refusal(400, 'MALFORMED_REQUEST', 'Cannot parse request body');
  }
  if (body.warehouse_id !== WAREHOUSE_ID) {
    // The REST API's code for a resource that does not exist (404 RESOURCE_DOES_NOT_EXIST); its words are the stand-in's.
    return refusal(404, 'RESOURCE_DOES_NOT_EXIST', `SQL warehouse ${String(body.warehouse_id)} does not exist.`);
  }
  if (typeof body.statement !== 'string') return refusal(400, 'INVALID_PARAMETER_VALUE', 'statement is required.');
  const statement = prepared(body, options);
  statements.set(statement.id, statement);
  // Asynchronous: answered at once, in progress. A statement still running when a wait ends is canceled if asked.
  if (body.wait_timeout === '0s') statement.inProgress = Math.max(statement.inProgress, 1);
  else if (statement.inProgress > 0 && body.on_wait_timeout === 'CANCEL') statement.canceled = true;
  return { body: responseOf(statement) };
}

/** GET …/{id}, GET …/{id}/result/chunks/{n}, POST …/{id}/cancel. */
function follow(request: Received, path: string, statements: Map<string, Statement>): Answer {
  const match = /^\/api\/2\.0\/sql\/statements\/([^/]+)(?:\/(cancel)|\/result\/chunks\/(\d+))?$/.exec(path);
  // A path the API does not have, in the workspace's words (recorded in databricks/databricks-cli#383).
  if (!match) return refusal(404, 'ENDPOINT_NOT_FOUND', `No API found for '${request.method} ${path}'`);
  const [, id = '', cancel, chunk] = match;
  const statement = statements.get(id);
  // A statement the warehouse does not hold (any more: 12 hours after it ended) is 404.
  if (!statement) return refusal(404, 'NOT_FOUND', `The statement ${id} was not found.`);
  if (cancel && request.method === 'POST') {
    statement.canceled = true;
    return { body: {} };
  }
  if (request.method !== 'GET')
    return refusal(404, 'ENDPOINT_NOT_FOUND', `No API found for '${request.method} ${path}'`);
  if (chunk === undefined) return { body: responseOf(statement) };
  if (statement.canceled || statement.inProgress > 0 || statement.failure)
    return refusal(400, 'BAD_REQUEST', `The statement ${id} has no result to fetch.`);
  const index = Number(chunk);
  if (index >= statement.chunks.length)
    return refusal(400, 'INVALID_PARAMETER_VALUE', `chunk_index ${index} is out of range.`);
  return { body: chunkOf(statement, index) };
}

/** A workspace with one warehouse (WAREHOUSE_ID) and the catalog `main`, reached with DATABRICKS_TOKEN. */
export function databricksHandler(options: DatabricksOptions = {}): Handler {
  const settings: Settings = {
    chunkRows: 2,
    inProgress: 0,
    warehouse: WAREHOUSE,
    ...options,
    refused: (statement) => options.refuse?.test(statement) ?? false,
  };
  const statements = new Map<string, Statement>();
  return (request) => {
    const refused = unauthenticated(request);
    if (refused) return refused;
    const path = new URL(request.path, 'https://workspace').pathname;
    if (request.method === 'POST' && path === '/api/2.0/sql/statements') return execute(request, statements, settings);
    return follow(request, path, statements);
  };
}
