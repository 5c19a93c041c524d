/**
 * Snowflake over the HTTP API its connectors speak (log in at /session/v1/login-request, then run
 * statements at /queries/v1/query-request): snowflake-sdk, the official package, weighs about
 * 100 MB with its cloud SDKs and opens its own connections, past the network guard (docs/rest-api.md).
 * snowflake://user:password@account/database/schema?warehouse=…&role=…, or a key pair with
 * `private_key` (PEM or base64 DER) in place of the password.
 */
import { randomUUID } from 'node:crypto';
import { type Driver, DriverFailure } from './driver.ts';
import { HttpError, requestJson } from './http.ts';
import { privateKeyOf, publicKeyFingerprint, signJwt } from './jwt.ts';
import { informationSchema, rowsOf, sqlSession } from './sql.ts';

interface SnowflakeAnswer<T> {
  success: boolean;
  code?: string | null;
  message?: string | null;
  data?: T;
}

/** Snowflake's error codes a user acts on. */
const CODES: Record<string, ConstructorParameters<typeof DriverFailure>[0]> = {
  '390100': 'authentication_failed',
  '390101': 'authentication_failed',
  '390144': 'credentials_invalid',
  '390422': 'authentication_failed',
  '390318': 'token_expired',
  '002003': 'database_not_found',
  '000606': 'warehouse_not_found',
  '002043': 'permission_denied',
};

function failed(answer: SnowflakeAnswer<unknown>): DriverFailure {
  const code = String(answer.code ?? '');
  return new DriverFailure(
    CODES[code] ?? 'connection_failed',
    `${code}: ${answer.message ?? 'Snowflake refused the request'}`,
  );
}

export const snowflakeDriver: Driver = async ({ target, network, timeoutMs, tls, endpoint }) => {
  const account = target.host.replace(/\.snowflakecomputing\.com$/i, '');
  const base = endpoint ?? `https://${account}.snowflakecomputing.com`;
  const [database, schema] = (target.database ?? '').split('/');
  const parameter = (name: string) => target.parameters.get(name) ?? undefined;
  const options = { network, timeoutMs, tls };
  const login = new URLSearchParams({
    requestId: randomUUID(),
    ...(database && { databaseName: database }),
    ...(schema && { schemaName: schema }),
    ...(parameter('warehouse') && { warehouse: parameter('warehouse') as string }),
    ...(parameter('role') && { roleName: parameter('role') as string }),
  });
  const user = target.user ?? '';
  const accountName = account.split('.')[0]?.toUpperCase() ?? '';
  const privateKey = parameter('private_key');
  const credentials = privateKey
    ? {
        AUTHENTICATOR: 'SNOWFLAKE_JWT',
        TOKEN: keyPairToken(accountName, user, privateKey, parameter('private_key_passphrase')),
      }
    : { PASSWORD: target.password ?? '' };
  let session: SnowflakeAnswer<{ token: string }>;
  try {
    session = await requestJson(`${base}/session/v1/login-request?${login}`, {
      ...options,
      method: 'POST',
      body: JSON.stringify({
        data: { ACCOUNT_NAME: accountName, LOGIN_NAME: user, CLIENT_APP_ID: 'database-connection-api', ...credentials },
      }),
    });
  } catch (error) {
    // An account that does not exist has no login page: Snowflake answers 403 or 404 there.
    if (error instanceof HttpError && (error.status === 403 || error.status === 404)) {
      throw new DriverFailure('account_not_found', `no Snowflake account "${account}" (HTTP ${error.status})`);
    }
    throw error;
  }
  if (!session.success || !session.data) throw failed(session);
  const headers = { authorization: `Snowflake Token="${session.data.token}"` };
  const run = async (sql: string) => {
    const answer = await requestJson<SnowflakeAnswer<{ rowtype: { name: string }[]; rowset: unknown[][] }>>(
      `${base}/queries/v1/query-request?requestId=${randomUUID()}`,
      { ...options, method: 'POST', headers, body: JSON.stringify({ sqlText: sql, asyncExec: false, sequenceId: 1 }) },
    );
    if (!answer.success || !answer.data) throw failed(answer);
    return rowsOf(
      answer.data.rowtype.map((column) => column.name),
      answer.data.rowset,
    );
  };
  const inDatabase = database ? `"${database.replaceAll('"', '""')}".` : '';
  return sqlSession(
    run,
    {
      version: 'SELECT CURRENT_VERSION() AS v',
      ...informationSchema(inDatabase, (alias) => `"${alias}"`, 'data_type', 'backslash-escapes'),
    },
    async () => {
      await requestJson(`${base}/session?delete=true&requestId=${randomUUID()}`, {
        ...options,
        method: 'POST',
        headers,
        body: '{}',
      }).catch(() => {});
    },
  );
};

/** The JWT of Snowflake's key-pair login: issued for ACCOUNT.USER by the key's fingerprint, for one minute. */
function keyPairToken(account: string, user: string, text: string, passphrase?: string): string {
  const key = privateKeyOf(text, passphrase);
  const subject = `${account}.${user.toUpperCase()}`;
  const now = Math.floor(Date.now() / 1000);
  return signJwt({ iss: `${subject}.${publicKeyFingerprint(key)}`, sub: subject, iat: now, exp: now + 60 }, key);
}
