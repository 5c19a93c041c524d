/**
 * Amazon Athena's API, as AWS documents it (https://docs.aws.amazon.com/athena/latest/APIReference/)
 * and as its official client, @aws-sdk/client-athena, reads it:
 *
 * - AWS's JSON 1.1 protocol: POST / with `X-Amz-Target: AmazonAthena.<Action>` and a JSON body;
 *   errors are HTTP 400 with `{"__type": …, "Message": …}`.
 * - Every request signed with Signature Version 4 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html),
 *   which the stand-in checks for itself, with node:crypto: the key id must be known, the scope
 *   name the region of the host and the service `athena`, the signature be the one the secret
 *   key gives for the request as it came.
 * - The Glue catalog: ListDatabases and ListTableMetadata in pages of MaxResults (1 to 50), each
 *   but the last with a NextToken (API_ListDatabases.html, API_ListTableMetadata.html).
 * - Queries: StartQueryExecution, then GetQueryExecution QUEUED, RUNNING, then SUCCEEDED or FAILED
 *   (API_QueryExecutionStatus.html), then GetQueryResults in pages of up to 1,000 rows, the first
 *   row of a SELECT's first page the columns' names (API_GetQueryResults.html). The service's driver
 *   runs no query (reading the catalog costs nothing); the official client reads these answers.
 *
 * Its answers are read by the official client in test/vendors/athena.test.ts: a stand-in that
 * client cannot read is a broken stand-in.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { type Answer, answerSql, type Handler, type Received, type Warehouse } from './server.ts';

/** The access keys AWS knows, and their secrets: AKIDTEST may read everything, AKIDDENIED nothing (IAM denies Athena's actions). */
export const ATHENA_KEY_ID = 'AKIDTEST';
export const ATHENA_SECRET = 'athena-Secret-key-7';
export const DENIED_KEY_ID = 'AKIDDENIED';
const SECRETS: Record<string, string> = { [ATHENA_KEY_ID]: ATHENA_SECRET, [DENIED_KEY_ID]: ATHENA_SECRET };

/** A session token that has expired (temporary credentials from STS). */
export const EXPIRED_SESSION = 'expired-session';

/** The one data catalog, Glue's; its database `secret` is listed, but Glue lets no one read its tables. */
export const CATALOG = 'AwsDataCatalog';
export const DENIED_DATABASE = 'secret';

/**
 * The catalog every test reads unless told otherwise, in Glue's (Hive's) types: database `sales`
 * with a table partitioned by `day` and a view, database `staging` with nothing in it.
 */
export const ATHENA_WAREHOUSE: Warehouse = {
  schemas: ['sales', 'staging', DENIED_DATABASE],
  tables: [
    ['sales', 'orders', 'BASE TABLE'],
    ['sales', 'recent', 'VIEW'],
    [DENIED_DATABASE, 'salaries', 'BASE TABLE'],
  ],
  columns: [
    ['sales', 'orders', 'id', 'int', 'YES'],
    ['sales', 'orders', 'note', 'string', 'YES'],
    ['sales', 'orders', 'day', 'date', 'YES'],
    ['sales', 'recent', 'id', 'int', 'YES'],
    [DENIED_DATABASE, 'salaries', 'amount', 'decimal(10,2)', 'YES'],
  ],
};

export interface AthenaOptions {
  /** The catalog's databases, tables and columns: ATHENA_WAREHOUSE unless given. */
  warehouse?: Warehouse;
  /** Columns that are partition keys, by "database.table" (Glue lists them apart from the others). */
  partitionKeys?: Record<string, string[]>;
  /** The most items a page of a listing holds, below MaxResults (a small one makes a test read several pages). */
  pageSize?: number;
  /** The most rows a page of a query's results holds, below MaxResults (1,000 at most). */
  resultRows?: number;
}

const DEFAULT_PARTITION_KEYS = { 'sales.orders': ['day'] };

/** An answer of AWS's JSON 1.1 protocol. */
const json = (body: unknown, status = 200): Answer => ({ status, type: 'application/x-amz-json-1.1', body });

/** An error of Athena's own model: HTTP 400, its `__type` and `Message` (as @aws-sdk/client-athena's models/errors.ts names it). */
const awsError = (type: string, message: string, fields: Record<string, unknown> = {}) =>
  json({ __type: type, ...fields, Message: message }, 400);

/**
 * An error AWS's front door gives every JSON service (CommonErrors.html): HTTP 400, `__type` with
 * its namespace and a lower-case `message`, as DynamoDB's error handling page shows them
 * ({"__type":"com.amazon.coral.service#UnrecognizedClientException","message":"The security token
 * included in the request is invalid."}).
 */
const commonError = (type: string, message: string) =>
  json({ __type: `com.amazon.coral.service#${type}`, message }, 400);

/**
 * InvalidRequestException with its AthenaErrorCode, which the service also sends as `ErrorCode`
 * (a recorded answer: {"__type":"InvalidRequestException","AthenaErrorCode":"MALFORMED_QUERY",
 * "ErrorCode":"MALFORMED_QUERY","Message":"line 6:18: mismatched input '.' …"}).
 */
const invalidRequest = (message: string, code?: string) =>
  awsError('InvalidRequestException', message, code ? { AthenaErrorCode: code, ErrorCode: code } : {});

/**
 * Glue's error inside Athena's MetadataException, as the service words it: "Database default not
 * found. (Service: AmazonDataCatalog; Status Code: 400; Error Code: EntityNotFoundException;
 * Request ID: …; Proxy: null)" (recorded in open-metadata/OpenMetadata#16476 and dbeaver/dbeaver#18786).
 */
const metadataError = (message: string, glueCode: string) =>
  awsError(
    'MetadataException',
    `${message} (Service: AmazonDataCatalog; Status Code: 400; Error Code: ${glueCode}; Request ID: ${randomUUID()}; Proxy: null)`,
  );

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** The RFC 3986 encoding SigV4 asks for each part of a query. */
const encode = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The canonical request of SigV4 for `request`, over the headers it says it signed. */
function canonicalRequest(request: Received, signedHeaders: string[]): string {
  const url = new URL(request.path, 'https://athena');
  const query = [...url.searchParams]
    .map(([name, value]) => `${encode(name)}=${encode(value)}`)
    .sort()
    .join('&');
  const header = (name: string) => {
    const value = request.headers[name];
    return (Array.isArray(value) ? value.join(',') : (value ?? '')).trim().replace(/\s+/g, ' ');
  };
  const headers = signedHeaders.map((name) => `${name}:${header(name)}\n`).join('');
  return [request.method, url.pathname, query, headers, signedHeaders.join(';'), sha256(request.body)].join('\n');
}

/** Why AWS refuses the request's signature, or undefined when it holds (the common errors' wording for JSON services). */
function refusedSignature(request: Received, region: string): Answer | undefined {
  const authorization = request.headers.authorization ?? '';
  const parts =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  const date = String(request.headers['x-amz-date'] ?? '');
  if (!parts || !date.startsWith(parts[2] ?? '-'))
    return commonError(
      'IncompleteSignatureException',
      "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters, and an 'X-Amz-Date' header of the Credential's day.",
    );
  const [, keyId = '', day = '', scopeRegion, service, signedList = '', signature] = parts;
  const signed = signedList.split(';');
  if (!signed.includes('host'))
    return commonError(
      'IncompleteSignatureException',
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
  const secret = SECRETS[keyId];
  if (secret === undefined)
    return commonError('UnrecognizedClientException', 'The security token included in the request is invalid.');
  if (scopeRegion !== region)
    return commonError(
      'InvalidSignatureException',
      `Credential should be scoped to a valid region, not '${scopeRegion}'.`,
    );
  if (service !== 'athena')
    return commonError('InvalidSignatureException', "Credential should be scoped to correct service: 'athena'.");
  const scope = `${day}/${region}/athena/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, sha256(canonicalRequest(request, signed))].join('\n');
  const key = [day, region, 'athena', 'aws4_request'].reduce<string | Buffer>(
    (k, part) => hmac(k, part),
    `AWS4${secret}`,
  );
  if (createHmac('sha256', key).update(toSign).digest('hex') !== signature) {
    return commonError(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return undefined;
}

/** Who may do what, once the signature holds: an expired session token, then IAM's policy for the key. */
function refusedAccess(request: Received, action: string): Answer | undefined {
  if (request.headers['x-amz-security-token'] === EXPIRED_SESSION)
    return commonError('ExpiredTokenException', 'The security token included in the request is expired');
  if (request.headers.authorization?.includes(`Credential=${DENIED_KEY_ID}/`)) {
    // The wording Athena answers with (recorded in metabase/metabase#55630).
    return awsError(
      'AccessDeniedException',
      `You are not authorized to perform: athena:${action} on the resource. After your AWS administrator or you have updated your permissions, please try again.`,
    );
  }
  return undefined;
}

/** The fields of the requests the stand-in answers (each action's Request Syntax). */
interface AthenaRequest {
  CatalogName?: string;
  DatabaseName?: string;
  MaxResults?: number;
  NextToken?: string;
  QueryString?: string;
  QueryExecutionContext?: { Database?: string };
  QueryExecutionId?: string;
}

interface TableMetadata {
  Name: string;
  CreateTime: number;
  TableType: string;
  Columns: { Name: string; Type: string; Comment?: string }[];
  PartitionKeys: { Name: string; Type: string; Comment?: string }[];
  Parameters: Record<string, string>;
}

/**
 * A table's parameters as Glue keeps them: a view's, Athena's mark of a view (`comment` "Presto
 * View", `presto_view`); a table's, its classification, its comment (CREATE TABLE's COMMENT) and,
 * where a crawler counted it, `recordCount` (docs.aws.amazon.com/glue/latest/dg/table-properties-crawler.html).
 */
function parametersOf(view: boolean, comment: string | undefined, rows: number | undefined): Record<string, string> {
  if (view) return { comment: 'Presto View', presto_view: 'true' };
  return {
    classification: 'parquet',
    ...(comment !== undefined && { comment }),
    ...(rows !== undefined && { recordCount: String(rows) }),
  };
}

/** The warehouse as Glue holds it: each database's tables, in Athena's TableMetadata (API_TableMetadata.html). */
function glueCatalog(warehouse: Warehouse, partitionKeys: Record<string, string[]>) {
  const databases = new Map<string, TableMetadata[]>(
    warehouse.schemas.filter((name) => name !== 'information_schema').map((name) => [name, []]),
  );
  const byName = new Map<string, TableMetadata>();
  const comments = warehouse.details?.comments ?? [];
  const commentOf = (database: string, table: string, column: string | null) =>
    comments.find(([d, t, c]) => d === database && t === table && c === column)?.[3];
  for (const [database, table, type] of warehouse.tables) {
    const view = /view/i.test(type);
    const rows = warehouse.details?.rowCounts.find(([d, t]) => d === database && t === table)?.[2];
    const metadata: TableMetadata = {
      Name: table,
      CreateTime: 1767225600,
      TableType: view ? 'VIRTUAL_VIEW' : 'EXTERNAL_TABLE',
      Columns: [],
      PartitionKeys: [],
      Parameters: parametersOf(view, commentOf(database, table, null), rows),
    };
    databases.get(database)?.push(metadata);
    byName.set(`${database}.${table}`, metadata);
  }
  for (const [database, table, column, type] of warehouse.columns) {
    const metadata = byName.get(`${database}.${table}`);
    const partition = partitionKeys[`${database}.${table}`]?.includes(column);
    const comment = commentOf(database, table, column);
    metadata?.[partition ? 'PartitionKeys' : 'Columns'].push({
      Name: column,
      Type: type,
      ...(comment !== undefined && { Comment: comment }),
    });
  }
  return databases;
}

/**
 * One page of `items`: MaxResults of them at most (1 to `max`), fewer where the stand-in's page size
 * says so, from where the NextToken left off. A token is good for the listing that gave it only.
 * A MaxResults out of range or a token of another listing is refused as an invalid request (the
 * action's documented range; Athena's wording for either is not documented).
 */
function page<T>(items: T[], listing: string, body: AthenaRequest, max: number, pageSize: number) {
  const { MaxResults = max, NextToken } = body;
  if (!Number.isInteger(MaxResults) || MaxResults < 1 || MaxResults > max)
    return { error: invalidRequest(`MaxResults must be between 1 and ${max}.`) };
  let start = 0;
  if (NextToken !== undefined) {
    const [of, offset] = Buffer.from(NextToken, 'base64url').toString().split('\n');
    start = Number(offset);
    if (of !== listing || !Number.isInteger(start) || start <= 0 || start >= items.length)
      return { error: invalidRequest('The NextToken is not valid.') };
  }
  const end = start + Math.min(MaxResults, pageSize);
  const next = end < items.length ? Buffer.from(`${listing}\n${end}`).toString('base64url') : undefined;
  return { items: items.slice(start, end), next };
}

interface Execution {
  id: string;
  sql: string;
  database?: string;
  /** GetQueryExecution answers so far: QUEUED, RUNNING, then the outcome. */
  polls: number;
  submitted: number;
  columns: string[];
  rows: unknown[][];
  failure?: string;
}

/** The query as Athena holds it (API_QueryExecution.html), in the state this poll finds it. */
function queryExecution(execution: Execution) {
  const state = ['QUEUED', 'RUNNING'][execution.polls] ?? (execution.failure ? 'FAILED' : 'SUCCEEDED');
  execution.polls++;
  const done = state === 'SUCCEEDED' || state === 'FAILED';
  return {
    QueryExecution: {
      QueryExecutionId: execution.id,
      Query: execution.sql,
      StatementType: 'DML',
      ResultConfiguration: { OutputLocation: `s3://athena-results/${execution.id}.csv` },
      QueryExecutionContext: { Catalog: CATALOG, ...(execution.database && { Database: execution.database }) },
      Status: {
        State: state,
        SubmissionDateTime: execution.submitted,
        ...(done && { CompletionDateTime: execution.submitted + 1 }),
        // A failure's reason, and its place in the error catalog: category 2 (USER), type 1000
        // ("User error"; https://docs.aws.amazon.com/athena/latest/ug/error-reference.html).
        ...(state === 'FAILED' && {
          StateChangeReason: execution.failure,
          AthenaError: { ErrorCategory: 2, ErrorType: 1000, Retryable: false, ErrorMessage: execution.failure },
        }),
      },
      Statistics: { EngineExecutionTimeInMillis: done ? 120 : 0, DataScannedInBytes: 0 },
      WorkGroup: 'primary',
      EngineVersion: { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' },
    },
  };
}

/** A page of a finished query's rows (API_GetQueryResults.html), the first page led by the columns' names, every value as text. */
function queryResults(execution: Execution, body: AthenaRequest, pageRows: number): Answer {
  const text = (value: unknown) => (value === null || value === undefined ? {} : { VarCharValue: String(value) });
  const rows = [execution.columns, ...execution.rows].map((row) => ({ Data: row.map(text) }));
  const paged = page(rows, `rows of ${execution.id}`, body, 1000, pageRows);
  if (paged.error) return paged.error;
  const columnInfo = execution.columns.map((name) => ({
    CatalogName: 'hive',
    SchemaName: '',
    TableName: '',
    Name: name,
    Label: name,
    Type: 'varchar',
    Precision: 2147483647,
    Scale: 0,
    Nullable: 'UNKNOWN',
    CaseSensitive: true,
  }));
  return json({
    UpdateCount: 0,
    ResultSet: { Rows: paged.items, ResultSetMetadata: { ColumnInfo: columnInfo } },
    NextToken: paged.next,
  });
}

/** A statement as Athena starts it: what it reads, or why it fails (in Trino's words: Athena's engine 3 is Trino). */
function started(sql: string, warehouse: Warehouse, database: string | undefined): Execution {
  const answer = answerSql(sql, 'Athena engine version 3', warehouse);
  const from = /\bfrom\s+("?[\w.]+"?)/i.exec(sql)?.[1] ?? '?';
  return {
    id: randomUUID(),
    sql,
    database,
    polls: 0,
    submitted: Math.floor(Date.now() / 1000),
    columns: answer?.columns ?? [],
    rows: answer?.rows ?? [],
    failure: answer ? undefined : `TABLE_NOT_FOUND: line 1:${sql.indexOf(from) + 1}: Table '${from}' does not exist`,
  };
}

interface Queries {
  executions: Map<string, Execution>;
  warehouse: Warehouse;
  resultRows: number;
}

/** The query actions: start, then the state at each poll, then the rows of a finished query. */
function queryAction(action: string, body: AthenaRequest, queries: Queries): Answer {
  if (action === 'StartQueryExecution') {
    const sql = String(body.QueryString ?? '');
    // The parser refuses what is no query at once (the recorded answer above).
    if (!/^\s*(select|with)\b/i.test(sql)) {
      const first = sql.trim().split(/\s/)[0];
      return invalidRequest(`line 1:1: mismatched input '${first}'. Expecting: 'SELECT', 'WITH'`, 'MALFORMED_QUERY');
    }
    const execution = started(sql, queries.warehouse, body.QueryExecutionContext?.Database);
    queries.executions.set(execution.id, execution);
    return json({ QueryExecutionId: execution.id });
  }
  const execution = queries.executions.get(String(body.QueryExecutionId));
  if (!execution) return invalidRequest(`QueryExecution ${body.QueryExecutionId} was not found`);
  if (action === 'GetQueryExecution') return json(queryExecution(execution));
  // Rows are there once a poll has seen the query end; before, the known refusal.
  if (execution.polls <= 2)
    return invalidRequest(`Query has not yet finished. Current state: ${execution.polls < 2 ? 'QUEUED' : 'RUNNING'}`);
  if (execution.failure) return invalidRequest(execution.failure);
  return queryResults(execution, body, queries.resultRows);
}

/** The catalog actions, ListDatabases and ListTableMetadata, over Glue's catalog. */
function catalogAction(
  action: string,
  body: AthenaRequest,
  catalog: Map<string, TableMetadata[]>,
  pageSize: number,
  region: string,
): Answer {
  // Catalog names are case-insensitive; one Athena does not have is an invalid request (the
  // wording of GetDataCatalog's answer, recorded in mondoohq/mql#10109).
  if (String(body.CatalogName).toLowerCase() !== CATALOG.toLowerCase())
    return invalidRequest(`DataCatalog ${body.CatalogName} was not found.`);
  if (action === 'ListDatabases') {
    const listed = page([...catalog.keys()], 'databases', body, 50, pageSize);
    return listed.error ?? json({ DatabaseList: listed.items.map((Name) => ({ Name })), NextToken: listed.next });
  }
  const database = String(body.DatabaseName);
  const tables = catalog.get(database);
  if (!tables) return metadataError(`Database ${database} not found.`, 'EntityNotFoundException');
  if (database === DENIED_DATABASE) {
    return metadataError(
      `User: arn:aws:iam::123456789012:user/reader is not authorized to perform: glue:GetTables on resource: arn:aws:glue:${region}:123456789012:database/${database} because no identity-based policy allows the glue:GetTables action`,
      'AccessDeniedException',
    );
  }
  const listed = page(tables, `tables of ${database}`, body, 50, pageSize);
  return listed.error ?? json({ TableMetadataList: listed.items, NextToken: listed.next });
}

const QUERY_ACTIONS = new Set(['StartQueryExecution', 'GetQueryExecution', 'GetQueryResults']);
const CATALOG_ACTIONS = new Set(['ListDatabases', 'ListTableMetadata']);

/** Athena in the region of the host it is reached by (athena.<region>.amazonaws.com), with `options`. */
export function athenaHandler(options: AthenaOptions = {}): Handler {
  const { warehouse = ATHENA_WAREHOUSE, partitionKeys = DEFAULT_PARTITION_KEYS, pageSize = 50 } = options;
  // Built again when the warehouse's details are replaced: a test that changes them changes what Glue holds.
  let built: { details: Warehouse['details']; catalog: Map<string, TableMetadata[]> } | undefined;
  const catalogNow = () => {
    if (!built || built.details !== warehouse.details)
      built = { details: warehouse.details, catalog: glueCatalog(warehouse, partitionKeys) };
    return built.catalog;
  };
  const queries: Queries = { executions: new Map(), warehouse, resultRows: options.resultRows ?? 1000 };
  return (request) => {
    const region = /^athena\.([a-z0-9-]+)\.amazonaws\.com$/.exec(request.headers.host ?? '')?.[1] ?? 'us-east-1';
    const action = /^AmazonAthena\.(\w+)$/.exec(String(request.headers['x-amz-target']))?.[1] ?? '';
    const refused = refusedSignature(request, region) ?? refusedAccess(request, action);
    if (refused) return refused;
    const body: AthenaRequest = JSON.parse(request.body || '{}');
    if (QUERY_ACTIONS.has(action)) return queryAction(action, body, queries);
    if (CATALOG_ACTIONS.has(action)) return catalogAction(action, body, catalogNow(), pageSize, region);
    return commonError('UnknownOperationException', `Athena has no operation ${action}.`);
  };
}
