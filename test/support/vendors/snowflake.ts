/**
 * Snowflake's connector API as its drivers speak it: POST /session/v1/login-request (password, or
 * a key-pair JWT), POST /queries/v1/query-request with the session token, POST /session?delete=true;
 * answers with Snowflake's documented success and error bodies (HTTP 200, `success: false`, a code).
 */
import { createPublicKey, verify } from 'node:crypto';
import { answerSql, type Handler, type Received } from './server.ts';

export const SNOWFLAKE_VERSION = '8.44.2';
const TOKEN = 'snowflake-session-token';

const failure = (code: string, message: string) => ({ body: { success: false, code, message, data: null } });

function jwtValid(token: string, publicKeyPem: string): boolean {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return false;
  return verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${payload}`),
    createPublicKey(publicKeyPem),
    Buffer.from(signature, 'base64url'),
  );
}

/** Accepts `ana` with `password`, or any user with a JWT signed by `publicKeyPem`; account GONE does not exist. */
export function snowflakeHandler(publicKeyPem: string): Handler {
  const sessions = new Map<string, URLSearchParams>();
  return (request: Received) => {
    const url = new URL(request.path, 'http://x');
    if (url.pathname === '/session/v1/login-request') {
      const { data } = JSON.parse(request.body);
      if (data.ACCOUNT_NAME === 'GONE') return { status: 403, body: '<html>Forbidden</html>', type: 'text/html' };
      const ok =
        data.AUTHENTICATOR === 'SNOWFLAKE_JWT'
          ? jwtValid(data.TOKEN, publicKeyPem)
          : data.LOGIN_NAME === 'ana' && data.PASSWORD === 'password';
      if (!ok)
        return data.AUTHENTICATOR === 'SNOWFLAKE_JWT'
          ? failure('390144', 'JWT token is invalid.')
          : failure('390100', 'Incorrect username or password was specified.');
      sessions.set(TOKEN, url.searchParams);
      return {
        body: {
          success: true,
          code: null,
          message: null,
          data: { token: TOKEN, masterToken: 'master', validityInSeconds: 3600 },
        },
      };
    }
    const login = sessions.get(/Snowflake Token="([^"]+)"/.exec(request.headers.authorization ?? '')?.[1] ?? '');
    if (!login) return { status: 401, body: failure('390112', 'Your session has expired. Please login again.').body };
    if (url.pathname === '/session') return { body: { success: true, code: null, message: null, data: null } };
    if (url.pathname === '/queries/v1/query-request') {
      if (login.get('warehouse') === 'missing')
        return failure('000606', 'No active warehouse selected in the current session.');
      if (login.get('databaseName') === 'NODB')
        return failure('002003', "Database 'NODB' does not exist or not authorized.");
      const answer = answerSql(JSON.parse(request.body).sqlText, SNOWFLAKE_VERSION);
      if (!answer) return failure('001003', 'SQL compilation error.');
      return {
        body: {
          success: true,
          code: null,
          message: null,
          data: {
            rowtype: answer.columns.map((name) => ({ name, type: 'text' })),
            rowset: answer.rows.map((row) => row.map(String)),
          },
        },
      };
    }
    return { status: 404, body: failure('404', 'not found').body };
  };
}
