/**
 * Google's OAuth 2.0 token endpoint and BigQuery's REST API v2, as Google documents them, in one
 * stand-in that both names lead to (oauth2.googleapis.com, bigquery.googleapis.com):
 *
 * - POST /token, a service account's JWT grant: "Using OAuth 2.0 for Server to Server
 *   Applications" (https://developers.google.com/identity/protocols/oauth2/service-account,
 *   "Making the access token request", "Handling the response", "Error codes");
 * - jobs.query (POST …/projects/{p}/queries), jobs.getQueryResults (GET …/queries/{jobId}) and
 *   datasets.list (GET …/projects/{p}/datasets): https://cloud.google.com/bigquery/docs/reference/rest/v2.
 *   A statement is not complete at first (jobComplete false, its jobReference only), then its
 *   rows come a page at a time, each page naming the next with `pageToken`; datasets are listed
 *   a page at a time with `nextPageToken`;
 * - errors in Google's JSON error object: https://cloud.google.com/bigquery/docs/error-messages
 *   (reason → HTTP status) and https://cloud.google.com/apis/design/errors (status, ErrorInfo).
 *
 * Its answers are read by the official client, @google-cloud/bigquery, in test/vendors/bigquery.test.ts:
 * a stand-in that client cannot read is a broken stand-in.
 */
import { randomBytes } from 'node:crypto';
import { importSPKI, jwtVerify } from 'jose';
import {
  type Answer,
  commentRows,
  type Handler,
  type Received,
  WAREHOUSE,
  type Warehouse,
  type WarehouseDetails,
} from './server.ts';

export const SERVICE_ACCOUNT = 'reader@analytics.iam.gserviceaccount.com';
export const TOKEN_URL = 'https://oauth2.googleapis.com/token';
/** The project that exists; `locked` exists too, but the account may not run jobs in it. */
export const PROJECT = 'analytics';
const LOCKED_PROJECT = 'locked';
/** A dataset with no table, listed first: a listing spans pages, and discovery shows an empty dataset. */
export const EMPTY_DATASET = 'staging';

/**
 * The scopes Google's discovery document of BigQuery v2 lists for jobs.query, jobs.getQueryResults
 * and datasets.list (https://bigquery.googleapis.com/discovery/rest?version=v2): a token granted
 * for none of them (`bigquery.readonly` alone, say) is refused.
 */
const ACCEPTED_SCOPES = [
  'https://www.googleapis.com/auth/bigquery',
  'https://www.googleapis.com/auth/cloud-platform',
  'https://www.googleapis.com/auth/cloud-platform.read-only',
];

export interface BigQueryOptions {
  /** The catalog: its schemas are the project's datasets (but information_schema), after EMPTY_DATASET. */
  warehouse?: Warehouse;
  /** Rows in a page of a result (BigQuery pages by size, up to 10 MB; small here, so every test follows pages). */
  pageRows?: number;
  /** Datasets in a page of datasets.list (at most the maxResults asked). */
  datasetsPerPage?: number;
  /** How many answers a statement gives as not complete before its first page. */
  pendingAnswers?: number;
  /** Where the datasets and jobs are: a single region, which a job's reader must name (`location`). */
  location?: string;
  /**
   * Statements that read a view the account may not read: refused 403 accessDenied (none unless
   * given). Read at each statement: a test may change it on the options it gave.
   */
  refuse?: RegExp;
}

/** Google's error object (https://cloud.google.com/bigquery/docs/error-messages, "Error table"). */
function googleError(status: number, reason: string, message: string, extra: Partial<Answer> = {}): Answer {
  const STATUS: Record<number, string> = {
    400: 'INVALID_ARGUMENT',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED',
    404: 'NOT_FOUND',
  };
  return {
    status,
    ...extra,
    body: { error: { code: status, message, errors: [{ message, domain: 'global', reason }], status: STATUS[status] } },
  };
}

/** An access token Google does not know (or no token): 401 UNAUTHENTICATED (https://cloud.google.com/apis/design/errors, "Error model"). */
const UNAUTHENTICATED = googleError(
  401,
  'authError',
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
  { headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' } },
);

/** A token without an accepted scope: 403 with ErrorInfo ACCESS_TOKEN_SCOPE_INSUFFICIENT (https://cloud.google.com/apis/design/errors). */
function insufficientScopes(method: string): Answer {
  const answer = googleError(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.', {
    headers: {
      'www-authenticate': `Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="${ACCEPTED_SCOPES.join(' ')}"`,
    },
  });
  const { error } = answer.body as { error: Record<string, unknown> };
  error.details = [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
      domain: 'googleapis.com',
      metadata: { service: 'bigquery.googleapis.com', method },
    },
  ];
  return answer;
}

/** The token endpoint's refusal (service-account.html, "Error codes"). */
const refusedGrant = (error: string, description: string): Answer => ({
  status: 400,
  body: { error, error_description: description },
});

/** A statement BigQuery is running: the rows it will give, a page at a time. */
interface Job {
  id: string;
  /** Answers it still gives as not complete. */
  pending: number;
  fields: { name: string; type: string; mode: string }[];
  rows: unknown[][];
  /** Page tokens handed out, to the offset of the page each names. */
  pages: Map<string, number>;
}

/** The stand-in's settings and what it holds: the account's key, the datasets, the tokens granted, the jobs. */
interface Google extends Required<Omit<BigQueryOptions, 'warehouse' | 'refuse'>> {
  refused(sql: string): boolean;
  warehouse: Warehouse;
  publicKeyPem: string;
  datasets: string[];
  /** Access tokens granted, and the scopes each was granted for. */
  tokens: Map<string, string[]>;
  jobs: Map<string, Job>;
}

const opaque = () => randomBytes(12).toString('base64url');

/** Google and BigQuery with `options`, trusting JWTs signed by `publicKeyPem` from SERVICE_ACCOUNT. */
export function bigqueryHandler(publicKeyPem: string, options: BigQueryOptions = {}): Handler {
  const warehouse = options.warehouse ?? WAREHOUSE;
  const google: Google = {
    pageRows: 2,
    datasetsPerPage: 1,
    pendingAnswers: 1,
    location: 'europe-west1',
    ...options,
    warehouse,
    refused: (sql) => options.refuse?.test(sql) ?? false,
    publicKeyPem,
    datasets: [EMPTY_DATASET, ...warehouse.schemas.filter((name) => name !== 'information_schema')],
    tokens: new Map(),
    jobs: new Map(),
  };
  return (request) => answer(google, request);
}

/** Routes a request by its path, whatever the host: the API may be reached at a private endpoint (VENDOR_ENDPOINTS). */
async function answer(google: Google, request: Received): Promise<Answer> {
  const url = new URL(request.path, 'https://bigquery.googleapis.com');
  if (request.method === 'POST' && url.pathname === '/token') return grant(google, request);
  const route = /^\/bigquery\/v2\/projects\/([^/]+)\/(queries|datasets)(?:\/([^/]+))?$/.exec(url.pathname);
  if (!route) return googleError(404, 'notFound', `Not found: URL ${url.pathname}`);
  const [, project = '', collection, jobId] = route;
  const method =
    collection === 'datasets'
      ? 'google.cloud.bigquery.v2.DatasetService.ListDatasets'
      : jobId
        ? 'google.cloud.bigquery.v2.JobService.GetQueryResults'
        : 'google.cloud.bigquery.v2.JobService.Query';
  const [scheme, token = ''] = (request.headers.authorization ?? '').split(' ');
  const scopes = scheme === 'Bearer' ? google.tokens.get(token) : undefined;
  if (!scopes) return UNAUTHENTICATED;
  if (!scopes.some((scope) => ACCEPTED_SCOPES.includes(scope))) return insufficientScopes(method);
  if (project === LOCKED_PROJECT)
    return googleError(
      403,
      'accessDenied',
      `Access Denied: Project ${project}: User does not have bigquery.jobs.create permission in project ${project}.`,
    );
  if (project !== PROJECT) return googleError(404, 'notFound', `Not found: Project ${project}`);
  if (collection === 'datasets' && request.method === 'GET') return listDatasets(google, project, url.searchParams);
  if (jobId && request.method === 'GET') return queryResults(google, project, jobId, url.searchParams);
  if (!jobId && request.method === 'POST') return query(google, project, JSON.parse(request.body || '{}'));
  return googleError(404, 'notFound', `Not found: URL ${url.pathname}`);
}

/** The JWT grant: the assertion verified against the account's key, its claims as Google checks them. */
async function grant(google: Google, request: Received): Promise<Answer> {
  const form = new URLSearchParams(request.body);
  if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
    return refusedGrant('unsupported_grant_type', 'Invalid grant_type: ');
  try {
    const { payload } = await jwtVerify(form.get('assertion') ?? '', await importSPKI(google.publicKeyPem, 'RS256'), {
      algorithms: ['RS256'],
      issuer: SERVICE_ACCOUNT,
      audience: TOKEN_URL,
      maxTokenAge: '60m',
      requiredClaims: ['iat', 'exp'],
    });
    if ((payload.exp as number) - (payload.iat as number) > 3600) throw new RangeError('not short-lived');
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    if (scopes.length === 0) return refusedGrant('invalid_scope', 'Empty or missing scope not allowed.');
    const token = `ya29.${opaque()}`;
    google.tokens.set(token, scopes);
    return { body: { access_token: token, expires_in: 3599, token_type: 'Bearer' } };
  } catch (error) {
    const { code, claim } = error as { code?: string; claim?: string };
    // Signed by another key than the account's, or for another account.
    if (code?.startsWith('ERR_JWS') || code === 'ERR_JWT_INVALID' || claim === 'iss')
      return refusedGrant('invalid_grant', 'Invalid JWT Signature.');
    if (claim === 'aud')
      return refusedGrant(
        'invalid_grant',
        `Invalid JWT: Failed audience check. The expected audience is ${TOKEN_URL}.`,
      );
    return refusedGrant(
      'invalid_grant',
      'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
    );
  }
}

/** jobs.query: the statement becomes a job, whose first answer is not complete yet (unless pendingAnswers is 0). */
function query(google: Google, project: string, body: { query?: string }): Answer {
  const planned = plan(project, body.query ?? '', google);
  if ('body' in planned) return planned;
  const job: Job = { id: `job_${opaque()}`, pending: google.pendingAnswers, pages: new Map(), ...planned };
  google.jobs.set(job.id, job);
  return { body: results(google, project, job, 0, 'bigquery#queryResponse') };
}

/** The job's state: not complete while it is pending, then the page that starts at `offset`. */
function results(google: Google, project: string, job: Job, offset: number, kind: string) {
  const jobReference = { projectId: project, jobId: job.id, location: google.location };
  if (job.pending > 0) {
    job.pending--;
    return { kind, jobReference, jobComplete: false };
  }
  const end = offset + google.pageRows;
  const rows = job.rows.slice(offset, end);
  const next = end < job.rows.length ? opaque() : undefined;
  if (next) job.pages.set(next, end);
  return {
    kind,
    schema: { fields: job.fields },
    jobReference,
    totalRows: String(job.rows.length),
    ...(next && { pageToken: next }),
    // BigQuery leaves `rows` out of a page with none.
    ...(rows.length > 0 && {
      rows: rows.map((row) => ({ f: row.map((v) => ({ v: v === null ? null : String(v) })) })),
    }),
    totalBytesProcessed: '0',
    jobComplete: true,
    cacheHit: false,
  };
}

/**
 * jobs.getQueryResults: a job is found where it runs only (its location), a page by the token handed
 * out; a token it did not hand out is `invalid` (400, error-messages "Error table"; the words are the stand-in's).
 */
function queryResults(google: Google, project: string, jobId: string, search: URLSearchParams): Answer {
  const job = google.jobs.get(jobId);
  const asked = search.get('location') ?? 'US';
  if (!job || asked !== google.location)
    return googleError(404, 'notFound', `Not found: Job ${project}:${asked}.${jobId}`);
  const token = search.get('pageToken');
  const offset = token === null ? 0 : job.pages.get(token);
  if (offset === undefined) return googleError(400, 'invalid', `Invalid page token: ${token}`);
  return { body: results(google, project, job, offset, 'bigquery#getQueryResultsResponse') };
}

/** datasets.list, a page at a time; a page token it did not hand out is `invalid`, as for a job's rows. */
function listDatasets(google: Google, project: string, search: URLSearchParams): Answer {
  const token = search.get('pageToken');
  const start = token === null ? 0 : Number(Buffer.from(token, 'base64url').toString());
  if (token !== null && !(Number.isInteger(start) && start > 0))
    return googleError(400, 'invalid', `Invalid page token: ${token}`);
  const end = start + Math.min(google.datasetsPerPage, Number(search.get('maxResults') ?? 50));
  const next = end < google.datasets.length ? Buffer.from(String(end)).toString('base64url') : undefined;
  return {
    body: {
      kind: 'bigquery#datasetList',
      etag: opaque(),
      datasets: google.datasets.slice(start, end).map((datasetId) => ({
        kind: 'bigquery#dataset',
        id: `${project}:${datasetId}`,
        datasetReference: { datasetId, projectId: project },
        location: google.location,
      })),
      ...(next && { nextPageToken: next }),
    },
  };
}

const REFERENCE = /`([\w-]+)\.([\w-]+)\.(INFORMATION_SCHEMA\.[A-Z_]+|__TABLES__)`/g;

const field = (name: string, type = 'STRING') => ({ name, type, mode: 'NULLABLE' });

/** Each column of each key, as the keys' statement selects them: a foreign key's with its referenced column's place in the primary key. */
function keyRows(details: WarehouseDetails | undefined): Pick<Job, 'fields' | 'rows'> {
  const primaryKeys = details?.primaryKeys ?? [];
  const primary = primaryKeys.flatMap(([schema, table, name, columns]) =>
    columns.map((column, i) => [schema, table, 'primary', name, name, column, null, null, null, i + 1]),
  );
  const positionIn = (schema: string, table: string, column: string | undefined) =>
    (primaryKeys.find(([s, t]) => s === schema && t === table)?.[3].indexOf(column ?? '') ?? -2) + 1;
  const foreign = (details?.foreignKeys ?? []).flatMap((key) =>
    key.columns.map((column, i) => [
      ...[key.schema, key.table, 'foreign', key.name, key.name, column, key.referencedSchema, key.referencedTable],
      ...[positionIn(key.referencedSchema, key.referencedTable, key.referencedColumns[i]), i + 1],
    ]),
  );
  // ORDER BY schema, `table`, kind, `key`, position.
  const order = (row: unknown[]) => row.slice(0, 4).join('\u0000');
  const rows = [...primary, ...foreign].sort((a, b) =>
    order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : Number(a[9]) - Number(b[9]),
  );
  const names = ['schema', 'table', 'kind', 'key', 'name', 'column', 'referenced_schema', 'referenced_table'];
  return {
    fields: [
      ...names.map((name) => field(name)),
      field('referenced_position', 'INTEGER'),
      field('position', 'INTEGER'),
    ],
    rows,
  };
}

/** What each view read first gives: its rows from the datasets `named`, with the statement's columns. */
function viewRows(view: string, named: Set<string>, warehouse: Warehouse): Pick<Job, 'fields' | 'rows'> {
  const details = warehouse.details;
  const inNamed = (rows: unknown[][]) => rows.filter(([schema]) => named.has(String(schema)));
  if (view === 'INFORMATION_SCHEMA.KEY_COLUMN_USAGE') {
    const keys = keyRows(details);
    return { ...keys, rows: inNamed(keys.rows) };
  }
  if (view === 'INFORMATION_SCHEMA.TABLE_OPTIONS') {
    // A description in TABLE_OPTIONS is an option's value, a string literal; in COLUMN_FIELD_PATHS, the text.
    const rows = commentRows(details).map(([schema, table, column, comment]) => [
      ...[schema, table, column],
      column === null ? JSON.stringify(comment) : comment,
    ]);
    return { fields: ['schema', 'table', 'column', 'comment'].map((name) => field(name)), rows: inNamed(rows) };
  }
  if (view === '__TABLES__')
    return {
      fields: [field('schema'), field('table'), field('rows', 'INTEGER')],
      rows: inNamed(details?.rowCounts ?? []),
    };
  if (view === 'INFORMATION_SCHEMA.TABLES') {
    const rows = inNamed(warehouse.tables).map((row) => [...row, row[1]]);
    return { fields: [...['schema', 'table', 'type'].map((name) => field(name)), field('position')], rows };
  }
  // ordinal_position: from 1 in each table.
  const seen = new Map<string, number>();
  const rows = inNamed(warehouse.columns).map((row) => {
    const position = (seen.get(`${row[0]}.${row[1]}`) ?? 0) + 1;
    seen.set(`${row[0]}.${row[1]}`, position);
    return [...row, position];
  });
  return {
    fields: [
      ...['schema', 'table', 'column', 'type', 'nullable'].map((name) => field(name)),
      field('position', 'INTEGER'),
    ],
    rows,
  };
}

/**
 * What BigQuery makes of the statements the driver sends: `SELECT 1` (its one column unnamed,
 * so `f0_`), and the INFORMATION_SCHEMA views (or __TABLES__) of the datasets it names, with the
 * columns the statement names; any dataset it names must exist (404 notFound, as BigQuery says it),
 * and the account must be let read it (403 accessDenied where `refuse` says not).
 */
function plan(
  project: string,
  sql: string,
  { warehouse, datasets, location, refused }: Google,
): Pick<Job, 'fields' | 'rows'> | Answer {
  if (/^\s*select 1\s*$/i.test(sql)) return { fields: [field('f0_', 'INTEGER')], rows: [[1]] };
  const references = [...sql.matchAll(REFERENCE)];
  // invalidQuery: 400 (error-messages "Error table"); the words are the stand-in's, in the form of BigQuery's "Syntax error: … at [1:1]".
  if (references.length === 0)
    return googleError(400, 'invalidQuery', 'Syntax error: the stand-in has no answer to this statement at [1:1]');
  for (const [, , dataset] of references) {
    if (!datasets.includes(dataset as string))
      return googleError(
        404,
        'notFound',
        `Not found: Dataset ${project}:${dataset} was not found in location ${location}`,
      );
  }
  const [, , dataset, view = ''] = references[0] ?? [];
  // accessDenied: 403 (error-messages "Error table"), in the words BigQuery gives a table the account may not read.
  if (refused(sql))
    return googleError(
      403,
      'accessDenied',
      `Access Denied: Table ${project}:${dataset}.${view}: User does not have permission to query table ${project}:${dataset}.${view}.`,
    );
  return viewRows(view, new Set(references.map((reference) => reference[2] as string)), warehouse);
}
