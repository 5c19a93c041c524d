/**
 * BigQuery over its REST API (v2), signed in with a service account's key: the key's JSON, in
 * base64, as `credentials_base64` (as sqlalchemy-bigquery takes it): bigquery://project/dataset?credentials_base64=….
 * @google-cloud/bigquery opens its own connections, past the network guard, and brings about 14 MB;
 * the JWT of the sign-in is made by jose, which opens none. Its "schemas" are datasets.
 * What it sends is compared with what @google-cloud/bigquery sends in test/vendors/bigquery.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';
import { bigqueryCatalog } from './bigquery-catalog.ts';
import { type Driver, DriverFailure } from './driver.ts';
import type { HttpOptions } from './http.ts';
import { HttpError, requestJson } from './http.ts';
import { rowsOf, sqlSession } from './sql.ts';

const API = 'https://bigquery.googleapis.com';
const TOKEN_URI = 'https://oauth2.googleapis.com/token';
/**
 * The scope @google-cloud/bigquery asks for. Google's discovery document accepts `bigquery`,
 * `cloud-platform` and `cloud-platform.read-only` for jobs.query, jobs.getQueryResults and
 * datasets.list: not `bigquery.readonly`. What the account may read is its IAM roles' to say.
 */
const SCOPE = 'https://www.googleapis.com/auth/bigquery';
/** How this service names itself to Google. */
const USER_AGENT = 'database-connection-api';

interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  token_uri?: string;
}

function keyOf(encoded: string | undefined): ServiceAccountKey {
  if (!encoded)
    throw new DriverFailure(
      'credentials_invalid',
      'the URI has no credentials_base64 (a service account key, in base64)',
    );
  try {
    const key = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as ServiceAccountKey;
    if (typeof key.client_email === 'string' && typeof key.private_key === 'string') return key;
  } catch {}
  throw new DriverFailure(
    'credentials_invalid',
    'credentials_base64 is not a service account key (base64 of its JSON file)',
  );
}

/**
 * Google's errors (https://cloud.google.com/bigquery/docs/error-messages): 401 for credentials,
 * 403 for access, 404 for a dataset (`Not found: Dataset p:d`) or a project not found.
 */
function classify(error: unknown): unknown {
  if (!(error instanceof HttpError)) return error;
  const message = error.json<{ error?: { message?: string } }>()?.error?.message ?? error.message;
  if (error.status === 401) return new DriverFailure('authentication_failed', message);
  if (error.status === 403) return new DriverFailure('permission_denied', message);
  if (error.status === 404)
    return new DriverFailure(/^Not found: Dataset\b/.test(message) ? 'unknown_schema' : 'project_not_found', message);
  return error;
}

/** The JWT of the grant, as Google documents it (iss, scope, aud, iat, exp), signed RS256 with the account's PKCS#8 key. */
async function assertionOf(key: ServiceAccountKey, audience: string): Promise<string> {
  let privateKey: CryptoKey;
  try {
    privateKey = await importPKCS8(key.private_key, 'RS256');
  } catch {
    throw new DriverFailure(
      'credentials_invalid',
      'the private_key of the service account key is not an RSA PKCS#8 PEM key',
    );
  }
  // Used at once: ten minutes is plenty, and a shorter life leaves less to replay.
  return new SignJWT({ scope: SCOPE })
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuer(key.client_email)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(privateKey);
}

async function accessToken(key: ServiceAccountKey, options: HttpOptions): Promise<string> {
  const tokenUri = key.token_uri ?? TOKEN_URI;
  const assertion = await assertionOf(key, tokenUri);
  let answer: { access_token?: unknown };
  try {
    answer = await requestJson(tokenUri, {
      ...options,
      method: 'POST',
      headers: { 'user-agent': USER_AGENT, 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
    });
  } catch (error) {
    // invalid_grant: a key Google does not know (deleted, or of another account), or a clock far off.
    if (!(error instanceof HttpError) || error.status >= 500) throw error;
    const refusal = error.json<{ error?: string; error_description?: string }>();
    const message = refusal?.error ? `${refusal.error}: ${refusal.error_description ?? ''}` : error.message;
    throw new DriverFailure('authentication_failed', message);
  }
  if (typeof answer.access_token !== 'string')
    throw new DriverFailure('connection_failed', `${new URL(tokenUri).host} answered with no access_token`);
  return answer.access_token;
}

/** jobs.query's and jobs.getQueryResults' answers, the fields read. */
interface QueryAnswer {
  jobComplete?: boolean;
  jobReference?: { jobId: string; location?: string };
  schema?: { fields: { name: string }[] };
  rows?: { f: { v: unknown }[] }[];
  pageToken?: string;
}

export const bigqueryDriver: Driver = async ({ target, network, timeoutMs, tls, endpoint }) => {
  const project = target.host;
  const base = `${endpoint ?? API}/bigquery/v2/projects/${encodeURIComponent(project)}`;
  const key = keyOf(target.parameters.get('credentials_base64') ?? undefined);
  const options = { network, timeoutMs, tls };
  const headers = { 'user-agent': USER_AGENT, authorization: `Bearer ${await accessToken(key, options)}` };
  const call = async <T>(path: string, query: Record<string, string | undefined>, body?: unknown) => {
    // Compact JSON answers, as Google's clients ask them.
    const search = new URLSearchParams({ ...definedOnly(query), prettyPrint: 'false' });
    try {
      return await requestJson<T>(`${base}${path}?${search}`, {
        ...options,
        headers,
        ...(body !== undefined && { method: 'POST', body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw classify(error);
    }
  };
  return sqlSession(
    (sql) => runQuery(call, sql, timeoutMs),
    {
      version: null,
      schemas: target.database ? async () => [target.database as string] : () => datasets(call),
      everySchema: () => datasets(call),
      ...bigqueryCatalog(project),
    },
    async () => {},
  );
};

type Call = <T>(path: string, query: Record<string, string | undefined>, body?: unknown) => Promise<T>;

const definedOnly = (query: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined));

/**
 * Runs a statement with jobs.query, then reads the job with jobs.getQueryResults while it is not
 * complete and while its result has pages (`pageToken`), as @google-cloud/bigquery's query() does.
 * BigQuery holds each answer up to `timeoutMs` of ours halved, so it answers "not complete yet"
 * before this side's request gives up; the statement as a whole has `timeoutMs`.
 */
async function runQuery(call: Call, sql: string, timeoutMs: number) {
  const wait = Math.max(1, Math.floor(timeoutMs / 2));
  const deadline = Date.now() + timeoutMs;
  let answer = await call<QueryAnswer>(
    '/queries',
    {},
    {
      formatOptions: { useInt64Timestamp: true },
      query: sql,
      useLegacySql: false,
      requestId: randomUUID(),
      timeoutMs: wait,
    },
  );
  const job = answer.jobReference;
  let columns: string[] = [];
  const values: unknown[][] = [];
  for (;;) {
    if (answer.jobComplete) {
      if (answer.schema) columns = answer.schema.fields.map((field) => field.name);
      for (const row of answer.rows ?? []) values.push(row.f.map((cell) => cell.v));
      if (!answer.pageToken) return rowsOf(columns, values);
    } else if (Date.now() >= deadline) {
      throw Object.assign(new Error('the query did not complete in time'), { code: 'ETIMEDOUT' });
    }
    if (!job) throw new DriverFailure('connection_failed', 'BigQuery named no job to read the rest of the result from');
    answer = await call<QueryAnswer>(`/queries/${encodeURIComponent(job.jobId)}`, {
      location: job.location,
      'formatOptions.useInt64Timestamp': 'true',
      ...(answer.jobComplete ? { pageToken: answer.pageToken } : { timeoutMs: String(wait) }),
    });
  }
}

/** Every dataset of the project, page by page (datasets.list). */
async function datasets(call: Call): Promise<string[]> {
  const names: string[] = [];
  let pageToken: string | undefined;
  do {
    const answer = await call<{ datasets?: { datasetReference: { datasetId: string } }[]; nextPageToken?: string }>(
      '/datasets',
      { maxResults: '1000', pageToken },
    );
    names.push(...(answer.datasets ?? []).map((dataset) => dataset.datasetReference.datasetId));
    pageToken = answer.nextPageToken;
  } while (pageToken);
  return names;
}
