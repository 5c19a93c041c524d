/**
 * Snowflake's connector API as Snowflake answers its official clients. The requests and the shapes
 * of the answers follow the official Node.js client, snowflake-sdk
 * (github.com/snowflakedb/snowflake-connector-nodejs): lib/services/sf.js (login, session, the
 * answers it reads), lib/connection/statement.js (statements, answers in progress),
 * lib/connection/result/result.js and chunk.js (results in chunks), and the answers of its own test
 * server, wiremock/mappings/*.json, named where each is used. Its answers are read by snowflake-sdk
 * in test/vendors/snowflake.test.ts: a stand-in that client cannot read is a broken stand-in.
 *
 * - POST /session/v1/login-request: a password, or a key-pair JWT signed by the registered key;
 * - POST /queries/v1/query-request: a statement, answered at once, or in progress (333334, then
 *   333333 at its getResultUrl until the result); a result longer than `chunkRows` rows holds its
 *   first rows and names the others' chunks, gzipped on the result stage (S3, with SSE-C: the
 *   `qrmk` is the key);
 * - POST /session?delete=true, POST /telemetry/send.
 *
 * It holds databases by the names Snowflake stores (SALES_DB made unquoted; "lower_db" made with
 * quotes) and reads names in SQL and in the login as Snowflake reads identifiers: in double quotes
 * as written, bare in upper case.
 */
import { createHash, createPublicKey, randomBytes, randomUUID, verify } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  type Answer,
  commentRows,
  type Handler,
  type Received,
  WAREHOUSE,
  type Warehouse,
  type WarehouseDetails,
} from './server.ts';
import { keptType, typeParts } from './snowflake-types.ts';

export const SNOWFLAKE_VERSION = '9.14.1';

/** Where results' chunks are kept: the result stage of the deployment (us-west-2, as `acme` has none named). */
export const STAGE_HOST = 'sfc-uswest2-ds1-customer-stage.s3.us-west-2.amazonaws.com';

export interface SnowflakeOptions {
  /** The public key registered for every user, for key-pair logins (none: every key-pair login is refused). */
  publicKeyPem?: string;
  /** Users (as Snowflake names them, in upper case) and their passwords: ANA's is `password` unless given. */
  passwords?: Record<string, string>;
  /** The databases by their stored names: SALES_DB, the small warehouse in upper case, unless given. */
  databases?: Record<string, Warehouse>;
  /** Rows an answer holds; a longer result puts the rest in chunks of as many rows each. */
  chunkRows?: number;
  /** Answers in progress before a statement's result: 333334 for the statement, then 333333 for each poll. */
  inProgress?: number;
  /** Whether results name their chunks' headers (`chunkHeaders`) besides the `qrmk`. */
  chunkHeaders?: boolean;
  /** Statements the session's role may not run: refused with 003001, as an access control error. */
  refuse?: RegExp;
  /** The most rows a SHOW answers; past it, 090153 (10,000, as Snowflake's, unless given). */
  showLimit?: number;
}

const upperName = (name: string) => name.toUpperCase();

/** Keys and comments as Snowflake stores those made without quotes: every name in upper case, the comments as written. */
function upperCasedDetails(details: WarehouseDetails): WarehouseDetails {
  const names = (list: string[]) => list.map(upperName);
  return {
    primaryKeys: details.primaryKeys.map(([schema, table, name, columns]) => [
      upperName(schema),
      upperName(table),
      upperName(name),
      names(columns),
    ]),
    foreignKeys: details.foreignKeys.map((key) => ({
      schema: upperName(key.schema),
      table: upperName(key.table),
      name: upperName(key.name),
      columns: names(key.columns),
      referencedSchema: upperName(key.referencedSchema),
      referencedTable: upperName(key.referencedTable),
      referencedColumns: names(key.referencedColumns),
    })),
    comments: details.comments.map(([schema, table, column, comment]) => [
      upperName(schema),
      upperName(table),
      column === null ? null : upperName(column),
      comment,
    ]),
    rowCounts: details.rowCounts.map(([schema, table, rows]) => [upperName(schema), upperName(table), rows]),
  };
}

/**
 * A catalog as Snowflake stores the names of objects made without quotes, in upper case, and each
 * column's type as it keeps the type declared (`NUMBER` is `NUMBER(38,0)`).
 */
export function upperCased(warehouse: Warehouse): Warehouse {
  const upper = (row: string[]) => row.map((value, i) => (i < 3 ? value.toUpperCase() : value));
  return {
    schemas: warehouse.schemas.map(upperName),
    tables: warehouse.tables.map((row) => upper(row) as Warehouse['tables'][number]),
    columns: warehouse.columns.map(([schema, table, column, type, nullable]) => [
      upperName(schema),
      upperName(table),
      upperName(column),
      keptType(type),
      nullable,
    ]),
    ...(warehouse.details && { details: upperCasedDetails(warehouse.details) }),
  };
}

/** Snowflake's warehouses: a session naming another cannot run statements. */
const WAREHOUSES = new Set(['COMPUTE_WH']);

/** An identifier as Snowflake reads it: in double quotes as written, bare in upper case. */
const identifier = (text: string) =>
  /^".*"$/s.test(text) ? text.slice(1, -1).replaceAll('""', '"') : text.toUpperCase();

/** An identifier as Snowflake's messages write it: bare when it reads so, else quoted. */
const shown = (name: string) => (/^[A-Z_][A-Z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`);

const NAME = `(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;
const CATALOG_VIEW = new RegExp(
  String.raw`\bFROM\s+(?:(${NAME})\.)?information_schema\.(schemata|tables|columns)\b`,
  'i',
);
const ALIAS = new RegExp(String.raw`\bAS\s+(${NAME})`, 'gi');
/** A string literal as Snowflake reads it: backslash escapes, or doubled quotes. */
const LITERAL = /'((?:\\.|''|[^'\\])*)'/g;

const success = (data: unknown) => ({ body: { data, code: null, message: null, success: true } });

/** A failure as Snowflake answers it: HTTP 200, `success: false`, its code (wiremock/mappings/query_request_failed_with_qcc.json). */
const failure = (code: string, message: string, sqlState: string, extra: Record<string, unknown> = {}): Answer => ({
  body: { data: { errorCode: code, sqlState, age: 0, ...extra }, code, message, success: false, headers: null },
});

interface Session {
  user: string;
  database?: string;
  schema?: string;
  warehouse?: string;
  role?: string;
}

/** The types of Snowflake's result columns the stand-in answers with (as rowtype names them). */
type ColumnType = 'text' | 'fixed' | 'timestamp_ltz';

interface Result {
  columns: string[];
  /** Each column's type: text unless given. */
  types?: ColumnType[];
  rows: (string | null)[][];
}

interface Query {
  id: string;
  /** In-progress answers still to give before the result. */
  pending: number;
  answer: Answer;
}

/** The chunks of results, by path on the stage: their rows, the key they were "encrypted" with, and the signature of their URL. */
interface StagedChunk {
  rows: (string | null)[][];
  qrmk: string;
  signature: string;
}

function jwtValid(token: unknown, publicKeyPem: string | undefined, subject: string): boolean {
  const [header, payload, signature] = String(token).split('.');
  if (!publicKeyPem || !header || !payload || !signature) return false;
  const signed = verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${payload}`),
    createPublicKey(publicKeyPem),
    Buffer.from(signature, 'base64url'),
  );
  if (!signed) return false;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  const fingerprint = `SHA256:${createHash('sha256')
    .update(createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' }))
    .digest('base64')}`;
  // snowflake-sdk writes iat and exp in milliseconds, other clients in seconds: both are in the future of now in seconds.
  return claims.sub === subject && claims.iss === `${subject}.${fingerprint}` && claims.exp > Date.now() / 1000;
}

/**
 * The answer to a login (wiremock/mappings/login_request_ok.json); a wrong password is 390100, a
 * JWT the user's registered key did not sign 390144 ("JWT token is invalid. [<id>]",
 * docs.snowflake.com/en/user-guide/key-pair-auth-troubleshooting). A database that does not
 * exist fails no login: the session has no current database (snowflakedb/snowflake-connector-nodejs#423).
 */
function login(
  request: Received,
  options: SnowflakeOptions,
  sessions: Map<string, Session>,
  databases: Record<string, Warehouse>,
): Answer {
  const url = new URL(request.path, 'https://x');
  const { data } = JSON.parse(request.body);
  const user = String(data.LOGIN_NAME ?? '').toUpperCase();
  const account = String(request.headers.host ?? '')
    .split('.')[0]
    ?.toUpperCase();
  const passwords = options.passwords ?? { ANA: 'password' };
  if (data.AUTHENTICATOR === 'SNOWFLAKE_JWT') {
    if (!jwtValid(data.TOKEN, options.publicKeyPem, `${account}.${user}`))
      return failure('390144', `JWT token is invalid. [${randomUUID()}]`, '08001');
  } else if (passwords[user] === undefined || passwords[user] !== data.PASSWORD) {
    return failure('390100', 'Incorrect username or password was specified.', '08004', {
      nextAction: 'RETRY_LOGIN',
      authnMethod: 'USERNAME_PASSWORD',
    });
  }
  const parameter = (name: string) => {
    const value = url.searchParams.get(name);
    return value ? identifier(value) : undefined;
  };
  const database = parameter('databaseName');
  const session: Session = {
    user,
    database: database !== undefined && database in databases ? database : undefined,
    schema: parameter('schemaName'),
    warehouse: parameter('warehouse'),
    role: parameter('roleName'),
  };
  const token = `session-${randomBytes(12).toString('hex')}`;
  sessions.set(token, session);
  return success({
    masterToken: `master-${randomBytes(12).toString('hex')}`,
    token,
    validityInSeconds: 3600,
    masterValidityInSeconds: 14400,
    displayUserName: user,
    serverVersion: SNOWFLAKE_VERSION,
    firstLogin: false,
    remMeToken: null,
    remMeValidityInSeconds: 0,
    healthCheckInterval: 45,
    newClientForUpgrade: null,
    sessionId: sessions.size,
    parameters: [{ name: 'CLIENT_PREFETCH_THREADS', value: 4 }],
    sessionInfo: {
      databaseName: session.database ?? null,
      schemaName: session.schema ?? null,
      warehouseName: session.warehouse ?? null,
      roleName: session.role ?? 'PUBLIC',
    },
    idToken: null,
    idTokenValidityInSeconds: 0,
    responseData: null,
    mfaToken: null,
    mfaTokenValidityInSeconds: 0,
  });
}

/** The database a statement names, else the session's; the failure Snowflake's compiler gives where there is none or it does not exist. */
function databaseNamed(
  named: string | undefined,
  session: Session,
  databases: Record<string, Warehouse>,
): { name: string; warehouse: Warehouse } | Answer {
  const name = named === undefined ? session.database : identifier(named);
  // A session without a database, asked for an unqualified view: as SnowSQL and JDBC show it
  // (snowflakedb/snowflake-connector-nodejs#423).
  if (name === undefined)
    return failure(
      '090105',
      "Cannot perform SELECT. This session does not have a current database. Call 'USE DATABASE', or use a qualified name.",
      '22000',
    );
  const warehouse = databases[name];
  if (!warehouse)
    return failure(
      '002003',
      `SQL compilation error:\nDatabase '${shown(name)}' does not exist or not authorized.`,
      '02000',
    );
  return { name, warehouse };
}

type ColumnRow = Warehouse['columns'][number];

/** The columns of information_schema.columns the stand-in holds: their type, and their value for a column of the catalog. */
const COLUMNS_VIEW: Record<string, [ColumnType, (row: ColumnRow) => string | null]> = {
  table_schema: ['text', (row) => row[0]],
  table_name: ['text', (row) => row[1]],
  column_name: ['text', (row) => row[2]],
  data_type: ['text', (row) => typeParts(row[3]).data_type],
  is_nullable: ['text', (row) => row[4]],
  ...Object.fromEntries(
    (['character_maximum_length', 'numeric_precision', 'numeric_scale', 'datetime_precision'] as const).map(
      (name): [string, [ColumnType, (row: ColumnRow) => string | null]] => [
        name,
        ['fixed', (row) => typeParts(row[3])[name]],
      ],
    ),
  ),
};

const SELECT_ITEM = new RegExp(String.raw`^\s*(\w+)(?:\s+AS\s+(${NAME}))?\s*$`, 'i');

/**
 * information_schema.columns as the statement's select list asks it: each item one of the view's
 * columns, named by its alias or, bare, as Snowflake names it (in upper case), a type's parts as
 * NUMBER; undefined where an item is none of them.
 */
function columnsView(sql: string, rows: ColumnRow[]): Result | undefined {
  const items = (/^\s*SELECT\s+([\s\S]*?)\s+FROM\s/i.exec(sql)?.[1] ?? '').split(',').map((item) => {
    const [, source = '', alias] = SELECT_ITEM.exec(item) ?? [];
    const column = COLUMNS_VIEW[source.toLowerCase()];
    return column && { name: alias ? identifier(alias) : source.toUpperCase(), column };
  });
  if (!items.every((item) => item !== undefined)) return undefined;
  return {
    columns: items.map(({ name }) => name),
    types: items.map(({ column }) => column[0]),
    rows: rows.map((row) => items.map(({ column }) => column[1](row))),
  };
}

/**
 * The rows of information_schema's views for the statements the driver sends: SCHEMATA, TABLES
 * (its tables, or its COMMENT and the columns' beside it, or its ROW_COUNT), COLUMNS (named
 * columns); each row's first value its schema, kept where the statement names it in a literal.
 */
function viewRows(
  kind: string,
  sql: string,
  warehouse: Warehouse,
): Pick<Result, 'rows' | 'types'> | Result | undefined {
  const literals = [...sql.matchAll(LITERAL)].map(([, text = '']) =>
    text.replace(/\\(.)|''/gs, (_pair, escaped) => escaped ?? "'"),
  );
  const named = <T extends unknown[]>(rows: T[]) => rows.filter((row) => literals.includes(String(row[0])));
  const details = warehouse.details;
  if (kind === 'schemata') {
    const hidden = /lower\(schema_name\)\s*<>\s*'information_schema'/i.test(sql);
    return {
      rows: warehouse.schemas.filter((name) => !hidden || name.toLowerCase() !== 'information_schema').map((n) => [n]),
    };
  }
  if (kind === 'tables' && /\bcomment\b/i.test(sql)) return { rows: named(commentRows(details)) };
  if (kind === 'tables' && /\brow_count\b/i.test(sql)) {
    const counts = (details?.rowCounts ?? []).map(([schema, table, rows]) => [schema, table, String(rows)]);
    return { rows: named(counts), types: ['text', 'text', 'fixed'] };
  }
  if (kind === 'columns') return columnsView(sql, named(warehouse.columns));
  return { rows: named(warehouse.tables).map((row) => [...row]) };
}

/** The rows of one of the catalog's views for a statement, or a failure as Snowflake's compiler gives it. */
function catalogRows(
  sql: string,
  session: Session,
  databases: Record<string, Warehouse>,
): Pick<Result, 'rows' | 'types'> | Result | Answer | undefined {
  const view = CATALOG_VIEW.exec(sql);
  if (!view) return undefined;
  const database = databaseNamed(view[1], session, databases);
  if ('body' in database) return database;
  return viewRows(view[2]?.toLowerCase() ?? '', sql, database.warehouse);
}

const SHOW_KEYS = new RegExp(
  String.raw`^\s*SHOW\s+(PRIMARY|IMPORTED)\s+KEYS\s+IN\s+DATABASE(?:\s+(${NAME}))?\s*$`,
  'i',
);

/** When the keys were made (created_on), as TIMESTAMP_LTZ's JSON value: seconds since the epoch. */
const KEYS_CREATED = '1767225600.000';

/** SHOW PRIMARY KEYS' columns (snowflake-jdbc's getPrimaryKeys reads the 2nd to 7th by position). */
const PRIMARY_KEYS_COLUMNS: [string, ColumnType][] = [
  ['created_on', 'timestamp_ltz'],
  ...['database_name', 'schema_name', 'table_name', 'column_name'].map((name): [string, ColumnType] => [name, 'text']),
  ['key_sequence', 'fixed'],
  ...['constraint_name', 'rely', 'comment'].map((name): [string, ColumnType] => [name, 'text']),
];

/** SHOW IMPORTED KEYS' columns (snowflake-jdbc's getForeignKeys reads the 2nd to 15th by position). */
const IMPORTED_KEYS_COLUMNS: [string, ColumnType][] = [
  ['created_on', 'timestamp_ltz'],
  ...['pk_database_name', 'pk_schema_name', 'pk_table_name', 'pk_column_name'].map((n): [string, ColumnType] => [
    n,
    'text',
  ]),
  ...['fk_database_name', 'fk_schema_name', 'fk_table_name', 'fk_column_name'].map((n): [string, ColumnType] => [
    n,
    'text',
  ]),
  ['key_sequence', 'fixed'],
  ...['update_rule', 'delete_rule', 'fk_name', 'pk_name', 'deferrability', 'rely', 'comment'].map(
    (name): [string, ColumnType] => [name, 'text'],
  ),
];

/** The rows of SHOW PRIMARY KEYS or SHOW IMPORTED KEYS over a database: one per column of each key. */
function keyRows(primary: boolean, database: string, details: WarehouseDetails | undefined): Result['rows'] {
  if (primary)
    return (details?.primaryKeys ?? []).flatMap(([schema, table, name, columns]) =>
      columns.map((column, i) => [KEYS_CREATED, database, schema, table, column, String(i + 1), name, 'false', null]),
    );
  const primaryKeyOf = (schema: string, table: string) =>
    details?.primaryKeys.find(([s, t]) => s === schema && t === table)?.[2] ?? null;
  return (details?.foreignKeys ?? []).flatMap((key) =>
    key.columns.map((column, i) => [
      KEYS_CREATED,
      ...[database, key.referencedSchema, key.referencedTable, key.referencedColumns[i] ?? null],
      ...[database, key.schema, key.table, column, String(i + 1)],
      ...['NO ACTION', 'NO ACTION', key.name, primaryKeyOf(key.referencedSchema, key.referencedTable)],
      ...['NOT DEFERRABLE', 'false', null],
    ]),
  );
}

/** SHOW PRIMARY KEYS or SHOW IMPORTED KEYS IN DATABASE: every key of the database, or Snowflake's refusal. */
function showKeys(
  sql: string,
  session: Session,
  databases: Record<string, Warehouse>,
  showLimit: number,
): Result | Answer | undefined {
  const show = SHOW_KEYS.exec(sql);
  if (!show) return undefined;
  const database = databaseNamed(show[2], session, databases);
  if ('body' in database) return database;
  const primary = show[1]?.toUpperCase() === 'PRIMARY';
  const rows = keyRows(primary, database.name, database.warehouse.details);
  // Recorded in gitlab-data/permifrost#126.
  if (rows.length > showLimit)
    return failure(
      '090153',
      'The result set size exceeded the max number of rows(10000) supported for SHOW statements. Use LIMIT option to limit result set to a smaller number.',
      '22000',
    );
  const columns = primary ? PRIMARY_KEYS_COLUMNS : IMPORTED_KEYS_COLUMNS;
  return { columns: columns.map(([name]) => name), types: columns.map(([, type]) => type), rows };
}

/** The columns and rows of a statement the stand-in knows, or the failure Snowflake would give. */
function execute(sql: string, session: Session, databases: Record<string, Warehouse>, options: SnowflakeOptions) {
  // A warehouse the session cannot use: 000606, SQLSTATE 57P03 (snowflakedb/snowflake-connector-nodejs#891,
  // snowflakedb/snowflake-jdbc#657).
  if (session.warehouse !== undefined && !WAREHOUSES.has(session.warehouse))
    return failure(
      '000606',
      "No active warehouse selected in the current session.  Select an active warehouse with the 'use warehouse' command.",
      '57P03',
    );
  // The role's missing privilege: an access control error (SQLSTATE 42501, insufficient privilege).
  if (options.refuse?.test(sql))
    return failure(
      '003001',
      "SQL access control error:\nInsufficient privileges to operate on schema 'SALES'",
      '42501',
    );
  const aliases = [...sql.matchAll(ALIAS)].map(([, alias = '']) => identifier(alias));
  if (/^\s*select\s+1\s*$/i.test(sql)) return { columns: ['1'], rows: [['1']] };
  if (/\bcurrent_version\(\)/i.test(sql))
    return { columns: aliases.length ? aliases : ['CURRENT_VERSION()'], rows: [[SNOWFLAKE_VERSION]] };
  const keys = showKeys(sql, session, databases, options.showLimit ?? 10_000);
  if (keys) return keys;
  const result = catalogRows(sql, session, databases);
  if (result && ('body' in result || 'columns' in result)) return result;
  // The stand-in names a result's columns by the statement's aliases, one for each value of a row.
  if (result?.rows.every((row) => row.length === aliases.length)) return { columns: aliases, ...result };
  // Anything else, as the compiler refuses what it cannot parse (recorded in AltimateAI/vscode-dbt-power-user#1595).
  return failure('001003', "SQL compilation error:\nsyntax error line 1 at position 0 unexpected '?'.", '42000');
}

/**
 * Snowflake's description of a result column (wiremock/mappings/query_result_missing_rowset.json
 * for text): a number as NUMBER(38,0), a timestamp as TIMESTAMP_LTZ(3).
 */
const columnOf = (name: string, type: ColumnType = 'text') => ({
  name,
  database: '',
  schema: '',
  table: '',
  nullable: true,
  type,
  byteLength: type === 'text' ? 16777216 : null,
  length: type === 'text' ? 16777216 : null,
  scale: type === 'fixed' ? 0 : type === 'timestamp_ltz' ? 3 : null,
  precision: type === 'fixed' ? 38 : type === 'timestamp_ltz' ? 0 : null,
  collation: null,
});

/** A Snowflake query id: 01 and the rest of a UUID's hex, as its ids look. */
const queryId = () => `01${randomUUID().slice(2)}`;

/**
 * A Snowflake stand-in with `options`. Answers follow the Host each request names: the account's
 * API (`<account>.snowflakecomputing.com`), or the result stage (STAGE_HOST) for chunks.
 */
export function snowflakeHandler(options: SnowflakeOptions): Handler {
  const databases = options.databases ?? { SALES_DB: upperCased(WAREHOUSE) };
  const chunkRows = options.chunkRows ?? 2;
  const sessions = new Map<string, Session>();
  const queries = new Map<string, Query>();
  const stage = new Map<string, StagedChunk>();

  /** A result's answer: its first rows, and its other rows staged in chunks the answer names (result.js, createChunks). */
  function resultAnswer(id: string, result: Result, session: Session): Answer {
    const qrmk = randomBytes(32).toString('base64');
    const chunks: { url: string; rowCount: number; uncompressedSize: number; compressedSize: number }[] = [];
    for (let start = chunkRows; start < result.rows.length; start += chunkRows) {
      const rows = result.rows.slice(start, start + chunkRows);
      const path = `/results/${id}_0/main/data_0_0_${chunks.length}`;
      const signature = randomBytes(32).toString('hex');
      stage.set(path, { rows, qrmk, signature });
      const text = JSON.stringify(rows).slice(1, -1);
      chunks.push({
        url: `https://${STAGE_HOST}${path}?x-amz-server-side-encryption-customer-algorithm=AES256&response-content-encoding=gzip&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20260101T000000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=21599&X-Amz-Credential=AKIAEXAMPLE%2F20260101%2Fus-west-2%2Fs3%2Faws4_request&X-Amz-Signature=${signature}`,
        rowCount: rows.length,
        uncompressedSize: Buffer.byteLength(text),
        compressedSize: gzipSync(text).length,
      });
    }
    const keyMd5 = createHash('md5').update(Buffer.from(qrmk, 'base64')).digest('base64');
    return success({
      parameters: [],
      rowtype: result.columns.map((name, i) => columnOf(name, result.types?.[i])),
      rowset: result.rows.slice(0, chunkRows),
      total: result.rows.length,
      returned: result.rows.length,
      queryId: id,
      databaseProvider: null,
      finalDatabaseName: session.database ?? null,
      finalSchemaName: session.schema ?? null,
      finalWarehouseName: session.warehouse ?? null,
      finalRoleName: session.role ?? 'PUBLIC',
      numberOfBinds: 0,
      arrayBindSupported: false,
      statementTypeId: 4096,
      version: 1,
      sendResultTime: Date.now(),
      queryResultFormat: 'json',
      ...(chunks.length > 0 && {
        chunks,
        qrmk,
        ...(options.chunkHeaders && {
          chunkHeaders: {
            'x-amz-server-side-encryption-customer-key': qrmk,
            'x-amz-server-side-encryption-customer-key-md5': keyMd5,
          },
        }),
      }),
    });
  }

  /** A statement in progress (wiremock/mappings/query_returns_get_result_url.json): its id and where to ask for the result. */
  const inProgress = (code: string, id: string) => ({
    body: { code, data: { queryId: id, getResultUrl: `/queries/${id}/result` }, message: null, success: true },
  });

  function statement(request: Received, session: Session): Answer {
    const id = queryId();
    const result = execute(JSON.parse(request.body).sqlText, session, databases, options);
    const answer = 'body' in result ? result : resultAnswer(id, result, session);
    const pending = options.inProgress ?? 0;
    if (pending === 0) return answer;
    queries.set(id, { id, pending: pending - 1, answer });
    return inProgress('333334', id);
  }

  function poll(id: string): Answer {
    const query = queries.get(id);
    if (!query) return { status: 404, body: failure('000709', `Statement ${id} not found`, '02000').body };
    if (query.pending === 0) return query.answer;
    query.pending--;
    return inProgress('333333', id);
  }

  return (request) => {
    const url = new URL(request.path, 'https://x');
    if (request.headers.host === STAGE_HOST) return staged(request, url, stage);
    if (/^gone\./i.test(request.headers.host ?? ''))
      return { status: 403, body: '<html><body><h1>403 Forbidden</h1></body></html>', type: 'text/html' };
    if (request.method === 'POST' && url.pathname === '/session/v1/login-request')
      return login(request, options, sessions, databases);
    const token = /^Snowflake Token="([^"]+)"$/.exec(request.headers.authorization ?? '')?.[1];
    const session = sessions.get(token ?? '');
    // An unknown session token: 401 with 390104, as snowflake-sdk reads it (lib/services/sf.js, and
    // lib/constants/gs_errors.js: SESSION_TOKEN_INVALID).
    if (!session) return { status: 401, body: failure('390104', 'Invalid session token', '08001').body };
    if (request.method === 'POST' && url.pathname === '/queries/v1/query-request') return statement(request, session);
    const polled = /^\/queries\/([\w-]+)\/result$/.exec(url.pathname);
    if (request.method === 'GET' && polled) return poll(polled[1] ?? '');
    if (request.method === 'POST' && url.pathname === '/session' && url.searchParams.get('delete') === 'true') {
      sessions.delete(token ?? '');
      return success(null);
    }
    if (request.method === 'POST' && url.pathname === '/telemetry/send') return success(null);
    return { status: 404, body: failure('000404', `No such path ${url.pathname}`, '0A000').body };
  };
}

/** An S3 error answer (docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html). */
const s3Error = (status: number, code: string, message: string): Answer => ({
  status,
  type: 'application/xml',
  body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${randomBytes(8).toString('hex')}</RequestId></Error>`,
});

/**
 * A chunk from the result stage, as S3 serves an object stored gzipped with a customer's key
 * (SSE-C, docs.aws.amazon.com/AmazonS3/latest/userguide/ServerSideEncryptionCustomerKeys.html):
 * only to a presigned URL it handed out, only with the key, gzipped, the rows without their
 * enclosing brackets (snowflake-sdk's chunk.js adds them).
 */
function staged(request: Received, url: URL, stage: Map<string, StagedChunk>): Answer {
  const chunk = stage.get(url.pathname);
  if (!chunk || request.method !== 'GET' || url.searchParams.get('X-Amz-Signature') !== chunk.signature)
    return s3Error(403, 'AccessDenied', 'Access Denied');
  const key = request.headers['x-amz-server-side-encryption-customer-key'];
  const algorithm = request.headers['x-amz-server-side-encryption-customer-algorithm'];
  if (key === undefined)
    return s3Error(
      400,
      'InvalidRequest',
      'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.',
    );
  if (key !== chunk.qrmk || (algorithm !== undefined && algorithm !== 'AES256'))
    return s3Error(403, 'AccessDenied', 'Forbidden');
  return {
    body: gzipSync(JSON.stringify(chunk.rows).slice(1, -1)),
    type: 'binary/octet-stream',
    headers: { 'content-encoding': 'gzip' },
  };
}
