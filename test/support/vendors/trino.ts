/**
 * A Trino coordinator's client REST API, as Trino documents it
 * (https://trino.io/docs/current/develop/client-protocol.html, "Overview of query processing"):
 * POST /v1/statement queues the statement; each answer's `nextUri` leads to the next until one has
 * none. A statement is QUEUED (twice: the POST's answer and the queued URI's), then RUNNING with
 * its columns and no data, then RUNNING with the rows a page at a time, then FINISHED; or FAILED
 * with a QueryError. Its URIs take the shapes of Trino's own (/v1/statement/queued/<query>/<slug>/
 * <token>, then /v1/statement/executing/…: io.trino.dispatcher.QueuedStatementResource and
 * io.trino.server.protocol.ExecutingStatementResource). Its answers are read by the official
 * client, trino-client, in test/vendors/trino.test.ts: a stand-in that client cannot read is a
 * broken stand-in.
 */
import { randomBytes } from 'node:crypto';
import { type Answer, answerSql, type Handler, type Received, WAREHOUSE, type Warehouse } from './server.ts';

export const TRINO_VERSION = '476';

export interface TrinoOptions {
  /** Users and their passwords: every request must then carry one of them (HTTP Basic authentication). */
  passwords?: Record<string, string>;
  /** Rows in a page of data (Trino pages by size; a small page here makes every test follow several). */
  pageRows?: number;
  /** The catalog's schemas, tables and columns: the one small warehouse unless given. */
  warehouse?: Warehouse;
  /**
   * Tables the access control lets no one select from, by the name a statement reads them by
   * (none unless given). Read at each statement: a test may change it on the options it gave.
   */
  deniedTables?: RegExp;
}

/**
 * The catalogs: `hive` holds the warehouse and `system` is Trino's own; `secret` exists, but the
 * access control lets no one in. Any other is missing.
 */
const READABLE_CATALOGS = new Set(['hive', 'system']);
const DENIED_CATALOG = 'secret';

/** The `system` catalog's own schemas besides the warehouse's (io.trino.connector.system): metadata holds table_comments. */
const SYSTEM_SCHEMAS = new Set(['metadata', 'runtime', 'jdbc']);

/** io.trino.spi.StandardErrorCode: name and code of the errors the stand-in gives. */
const ERROR_CODES = {
  PERMISSION_DENIED: 4,
  NOT_SUPPORTED: 13,
  CATALOG_NOT_FOUND: 44,
  SCHEMA_NOT_FOUND: 45,
} as const;

interface QueryError {
  message: string;
  errorName: keyof typeof ERROR_CODES;
}

interface Query {
  id: string;
  slug: string;
  /** The step the next request reads: 0 the POST's answer, 1 the queued URI's, 2 the columns, 3… the pages. */
  step: number;
  /** The path of the nextUri last handed out: the one request the query answers. */
  expected: string;
  failure?: QueryError;
  columns: string[];
  pages: unknown[][][];
}

/** "line L:C: " of the offset in the statement, as Trino's analyzer prefixes its messages. */
function location(sql: string, offset: number): string {
  const before = sql.slice(0, offset).split('\n');
  return `line ${before.length}:${(before.at(-1)?.length ?? 0) + 1}: `;
}

const IDENTIFIER = String.raw`(?:"((?:[^"]|"")+)"|([A-Za-z_]\w*))`;
const QUALIFIED = new RegExp(`${IDENTIFIER}\\.${IDENTIFIER}\\.${IDENTIFIER}`, 'g');

/**
 * What Trino's analyzer says of the catalog.schema.object names a statement reads: a catalog is
 * resolved when a statement names it (trinodb/trino#23193: `SELECT … FROM missing.s.t` fails
 * CATALOG_NOT_FOUND, "Catalog '…' not found"), a schema must exist ("Schema '…' does not exist"),
 * and reading a catalog the access control denies is PERMISSION_DENIED ("Access Denied: Cannot
 * access catalog …"). How Trino treats a session catalog (X-Trino-Catalog) a statement does not
 * name is not documented: the stand-in leaves it alone, so a client must name the catalog to test it.
 */
function analyze(sql: string, warehouse: Warehouse, deniedTables?: RegExp): QueryError | undefined {
  // String literals hold no names: blanked, keeping the offsets.
  const code = sql.replace(/'(?:[^']|'')*'/g, (literal) => ' '.repeat(literal.length));
  for (const match of code.matchAll(QUALIFIED)) {
    const catalog = (match[1]?.replaceAll('""', '"') ?? match[2] ?? '').toLowerCase();
    const schema = (match[3]?.replaceAll('""', '"') ?? match[4] ?? '').toLowerCase();
    const at = location(sql, match.index);
    if (catalog === DENIED_CATALOG)
      return { errorName: 'PERMISSION_DENIED', message: `Access Denied: Cannot access catalog ${catalog}` };
    if (!READABLE_CATALOGS.has(catalog))
      return { errorName: 'CATALOG_NOT_FOUND', message: `${at}Catalog '${catalog}' not found` };
    // The access control's words for a table it denies (io.trino.spi.security.AccessDeniedException.denySelectTable).
    if (deniedTables?.test(match[0]))
      return { errorName: 'PERMISSION_DENIED', message: `Access Denied: Cannot select from table ${match[0]}` };
    if (catalog === 'system' && SYSTEM_SCHEMAS.has(schema)) continue;
    if (!warehouse.schemas.includes(schema))
      return { errorName: 'SCHEMA_NOT_FOUND', message: `${at}Schema '${schema}' does not exist` };
  }
  return undefined;
}

/**
 * 401 unless the request carries a user's password (io.trino.server.security.AuthenticationFilter:
 * status 401, a one-line message, and the authenticators' challenges, here BasicAuthCredentials'
 * `Basic realm="Trino"`).
 */
function unauthenticated(request: Received, passwords: Record<string, string> | undefined): Answer | undefined {
  if (!passwords) return undefined;
  const [scheme, encoded] = (request.headers.authorization ?? '').split(' ');
  const credentials = scheme === 'Basic' && encoded ? Buffer.from(encoded, 'base64').toString('utf8') : undefined;
  const separator = credentials?.indexOf(':') ?? -1;
  const user = credentials?.slice(0, separator);
  if (user !== undefined && separator >= 0 && passwords[user] === credentials?.slice(separator + 1)) return undefined;
  return {
    status: 401,
    body: credentials === undefined ? 'Unauthorized' : 'Access Denied: Invalid credentials',
    type: 'text/plain',
    headers: { 'www-authenticate': 'Basic realm="Trino"' },
  };
}

/** io.trino.client.StatementStats, the fields trino-client's QueryStats names, at zero. */
const COUNTERS = [
  'nodes',
  'totalSplits',
  'queuedSplits',
  'runningSplits',
  'completedSplits',
  'cpuTimeMillis',
  'wallTimeMillis',
  'queuedTimeMillis',
  'elapsedTimeMillis',
  'processedRows',
  'processedBytes',
  'physicalInputBytes',
  'peakMemoryBytes',
  'spilledBytes',
];
const stats = (state: string) => ({
  state,
  queued: state === 'QUEUED',
  scheduled: state !== 'QUEUED',
  ...Object.fromEntries(COUNTERS.map((counter) => [counter, 0])),
});

/** The failure as io.trino.client.QueryError carries it (trino-client: QueryError, QueryFailureInfo). */
const queryError = ({ message, errorName }: QueryError) => ({
  message,
  errorCode: ERROR_CODES[errorName],
  errorName,
  errorType: 'USER_ERROR',
  failureInfo: { type: 'io.trino.spi.TrinoException', message, suppressed: [], stack: [] },
});

/**
 * The QueryResults of the query's current step (client-protocol.html, "Important QueryResults
 * attributes": id, nextUri, columns, data, error; io.trino.client.QueryResults for infoUri, stats
 * and warnings). URLs are the coordinator's as the client reached it: scheme and Host header.
 */
function results(query: Query, origin: string) {
  const base = `${origin}/v1/statement`;
  const next = (path: string) => {
    query.expected = new URL(path).pathname;
    return { nextUri: path };
  };
  const answer = (state: string, rest: Record<string, unknown>) => ({
    id: query.id,
    infoUri: `${origin}/ui/query.html?${query.id}`,
    ...rest,
    stats: stats(state),
    warnings: [],
  });
  const columns = query.columns.map((name) => ({
    name,
    type: 'varchar',
    typeSignature: { rawType: 'varchar', arguments: [] },
  }));
  const step = query.step++;
  if (step <= 1)
    return answer(
      'QUEUED',
      next(`${base}/${step === 0 ? 'queued' : 'executing'}/${query.id}/${query.slug}/${step + 1}`),
    );
  if (query.failure) return answer('FAILED', { error: queryError(query.failure) });
  const page = query.pages[step - 3];
  if (step === 2 || page) {
    return answer('RUNNING', {
      ...next(`${base}/executing/${query.id}/${query.slug}/${step + 1}`),
      columns,
      ...(step > 2 && { data: page }),
    });
  }
  return answer('FINISHED', { columns });
}

/** A statement as the coordinator queues it: what the analyzer finds wrong, or its columns and rows in pages. */
function queued(id: string, sql: string, options: TrinoOptions, pageRows: number): Query {
  const warehouse = options.warehouse ?? WAREHOUSE;
  const failure = analyze(sql, warehouse, options.deniedTables);
  const answer = failure ? undefined : answerSql(sql, TRINO_VERSION, warehouse);
  const rows = answer?.rows ?? [];
  return {
    id,
    slug: randomBytes(8).toString('hex'),
    step: 0,
    expected: '',
    failure: failure ?? (answer ? undefined : { errorName: 'NOT_SUPPORTED', message: 'the stand-in has no answer' }),
    columns: answer?.columns ?? [],
    pages: Array.from({ length: Math.ceil(rows.length / pageRows) }, (_, i) =>
      rows.slice(i * pageRows, (i + 1) * pageRows),
    ),
  };
}

/** A Trino coordinator with `options`; its URLs follow the Host header each request names. */
export function trinoHandler(options: TrinoOptions = {}): Handler {
  const { pageRows = 2 } = options;
  const queries = new Map<string, Query>();
  return (request) => {
    const refused = unauthenticated(request, options.passwords);
    if (refused) return refused;
    const origin = `${request.scheme}://${request.headers.host}`;
    if (request.method === 'POST' && request.path === '/v1/statement') {
      const id = `20260101_000000_${String(queries.size + 1).padStart(5, '0')}_dcapi`;
      const query = queued(id, request.body, options, pageRows);
      queries.set(id, query);
      return { body: results(query, origin) };
    }
    // A query answers the nextUri it handed out and nothing else: a client that strays from it fails
    // here, with the coordinator's 404 (ExecutingStatementResource.queryNotFound: text/plain "Query not found").
    const query = queries.get(/^\/v1\/statement\/(?:queued|executing)\/([^/]+)\//.exec(request.path)?.[1] ?? '');
    if (request.method !== 'GET' || !query || request.path !== query.expected)
      return { status: 404, body: 'Query not found', type: 'text/plain' };
    return { body: results(query, origin) };
  };
}
