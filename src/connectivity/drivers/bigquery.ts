/**
 * BigQuery over its REST API (v2), signed in with a service account's key: the key's JSON, in
 * base64, as `credentials_base64` (as sqlalchemy-bigquery takes it): bigquery://project/dataset?credentials_base64=….
 * @google-cloud/bigquery opens its own connections, past the network guard, and brings about 30 MB.
 * Its "schemas" are datasets.
 */
import { type Driver, DriverFailure } from './driver.ts';
import type { HttpOptions } from './http.ts';
import { HttpError, requestJson } from './http.ts';
import { privateKeyOf, signJwt } from './jwt.ts';
import { rowsOf, sqlSession } from './sql.ts';

const API = 'https://bigquery.googleapis.com';
const TOKEN_URI = 'https://oauth2.googleapis.com/token';
const SCOPE = 'https://www.googleapis.com/auth/bigquery.readonly';

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

/** Google's errors: 401 for credentials, 403 for access, 404 for a project or dataset not found. */
function classify(error: unknown): unknown {
  if (!(error instanceof HttpError)) return error;
  const message = error.json<{ error?: { message?: string } }>()?.error?.message ?? error.message;
  if (error.status === 401) return new DriverFailure('authentication_failed', message);
  if (error.status === 403) return new DriverFailure('permission_denied', message);
  if (error.status === 404) return new DriverFailure('project_not_found', message);
  return error;
}

async function accessToken(key: ServiceAccountKey, options: HttpOptions): Promise<string> {
  const tokenUri = key.token_uri ?? TOKEN_URI;
  const now = Math.floor(Date.now() / 1000);
  const assertion = signJwt(
    { iss: key.client_email, scope: SCOPE, aud: tokenUri, iat: now, exp: now + 600 },
    privateKeyOf(key.private_key),
  );
  try {
    const answer = await requestJson<{ access_token: string }>(tokenUri, {
      ...options,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
    });
    return answer.access_token;
  } catch (error) {
    // invalid_grant: a key Google does not know (deleted, or of another account).
    if (error instanceof HttpError && error.status < 500)
      throw new DriverFailure('authentication_failed', error.message);
    throw error;
  }
}

interface QueryAnswer {
  jobComplete: boolean;
  schema?: { fields: { name: string }[] };
  rows?: { f: { v: unknown }[] }[];
}

export const bigqueryDriver: Driver = async ({ target, network, timeoutMs, tls, endpoint }) => {
  const project = target.host;
  const base = `${endpoint ?? API}/bigquery/v2/projects/${encodeURIComponent(project)}`;
  const key = keyOf(target.parameters.get('credentials_base64') ?? undefined);
  const options = { network, timeoutMs, tls };
  const headers = { authorization: `Bearer ${await accessToken(key, options)}` };
  const run = async (sql: string) => {
    try {
      const answer = await requestJson<QueryAnswer>(`${base}/queries`, {
        ...options,
        method: 'POST',
        headers,
        body: JSON.stringify({ query: sql, useLegacySql: false, timeoutMs }),
      });
      if (!answer.jobComplete)
        throw Object.assign(new Error('the query did not complete in time'), { code: 'ETIMEDOUT' });
      return rowsOf(
        (answer.schema?.fields ?? []).map((field) => field.name),
        (answer.rows ?? []).map((row) => row.f.map((cell) => cell.v)),
      );
    } catch (error) {
      throw classify(error);
    }
  };
  /** Every dataset of the project, page by page. */
  const datasets = async () => {
    const names: string[] = [];
    let page = '';
    do {
      try {
        const answer = await requestJson<{
          datasets?: { datasetReference: { datasetId: string } }[];
          nextPageToken?: string;
        }>(`${base}/datasets?maxResults=1000${page && `&pageToken=${encodeURIComponent(page)}`}`, {
          ...options,
          headers,
        });
        names.push(...(answer.datasets ?? []).map((dataset) => dataset.datasetReference.datasetId));
        page = answer.nextPageToken ?? '';
      } catch (error) {
        throw classify(error);
      }
    } while (page);
    return names;
  };
  const named = target.database;
  return sqlSession(
    run,
    {
      version: null,
      schemas: named ? async () => [named] : datasets,
      everySchema: datasets,
      tables: (schemas) => perDataset(project, schemas, 'TABLES', 'table_name AS `table`, table_type AS type'),
      columns: (schemas) =>
        perDataset(
          project,
          schemas,
          'COLUMNS',
          'table_name AS `table`, column_name AS `column`, data_type AS type, is_nullable AS nullable',
          'ordinal_position',
        ),
    },
    async () => {},
  );
};

/** The view of each dataset, in one query (INFORMATION_SCHEMA views are per dataset or per region). */
function perDataset(project: string, datasets: string[], view: string, columns: string, order = 'table_name'): string {
  const name = (text: string) => text.replace(/[^A-Za-z0-9_-]/g, '');
  return datasets
    .map(
      (dataset) =>
        `SELECT '${name(dataset)}' AS schema, ${columns}, ${order} AS position FROM \`${name(project)}.${name(dataset)}.INFORMATION_SCHEMA.${view}\``,
    )
    .join(' UNION ALL ')
    .concat(' ORDER BY schema, `table`, position');
}
