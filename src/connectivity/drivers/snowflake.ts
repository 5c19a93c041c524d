/**
 * Snowflake over the HTTP API its connectors speak, sending what its official Node.js client,
 * snowflake-sdk, sends (test/vendors/snowflake.test.ts compares the two): log in at
 * /session/v1/login-request (a password, or a key-pair JWT minted with jose), run statements at
 * /queries/v1/query-request, ask an answer in progress again at its getResultUrl, read a long
 * result's chunks from the cloud storage Snowflake names, end the session. snowflake-sdk itself
 * weighs about 120 MB with its cloud SDKs and opens its own connections, past the network guard
 * (docs/rest-api.md). snowflake://user:password@account/database/schema?warehouse=…&role=…, or a
 * key pair with `private_key` (PEM or base64 DER) in place of the password.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { nameAsRead } from '../../dialects/names.ts';
import { dialectNamed } from '../../dialects/registry.ts';
import type { Target } from '../target.ts';
import { type ConnectOptions, type Driver, DriverFailure } from './driver.ts';
import { HttpError, type HttpOptions, MAX_ANSWER_BYTES, request, requestJson } from './http.ts';
import { privateKeyOf, publicKeyFingerprint } from './jwt.ts';
import { snowflakeCatalog } from './snowflake-catalog.ts';
import { rowsOf, sqlSession } from './sql.ts';

/**
 * The client whose requests these are, as it names itself to Snowflake, which picks the shape of
 * its answers by it (JSON rows for this one); kept equal to the snowflake-sdk the tests compare with.
 */
export const SNOWFLAKE_CLIENT = { id: 'JavaScript', version: '3.4.1' } as const;
/** How this service names itself: the application on whose behalf the client connects. */
const APPLICATION = 'database-connection-api';

interface SnowflakeAnswer<T> {
  success: boolean;
  code?: string | null;
  message?: string | null;
  data?: T;
}

/** What a statement's answer holds: its result (the first rows, and the chunks of the others), or where to ask again. */
interface ResultData {
  rowtype?: { name: string }[];
  rowset?: unknown[][];
  total?: number;
  queryResultFormat?: string;
  chunks?: { url: string; rowCount: number }[];
  qrmk?: string;
  chunkHeaders?: Record<string, string>;
  getResultUrl?: string;
}

/** Snowflake's error codes a user acts on. */
const CODES: Record<string, ConstructorParameters<typeof DriverFailure>[0]> = {
  '390100': 'authentication_failed',
  '390101': 'authentication_failed',
  // "JWT token is invalid": the key that signed it is not the user's registered one, or the claims do not name them.
  '390144': 'authentication_failed',
  '390422': 'authentication_failed',
  '390318': 'token_expired',
  '002003': 'database_not_found',
  '000606': 'warehouse_not_found',
  '002043': 'permission_denied',
  // "SQL access control error: Insufficient privileges to operate on …".
  '003001': 'permission_denied',
};

/** A statement still running: detached from its request (333334), or still so when asked again (333333). */
const IN_PROGRESS = new Set(['333333', '333334']);

function failed(answer: SnowflakeAnswer<unknown>): DriverFailure {
  const code = String(answer.code ?? '');
  return new DriverFailure(
    CODES[code] ?? 'connection_failed',
    `${code}: ${answer.message ?? 'Snowflake refused the request'}`,
  );
}

/** The query of a request's URL: `parameters` where given, between the ids every request of snowflake-sdk carries. */
function withIds(parameters: Record<string, string | undefined> = {}, requestId = true): string {
  const query = new URLSearchParams(requestId ? { requestId: randomUUID() } : {});
  for (const [name, value] of Object.entries(parameters)) if (value) query.set(name, value);
  query.set('request_guid', randomUUID());
  return query.toString();
}

export const snowflakeDriver: Driver = async (options) => {
  const { target, network, timeoutMs, tls, endpoint } = options;
  const account = target.host.replace(/\.snowflakecomputing\.com$/i, '');
  const base = endpoint ?? `https://${account}.snowflakecomputing.com`;
  const http = { network, timeoutMs, tls };
  /** A request to the account's API: its JSON answer, a refusal in JSON read as Snowflake's answer. */
  const call = async <T>(path: string, init: Pick<HttpOptions, 'method' | 'headers' | 'body'>) => {
    try {
      const headers = { 'user-agent': APPLICATION, ...init.headers };
      return await requestJson<SnowflakeAnswer<T>>(`${base}${path}`, { ...http, ...init, headers });
    } catch (error) {
      const answer = error instanceof HttpError ? error.json<SnowflakeAnswer<T>>() : undefined;
      if (answer?.code) throw failed(answer);
      throw error;
    }
  };
  const token = await logIn(call, target, account);
  const authorization = `Snowflake Token="${token}"`;
  // Statements ask for Snowflake's own answer type, as snowflake-sdk's do.
  const headers = { accept: 'application/snowflake', authorization };
  const run = async (sql: string) => {
    const body = JSON.stringify({ disableOfflineChunks: false, sqlText: sql, queryContextDTO: { entries: [] } });
    let answer = await call<ResultData>(`/queries/v1/query-request?${withIds()}`, { method: 'POST', headers, body });
    while (answer.success && IN_PROGRESS.has(String(answer.code))) {
      answer = await call<ResultData>(resultPath(answer.data?.getResultUrl), { method: 'GET', headers });
    }
    if (!answer.success || !answer.data) throw failed(answer);
    const columns = (answer.data.rowtype ?? []).map((column) => column.name);
    return rowsOf(columns, await resultRows(answer.data, options));
  };
  const [database] = (target.database ?? '').split('/');
  // Named in SQL as Snowflake reads the URI's name: `sales_db` is SALES_DB, `"sales_db"` is sales_db.
  const named = database ? `"${nameAsRead(dialectNamed('snowflake'), database).replaceAll('"', '""')}"` : '';
  return sqlSession(run, { version: 'SELECT CURRENT_VERSION() AS v', ...snowflakeCatalog(named) }, async () => {
    const end = { method: 'POST', headers: { authorization }, body: '' };
    await call(`/session?delete=true&${withIds()}`, end).catch(() => {});
  });
};

/** Where to ask again for a statement in progress: the path Snowflake names, on the account's own API. */
function resultPath(getResultUrl: string | undefined): string {
  if (!getResultUrl) throw new DriverFailure('connection_failed', 'Snowflake named no URL for a statement in progress');
  const url = new URL(getResultUrl, 'https://account.invalid');
  return `${url.pathname}?${withIds(Object.fromEntries(url.searchParams), false)}`;
}

type Call = <T>(path: string, init: Pick<HttpOptions, 'method' | 'headers' | 'body'>) => Promise<SnowflakeAnswer<T>>;

/** Logs in as snowflake-sdk does, the database and schema as written (Snowflake reads them); resolves the session's token. */
async function logIn(call: Call, target: Target, account: string): Promise<string> {
  const parameter = (name: string) => target.parameters.get(name) || undefined;
  const [database, schema] = (target.database ?? '').split('/');
  const path = `/session/v1/login-request?${withIds({
    warehouse: parameter('warehouse'),
    databaseName: database,
    schemaName: schema,
    roleName: parameter('role'),
  })}`;
  const accountName = account.split('.')[0] ?? '';
  const user = target.user ?? '';
  const privateKey = parameter('private_key');
  const credentials = privateKey
    ? {
        AUTHENTICATOR: 'SNOWFLAKE_JWT',
        TOKEN: await keyPairToken(accountName, user, privateKey, parameter('private_key_passphrase')),
      }
    : { AUTHENTICATOR: 'SNOWFLAKE', PASSWORD: target.password ?? '' };
  const data = {
    ACCOUNT_NAME: accountName,
    CLIENT_APP_ID: SNOWFLAKE_CLIENT.id,
    CLIENT_APP_VERSION: SNOWFLAKE_CLIENT.version,
    CLIENT_ENVIRONMENT: { APPLICATION },
    LOGIN_NAME: user,
    ...credentials,
    // No MFA or ID token to keep: each test logs in afresh.
    SESSION_PARAMETERS: { CLIENT_REQUEST_MFA_TOKEN: false, CLIENT_STORE_TEMPORARY_CREDENTIAL: false },
  };
  const headers = { client_app_id: SNOWFLAKE_CLIENT.id, client_app_version: SNOWFLAKE_CLIENT.version };
  let session: SnowflakeAnswer<{ token?: string }>;
  try {
    session = await call(path, { method: 'POST', headers, body: JSON.stringify({ data }) });
  } catch (error) {
    // An account that does not exist has no login page: Snowflake answers 403 or 404 there.
    if (error instanceof HttpError && (error.status === 403 || error.status === 404)) {
      throw new DriverFailure('account_not_found', `no Snowflake account "${account}" (HTTP ${error.status})`);
    }
    throw error;
  }
  if (!session.success || !session.data?.token) throw failed(session);
  return session.data.token;
}

/**
 * The JWT of Snowflake's key-pair login (docs.snowflake.com/en/user-guide/key-pair-auth): issued
 * for ACCOUNT.USER by the key's fingerprint, valid for two minutes as snowflake-sdk's.
 */
async function keyPairToken(account: string, user: string, text: string, passphrase?: string): Promise<string> {
  const key = privateKeyOf(text, passphrase);
  const subject = `${account.toUpperCase()}.${user.toUpperCase()}`;
  try {
    return await new SignJWT()
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(`${subject}.${publicKeyFingerprint(key)}`)
      .setSubject(subject)
      .setIssuedAt()
      .setExpirationTime('120s')
      .sign(key);
  } catch {
    throw new DriverFailure(
      'credentials_invalid',
      'the private key is not an RSA key, which Snowflake’s key pairs are',
    );
  }
}

/**
 * Every row of a result: those of the answer, then those of each chunk in turn, from where
 * Snowflake keeps them (its cloud storage). A result that does not come whole is a failure, never
 * a shorter list.
 */
async function resultRows(data: ResultData, options: ConnectOptions): Promise<unknown[][]> {
  if (data.queryResultFormat !== undefined && data.queryResultFormat !== 'json')
    throw new DriverFailure('connection_failed', `Snowflake answered in ${data.queryResultFormat}, not JSON rows`);
  const rows = [...(data.rowset ?? [])];
  const headers = chunkHeaders(data);
  let bytes = 0;
  for (const chunk of data.chunks ?? []) {
    const text = await chunkText(chunk.url, headers, options);
    bytes += text.length;
    if (bytes > MAX_ANSWER_BYTES)
      throw new DriverFailure('connection_failed', `Snowflake's result is over ${MAX_ANSWER_BYTES / 2 ** 20} MiB`);
    for (const row of chunkRows(text)) rows.push(row);
  }
  if (typeof data.total === 'number' && rows.length !== data.total)
    throw new DriverFailure(
      'connection_failed',
      `Snowflake's result came with ${rows.length} of its ${data.total} rows`,
    );
  return rows;
}

/** The headers a chunk is fetched with: those the answer names, or the key (`qrmk`) its storage encrypted it with. */
function chunkHeaders(data: ResultData): Record<string, string> {
  if (data.chunkHeaders && typeof data.chunkHeaders === 'object') return data.chunkHeaders;
  return data.qrmk
    ? {
        'x-amz-server-side-encryption-customer-algorithm': 'AES256',
        'x-amz-server-side-encryption-customer-key': data.qrmk,
      }
    : {};
}

/**
 * A chunk's text, over HTTPS only and through the network guard like every host the driver
 * reaches. The session's token stays with Snowflake's API; the connection's CA and client
 * certificate are those of the account's endpoint, not of the cloud's storage.
 */
async function chunkText(url: string, headers: Record<string, string>, options: ConnectOptions): Promise<string> {
  if (!/^https:\/\//i.test(url))
    throw new DriverFailure('connection_failed', 'Snowflake named a result chunk not on HTTPS');
  const { network, timeoutMs } = options;
  return (await request(url, { network, timeoutMs, tls: null, headers: { 'user-agent': APPLICATION, ...headers } }))
    .body;
}

/** A chunk's rows: JSON arrays separated by commas, without the brackets that would enclose them. */
function chunkRows(text: string): unknown[][] {
  try {
    const rows = JSON.parse(`[${text}]`);
    if (Array.isArray(rows) && rows.every(Array.isArray)) return rows;
  } catch {}
  throw new DriverFailure('connection_failed', 'a chunk of Snowflake’s result is not rows of JSON');
}
