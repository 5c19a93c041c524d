/**
 * Databricks SQL warehouses over the Statement Execution API 2.0 (POST /api/2.0/sql/statements),
 * with a personal access token: databricks://token:<token>@<workspace host>?http_path=/sql/1.0/warehouses/<id>&catalog=…&schema=….
 * A statement still running when its wait ends is polled (GET …/{id}) until it ends, and canceled
 * when the timeout passes; its result is read chunk by chunk (`next_chunk_internal_link`). The
 * REST API needs nothing beyond Node.js: @databricks/sql speaks Thrift, and the SDK
 * (@databricks/sdk-experimental) opens its own connections past the network guard.
 */
import type { TestFailureCode } from '../errors.ts';
import { authorityOf } from '../target.ts';
import { type Driver, DriverFailure } from './driver.ts';
import { HttpError, type HttpOptions, requestJson } from './http.ts';
import { type Catalog, informationSchema, informationSchemaComments, rowsOf, sqlList, sqlSession } from './sql.ts';

/** ResultData: a chunk's rows, and the path of the next chunk when there is one. */
interface ResultChunk {
  data_array?: unknown[][];
  next_chunk_internal_link?: string;
}

/** StatementResponse, as far as it is read. */
interface StatementAnswer {
  statement_id?: string;
  status?: { state?: string; error?: { error_code?: string; message?: string } };
  manifest?: { schema?: { columns?: { name: string }[] } };
  result?: ResultChunk;
}

const STATEMENTS = '/api/2.0/sql/statements';

/** How this service names itself to Databricks (its query history shows the user agent). */
const CLIENT_NAME = 'database-connection-api';

/** Between two polls of a statement in progress, as Databricks' own Python connector waits. */
const POLL_INTERVAL_MS = 200;

/**
 * The error conditions a test tells apart. A failed statement's `error_code` is one of the API's
 * fixed codes (BAD_REQUEST, NOT_FOUND, …); its condition is in brackets at the head of the message:
 * `[NO_SUCH_CATALOG_EXCEPTION] Catalog 'x' was not found. …` (docs.databricks.com/en/error-messages).
 */
const ERROR_CONDITIONS: Record<string, TestFailureCode> = {
  NO_SUCH_CATALOG_EXCEPTION: 'database_not_found',
  SCHEMA_NOT_FOUND: 'unknown_schema',
  INSUFFICIENT_PERMISSIONS: 'permission_denied',
};

/** A statement that ended otherwise than SUCCEEDED. */
function statementFailure(status: StatementAnswer['status']): Error {
  if (status?.state !== 'FAILED') return new Error(`the statement ended ${status?.state ?? 'without a state'}`);
  const message = status.error?.message ?? 'the statement failed';
  const condition = /^\[([A-Z0-9_]+)[\].]/.exec(message)?.[1];
  const failure = condition && ERROR_CONDITIONS[condition];
  return failure
    ? new DriverFailure(failure, message)
    : new Error(`${status.error?.error_code ?? 'FAILED'}: ${message}`);
}

/**
 * The API's refusals: 401/403 for the token (expired said as such), and for the statement's POST a
 * warehouse that does not exist (404, RESOURCE_DOES_NOT_EXIST).
 */
function classify(error: unknown, posting: boolean): unknown {
  if (!(error instanceof HttpError)) return error;
  const body = error.json<{ error_code?: string | number; message?: string }>();
  const message = body?.message ?? error.message;
  if ((error.status === 401 || error.status === 403) && /expired/i.test(message))
    return new DriverFailure('token_expired', message);
  if (error.status === 401 || (error.status === 403 && /token/i.test(message)))
    return new DriverFailure('authentication_failed', message);
  if (error.status === 403) return new DriverFailure('permission_denied', message);
  if (posting && (error.status === 404 || body?.error_code === 'RESOURCE_DOES_NOT_EXIST'))
    return new DriverFailure('warehouse_not_found', message);
  return error;
}

function warehouseOf(httpPath: string | null): string {
  const warehouse = /^\/sql\/1\.0\/(?:warehouses|endpoints)\/([^/]+)$/.exec(httpPath ?? '')?.[1];
  if (!warehouse) {
    throw new DriverFailure('warehouse_not_found', 'http_path must name a SQL warehouse: /sql/1.0/warehouses/<id>');
  }
  return warehouse;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The statement's id, as a path segment; anything else is not the API's. */
function idOf(answer: StatementAnswer): string {
  const id = answer.statement_id ?? '';
  if (!/^[\w-]+$/.test(id)) throw new DriverFailure('connection_failed', 'the warehouse answered with no statement id');
  return id;
}

/** Requests to one workspace with the URI's token: every path is asked of the URI's host, whatever an answer named. */
class Workspace {
  constructor(
    private readonly base: string,
    private readonly options: HttpOptions,
  ) {}

  async call<T>(path: string, init: Pick<HttpOptions, 'method' | 'body'> = {}): Promise<T> {
    try {
      return await requestJson<T>(`${this.base}${path}`, { ...this.options, ...init });
    } catch (error) {
      throw classify(error, init.method === 'POST' && path === STATEMENTS);
    }
  }

  /** Polls a statement in progress until it ends; past the deadline, cancels it and times out. */
  async settled(first: StatementAnswer, deadline: number): Promise<StatementAnswer> {
    let answer = first;
    while (answer.status?.state === 'PENDING' || answer.status?.state === 'RUNNING') {
      const id = idOf(answer);
      if (Date.now() + POLL_INTERVAL_MS > deadline) {
        // Nothing left running on the user's warehouse; whether the cancel lands changes nothing here.
        await this.call(`${STATEMENTS}/${id}/cancel`, { method: 'POST' }).catch(() => {});
        throw Object.assign(new Error('the statement did not end in time'), { code: 'ETIMEDOUT' });
      }
      await pause(POLL_INTERVAL_MS);
      answer = await this.call<StatementAnswer>(`${STATEMENTS}/${id}`);
    }
    if (answer.status?.state !== 'SUCCEEDED') throw statementFailure(answer.status);
    return answer;
  }

  /** Every chunk's rows, from the first (in the statement's answer) to the last. */
  async rows(first: ResultChunk | undefined): Promise<unknown[][]> {
    const values: unknown[][] = [];
    for (let chunk = first; chunk; ) {
      for (const row of chunk.data_array ?? []) values.push(row);
      const link = chunk.next_chunk_internal_link;
      // A path to join with the workspace's host (the API's words): only its path and query are read.
      const next = link === undefined ? undefined : new URL(link, this.base);
      chunk = next && (await this.call<ResultChunk>(`${next.pathname}${next.search}`));
    }
    return values;
  }
}

export const databricksDriver: Driver = async ({ target, network, timeoutMs, tls }) => {
  const warehouse = warehouseOf(target.parameters.get('http_path'));
  const catalog = target.parameters.get('catalog') ?? undefined;
  const schema = target.parameters.get('schema') ?? undefined;
  const workspace = new Workspace(`https://${authorityOf(target.host, target.port)}`, {
    network,
    timeoutMs,
    tls,
    headers: { authorization: `Bearer ${target.password ?? ''}`, 'user-agent': CLIENT_NAME },
  });
  // The POST waits for the statement (5 to 50 s), leaving a second of the timeout for the answer.
  const wait = `${Math.min(50, Math.max(5, Math.floor(timeoutMs / 1000) - 1))}s`;
  const run = async (statement: string) => {
    const deadline = Date.now() + timeoutMs;
    const body = JSON.stringify({
      statement,
      warehouse_id: warehouse,
      catalog,
      schema,
      wait_timeout: wait,
      on_wait_timeout: 'CONTINUE',
      format: 'JSON_ARRAY',
      disposition: 'INLINE',
    });
    const answer = await workspace.settled(await workspace.call(STATEMENTS, { method: 'POST', body }), deadline);
    const columns = (answer.manifest?.schema?.columns ?? []).map((column) => column.name);
    return rowsOf(columns, await workspace.rows(answer.result));
  };
  const inCatalog = catalog ? `\`${catalog.replaceAll('`', '``')}\`.` : '';
  return sqlSession(
    run,
    { version: 'SELECT current_version().dbsql_version AS v', ...databricksCatalog(inCatalog) },
    async () => {},
  );
};

const quoted = (alias: string) => `\`${alias}\``;

/**
 * Unity Catalog's information_schema of the catalog (`prefix`): its schemas, tables, columns and
 * comments, and its primary and foreign keys, which Databricks keeps but does not enforce. Each
 * key's columns come from KEY_COLUMN_USAGE in their order; a foreign key's REFERENTIAL_CONSTRAINTS
 * row names the key it references, whose column at POSITION_IN_UNIQUE_CONSTRAINT is the one each
 * column references. A foreign key to a table of another catalog, whose key is in no view of this
 * catalog's, is left out. Unity Catalog keeps no row count in its views: estimates are not told.
 */
function databricksCatalog(prefix: string): Omit<Catalog, 'version'> {
  const view = (name: string) => `${prefix}information_schema.${name}`;
  const sameConstraint = (a: string, b: string) =>
    ['catalog', 'schema', 'name'].map((part) => `${a}.constraint_${part} = ${b}.constraint_${part}`).join(' AND ');
  return {
    ...informationSchema(prefix, quoted, 'full_data_type', 'backslash-escapes'),
    keys: (schemas) =>
      `SELECT k.table_schema AS \`schema\`, k.table_name AS \`table\`,
         IF(c.constraint_type = 'PRIMARY KEY', 'primary', 'foreign') AS kind, k.constraint_name AS \`key\`,
         k.constraint_name AS name, k.column_name AS \`column\`, r.table_schema AS referenced_schema,
         r.table_name AS referenced_table, r.column_name AS referenced_column
       FROM ${view('table_constraints')} AS c
       JOIN ${view('key_column_usage')} AS k ON ${sameConstraint('k', 'c')}
       LEFT JOIN ${view('referential_constraints')} AS f ON ${sameConstraint('f', 'c')}
       LEFT JOIN ${view('key_column_usage')} AS r ON r.constraint_catalog = f.unique_constraint_catalog
         AND r.constraint_schema = f.unique_constraint_schema AND r.constraint_name = f.unique_constraint_name
         AND r.ordinal_position = k.position_in_unique_constraint
       WHERE k.table_schema IN (${sqlList(schemas, 'backslash-escapes')})
         AND (c.constraint_type = 'PRIMARY KEY' OR (c.constraint_type = 'FOREIGN KEY' AND r.column_name IS NOT NULL))
       ORDER BY k.table_schema, k.table_name, kind, k.constraint_name, k.ordinal_position`,
    comments: informationSchemaComments(prefix, quoted, 'backslash-escapes'),
  };
}
