/**
 * Snowflake, vouched for as its own client would: the official Node.js client (snowflake-sdk)
 * reads every answer of the stand-in (test/support/vendors/snowflake.ts), our driver gets the same
 * answers through the service, and what our driver sends equals what snowflake-sdk sends, but for
 * the differences listed below with their reasons. The stand-in is reached as Snowflake is, by the
 * account's name on port 443 (test/support/vendors/routes.ts), its result chunks by the name of
 * the cloud storage Snowflake keeps them on.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import snowflake, { type ConnectionOptions } from 'snowflake-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SNOWFLAKE_CLIENT } from '../../src/connectivity/drivers/snowflake.ts';
import { snowflakeCatalog } from '../../src/connectivity/drivers/snowflake-catalog.ts';
import type { RunningService } from '../../src/service.ts';
import { createSqliteDatabase, type TestDatabase } from '../support/databases.ts';
import { type Client, clientFor, startTestService } from '../support/service.ts';
import {
  CHANGED_DETAILS,
  changesFound,
  DETAILED_WAREHOUSE,
  detailChanges,
  discoveredSchema,
  expectDetailsTold,
  untoldIn,
} from '../support/vendors/catalog-details.ts';
import { startRoutedVendor } from '../support/vendors/routes.ts';
import {
  type Answer,
  bigWarehouse,
  type Received,
  startVendorServer,
  type VendorServer,
  WAREHOUSE,
} from '../support/vendors/server.ts';
import {
  SNOWFLAKE_VERSION,
  type SnowflakeOptions,
  STAGE_HOST,
  snowflakeHandler,
  upperCased,
} from '../support/vendors/snowflake.ts';
import { keptType } from '../support/vendors/snowflake-types.ts';
import { discoverUri, expectWholeBigCatalog, useStandInAndService } from '../support/vendors/suite.ts';

const PATH = '/api/v1/database-connections';
const ACCOUNT_HOST = 'acme.snowflakecomputing.com';
const PASSWORD = 'ana-Secret-pw-7';

const rsaKeys = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const registered = rsaKeys();
const publicKeyPem = registered.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const privateKeyPem = registered.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const privateKeyDer = registered.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
/** A key Snowflake does not know: it signs a JWT well, for a user who registered another. */
const unregisteredPem = rsaKeys().privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** What Snowflake's catalog tells beyond tables and columns: keys, comments, row counts. */
const TOLD = { keys: true, rowCounts: true };

const upperName = (name: string) => name.toUpperCase();

/** The catalog as Snowflake holds the small warehouse made without quotes (SALES_DB.SALES.ORDERS…): no keys, comments or counts. */
const DISCOVERED = discoveredSchema(upperCased(WAREHOUSE), 'SALES', TOLD);

/** The stand-in, and each answer it gave, beside the request it answered. */
interface Recorded extends VendorServer {
  answers: { request: Received; answer: Answer }[];
}

/** `rewrite` changes an answer before it is sent: how the tests play a vendor that answers what it should not. */
async function startSnowflake(
  options: Partial<SnowflakeOptions> = {},
  rewrite?: (answer: Answer, request: Received) => void,
): Promise<Recorded> {
  const handler = snowflakeHandler({ publicKeyPem, passwords: { ANA: PASSWORD }, ...options });
  const answers: Recorded['answers'] = [];
  const server = await startRoutedVendor('snowflake', async (request) => {
    const answer = await handler(request);
    rewrite?.(answer, request);
    answers.push({ request, answer });
    return answer;
  });
  return { ...server, answers };
}

const stageRequests = (server: VendorServer) =>
  server.received.filter((request) => request.headers.host === STAGE_HOST);

// snowflake-sdk would log to ./snowflake.log.
snowflake.configure({ logLevel: 'OFF' });

/** snowflake-sdk as its documentation shows it, for account `acme`, trusting the test CA as a public one. */
async function officialConnection(options: Partial<ConnectionOptions> = {}) {
  const connection = snowflake.createConnection({
    account: 'acme',
    username: 'ana',
    password: PASSWORD,
    database: 'sales_db',
    warehouse: 'compute_wh',
    // A refused login is not tried again: each test reads the first answer.
    sfRetryMaxLoginRetries: 0,
    ...options,
  });
  await new Promise<void>((resolve, reject) => connection.connect((error) => (error ? reject(error) : resolve())));
  return connection;
}

type Connection = Awaited<ReturnType<typeof officialConnection>>;

/** The rows snowflake-sdk reads for a statement, on a connection of its own or the one given. */
async function officialRows(sql: string, connection?: Connection): Promise<Record<string, unknown>[]> {
  const open = connection ?? (await officialConnection());
  try {
    return await new Promise((resolve, reject) =>
      open.execute({
        sqlText: sql,
        complete: (error, _statement, rows) => (error ? reject(error) : resolve(rows ?? [])),
      }),
    );
  } finally {
    if (!connection) await new Promise((resolve) => open.destroy(resolve));
  }
}

/** The statement discovery reads SALES_DB's columns with: each type's name and its parts. */
const COLUMNS_SQL = snowflakeCatalog('"SALES_DB"').columns(['SALES']);
/** A type's parts as snowflake-sdk reads them: numbers (the view's columns are NUMBER), null where the type has none. */
const parts = (length: number | null, precision: number | null, scale: number | null, fraction: number | null) => ({
  CHARACTER_MAXIMUM_LENGTH: length,
  NUMERIC_PRECISION: precision,
  NUMERIC_SCALE: scale,
  DATETIME_PRECISION: fraction,
});
/** The small warehouse's columns as information_schema.columns tells them: NUMBER(38,0) and VARCHAR(16777216). */
const COLUMN_ROWS = [
  { schema: 'SALES', table: 'ORDERS', column: 'ID', TYPE: 'NUMBER', ...parts(null, 38, 0, null), NULLABLE: 'NO' },
  {
    schema: 'SALES',
    table: 'ORDERS',
    column: 'NOTE',
    TYPE: 'TEXT',
    ...parts(16777216, null, null, null),
    NULLABLE: 'YES',
  },
  { schema: 'SALES', table: 'RECENT', column: 'ID', TYPE: 'NUMBER', ...parts(null, 38, 0, null), NULLABLE: 'YES' },
];

describe('snowflake-sdk, the official client, reads every answer of the stand-in', () => {
  let server: Recorded | undefined;
  afterAll(async () => {
    await server?.close();
  });
  const start = async (options: Partial<SnowflakeOptions> = {}) => {
    await server?.close();
    server = await startSnowflake(options);
    return server;
  };

  it('a login with a password, and a query: its columns and its row', async () => {
    await start();
    expect(await officialRows('SELECT CURRENT_VERSION() AS v')).toEqual([{ V: SNOWFLAKE_VERSION }]);
  });

  it('a login with a key pair: the JWT snowflake-sdk signs with the registered key', async () => {
    const running = await start();
    const connection = await officialConnection({
      password: undefined,
      authenticator: 'SNOWFLAKE_JWT',
      privateKey: privateKeyPem,
    });
    expect(await officialRows('SELECT CURRENT_VERSION() AS v', connection)).toEqual([{ V: SNOWFLAKE_VERSION }]);
    await new Promise((resolve) => connection.destroy(resolve));
    const login = running.received.find((request) => request.path.startsWith('/session/v1/login-request'));
    expect(JSON.parse(login?.body ?? '{}').data).toMatchObject({ AUTHENTICATOR: 'SNOWFLAKE_JWT' });
  });

  it.each([
    ['the qrmk', {}],
    ['the chunk headers the answer names', { chunkHeaders: true }],
  ])('a result in several chunks, fetched with %s: every row once, in order', async (_case, options) => {
    const running = await start(options);
    expect(await officialRows(COLUMNS_SQL)).toEqual(COLUMN_ROWS);
    // Two rows in the answer, the third in a chunk fetched from the result stage with the key, without the session's token.
    const [chunk, ...more] = stageRequests(running);
    expect(more).toEqual([]);
    expect(chunk?.headers['x-amz-server-side-encryption-customer-key']).toEqual(expect.any(String));
    expect(chunk?.headers.authorization).toBeUndefined();
  });

  it('an answer in progress: 333334, then 333333 at its getResultUrl, then the result', async () => {
    const running = await start({ inProgress: 3 });
    expect(await officialRows(COLUMNS_SQL)).toEqual(COLUMN_ROWS);
    const codes = running.answers
      .filter(({ request }) => /^\/queries\//.test(request.path))
      .map(({ answer }) => (answer.body as { code: string | null }).code);
    expect(codes).toEqual(['333334', '333333', '333333', null]);
  });

  it.each([
    ['390100', 'a wrong password', { password: 'wrong-password' }],
    ['390144', 'a key pair the user did not register', { authenticator: 'SNOWFLAKE_JWT', privateKey: unregisteredPem }],
  ])('%s: %s, a refused login', async (code, _case, options) => {
    await start();
    const refused = await officialConnection({ password: undefined, ...options }).catch((error) => error);
    expect(refused).toMatchObject({ code });
  });

  const SCHEMATA_SQL = 'SELECT schema_name AS name FROM information_schema.schemata';
  it.each([
    [
      '002003',
      'a database that does not exist, named in the statement',
      {},
      'SELECT schema_name AS name FROM nodb.information_schema.schemata',
      /Database 'NODB' does not exist or not authorized/,
    ],
    [
      '000606',
      'a warehouse that does not exist',
      { warehouse: 'missing' },
      SCHEMATA_SQL,
      /No active warehouse selected/,
    ],
    [
      '090105',
      'a session with no database, asked for an unqualified view',
      { database: undefined },
      SCHEMATA_SQL,
      /This session does not have a current database/,
    ],
    [
      '090105',
      'a login naming a database that does not exist, which leaves the session without one',
      { database: 'nodb' },
      SCHEMATA_SQL,
      /This session does not have a current database/,
    ],
    ['001003', 'a statement Snowflake cannot compile', {}, 'SELEC 1', /^SQL compilation error:\nsyntax error line 1/],
  ])('%s: %s, a failed statement', async (code, _case, options, sql, message) => {
    await start();
    const connection = await officialConnection(options);
    const failed = await officialRows(sql, connection).catch((error) => error);
    await new Promise((resolve) => connection.destroy(resolve));
    expect(failed).toMatchObject({ code, message: expect.stringMatching(message) });
  });

  it('390104: a session token Snowflake does not know, HTTP 401, which the client raises as an invalid token', async () => {
    await start();
    const connection = await officialConnection();
    // A stand-in started anew knows none of the sessions the one before it opened.
    await start();
    const failed = await officialRows('SELECT 1', connection).catch((error) => error);
    await new Promise((resolve) => connection.destroy(resolve));
    // snowflake-sdk's ERR_SF_RESPONSE_INVALID_TOKEN (401004), for the 401 whose code is 390104 (lib/services/sf.js).
    expect(failed).toMatchObject({ code: 401004, response: { status: 401 } });
    expect(JSON.parse(failed.response.data ?? failed.response.body ?? '{}')).toMatchObject({ code: '390104' });
  });

  it('an account that does not exist: HTTP 403 at its login page', async () => {
    await start();
    const refused = await officialConnection({ account: 'gone' }).catch((error) => error);
    // snowflake-sdk's "Request to Snowflake failed", with the answer.
    expect(refused).toMatchObject({ code: 401002, response: { status: 403 } });
  });
});

/** Inside a describe block: a stand-in with `options` and a service of its own, for all its tests. */
function useSnowflakeAndService(settings: Record<string, string>, options: Partial<SnowflakeOptions> = {}) {
  return useStandInAndService(() => startSnowflake(options), settings);
}

const uri = (path = 'sales_db', credentials = `ana:${PASSWORD}`) => `snowflake://${credentials}@acme/${path}`;

describe('our driver, through the service, against the stand-in', () => {
  const fixture = useSnowflakeAndService({ CONNECTION_TEST_TIMEOUT_MS: '5000' });
  const testUri = (connection_uri: string, extra: Record<string, unknown> = {}) =>
    fixture.api.request('POST', `${PATH}/test`, { connection_uri, ...extra });
  const discover = async (alias: string, connection_uri: string, extra: Record<string, unknown> = {}) => {
    const created = await fixture.api.request('POST', PATH, { alias, connection_uri, ...extra });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return fixture.api.request('GET', `${PATH}/${created.body.id}/schemas`);
  };
  beforeEach(() => {
    fixture.standIn.received.length = 0;
    fixture.standIn.answers.length = 0;
  });

  it('logs in with a password, tells the version, checks schemas, discovers every row of chunked results', async () => {
    const withWarehouse = `${uri('sales_db/public')}?warehouse=compute_wh&role=reader`;
    expect((await testUri(withWarehouse, { schemas: ['sales'] })).body).toEqual({
      ok: true,
      latency_ms: expect.any(Number),
      server_version: SNOWFLAKE_VERSION,
      error: null,
    });
    expect((await discover('snow', uri())).body.schemas).toEqual([DISCOVERED]);
    // The columns' result held two rows and named a chunk for the third: read from the stage.
    expect(stageRequests(fixture.standIn).length).toBe(1);
  });

  it.each([
    ['PEM', privateKeyPem],
    ['base64 DER', privateKeyDer],
  ])('logs in with a key pair (%s), its JWT minted for ACME.ANA', async (_format, key) => {
    const result = await testUri(`${uri('sales_db', 'ana')}?private_key=${encodeURIComponent(key)}`);
    expect(result.body).toMatchObject({ ok: true, server_version: SNOWFLAKE_VERSION });
  });

  it('finds a database named in lower case as Snowflake’s own tools do: sales_db is SALES_DB', async () => {
    expect((await testUri(uri('sales_db'), { schemas: ['sales'] })).body).toMatchObject({ ok: true });
    expect((await discover('lower-case', uri('sales_db'), { schemas: ['sales'] })).body.schemas).toEqual([DISCOVERED]);
    const statements = fixture.standIn.received
      .filter((request) => request.path.startsWith('/queries/v1/query-request'))
      .map((request) => JSON.parse(request.body).sqlText as string);
    expect(statements.filter((sql) => sql.includes('information_schema'))).not.toEqual([]);
    for (const sql of statements.filter((text) => text.includes('information_schema')))
      expect(sql).toContain('FROM "SALES_DB".information_schema.');
    // Written as parameters, the same.
    const byParameters = await fixture.api.request('POST', `${PATH}/test`, {
      dialect: 'snowflake',
      parameters: { account: 'acme', username: 'ana', password: PASSWORD, database: 'sales_db' },
      schemas: ['sales'],
    });
    expect(byParameters.body).toMatchObject({ ok: true, error: null });
  });

  it('a name in double quotes keeps its case, in the URI and in schemas', async () => {
    const quoted = await testUri(uri('%22sales_db%22'), { schemas: ['sales'] });
    expect(quoted.body.error).toMatchObject({ code: 'database_not_found' });
    expect(quoted.body.error.message).toContain(`Database '"sales_db"' does not exist`);
    const schema = await testUri(uri(), { schemas: ['"sales"'] });
    expect(schema.body.error).toEqual({
      code: 'unknown_schema',
      message: 'The database has no schema "sales": snowflake reads the name "sales" as sales.',
    });
  });

  const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
  it.each([
    ['a wrong password', 'authentication_failed', uri('sales_db', 'ana:wrong-pw-123')],
    [
      'a key pair the user did not register (390144)',
      'authentication_failed',
      `${uri('sales_db', 'ana')}?private_key=${encodeURIComponent(unregisteredPem)}`,
    ],
    ['an account that does not exist', 'account_not_found', 'snowflake://ana:pw@gone/sales_db'],
    ['a warehouse that does not exist', 'warehouse_not_found', `${uri()}?warehouse=missing`],
    ['a database that does not exist', 'database_not_found', uri('nodb')],
    ['a private key that does not parse', 'credentials_invalid', `${uri('sales_db', 'ana')}?private_key=bm90LWEta2V5`],
    [
      'a private key that is not RSA',
      'credentials_invalid',
      `${uri('sales_db', 'ana')}?private_key=${encodeURIComponent(ecKey.toString())}`,
    ],
  ])('%s is %s', async (_case, code, connectionUri) => {
    const result = await testUri(connectionUri, { schemas: ['sales'] });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ ok: false, error: { code } });
    expect(result.body.error.message).not.toMatch(/wrong-pw-123|Secret-pw|PRIVATE KEY/);
  });

  it('writes a schema name as one string literal, as Snowflake, whose literals take backslash escapes, reads it', async () => {
    // With quotes only doubled, `\'` would end the literal and the rest of the name be read as SQL.
    const hostile = "sales\\') OR 1=1 OR table_schema IN ('";
    await discover('hostile', uri(), { schemas: [`"${hostile}"`] });
    const sent = fixture.standIn.received
      .filter((request) => request.path.startsWith('/queries/v1/query-request'))
      .map((request) => JSON.parse(request.body).sqlText as string)
      .filter((sql) => /information_schema\.(tables|columns)/.test(sql));
    // Tables, columns, comments, row counts.
    expect(sent.length).toBe(4);
    for (const sql of sent) expect(sql).toContain(`IN ('sales\\\\\\') OR 1=1 OR table_schema IN (\\'')`);
  });
});

describe('our driver, against answers Snowflake gives to long statements', () => {
  const fixture = useSnowflakeAndService({ CONNECTION_TEST_TIMEOUT_MS: '5000' }, { inProgress: 3, chunkHeaders: true });

  it('asks again at getResultUrl while the statement runs (333334, then 333333), and reads its chunks', async () => {
    const created = await fixture.api.request('POST', PATH, { alias: 'slow', connection_uri: uri() });
    expect((await fixture.api.request('GET', `${PATH}/${created.body.id}/schemas`)).body.schemas).toEqual([DISCOVERED]);
    const polls = fixture.standIn.received.filter((request) => /^\/queries\/[\w-]+\/result\?/.test(request.path));
    // Seven statements (schemas, tables, columns, both SHOWs of keys, comments, row counts), each asked again three times.
    expect(polls.length).toBe(21);
    expect(new Set(polls.map((request) => request.headers.host))).toEqual(new Set([ACCOUNT_HOST]));
  });
});

describe('what the driver refuses of an answer', () => {
  let database: TestDatabase;
  let service: RunningService;
  let api: Client;
  /** A listener the driver must never reach: it counts every connection. */
  let elsewhere: VendorServer;
  beforeAll(async () => {
    database = createSqliteDatabase();
    // Loopback is allowed but for 127.0.0.0/24, where `elsewhere` listens: the stand-ins are at 127.0.32.x.
    service = await startTestService(database.url, {
      CONNECTION_TEST_TIMEOUT_MS: '5000',
      INTROSPECTION_CACHE_MS: '0',
      CONNECTION_TEST_DENIED_CIDRS: '127.0.0.0/24',
    });
    api = clientFor(service.url);
    elsewhere = await startVendorServer(() => ({ body: { success: true, data: null } }));
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
    await elsewhere?.close();
  });

  /** Discovers SALES_DB on a stand-in whose answers `rewrite` changes. */
  async function discoverWith(rewrite: (answer: Answer, request: Received) => void, options = {}) {
    const server = await startSnowflake(options, rewrite);
    try {
      const created = await api.request('POST', PATH, { alias: `a${Date.now()}`, connection_uri: uri() });
      const discovered = await api.request('GET', `${PATH}/${created.body.id}/schemas`);
      return { server, discovered };
    } finally {
      await server.close();
    }
  }
  const chunksOf = (answer: Answer) =>
    (answer.body as { data?: { chunks?: { url: string }[] } } | undefined)?.data?.chunks ?? [];

  it('a chunk named over plain HTTP: refused, nothing reached', async () => {
    const { server, discovered } = await discoverWith((answer) => {
      for (const chunk of chunksOf(answer)) chunk.url = chunk.url.replace(/^https:\/\/[^/]+/, `http://${STAGE_HOST}`);
    });
    expect(discovered.body).toMatchObject({ code: 'connection_failed' });
    expect(discovered.body.error?.message ?? JSON.stringify(discovered.body)).toMatch(/not on HTTPS/);
    expect(stageRequests(server)).toEqual([]);
  });

  it('a chunk on an address the guard denies: refused before connecting', async () => {
    const before = elsewhere.connections();
    const { discovered } = await discoverWith((answer) => {
      for (const chunk of chunksOf(answer)) chunk.url = `https://127.0.0.1:${elsewhere.port}/results/x`;
    });
    expect(discovered.status).toBe(403);
    expect(discovered.body.code).toBe('target_not_allowed');
    expect(elsewhere.connections()).toBe(before);
  });

  it('a getResultUrl naming another server: asked of the account’s own API, never of that server', async () => {
    const before = elsewhere.connections();
    const { server, discovered } = await discoverWith(
      (answer) => {
        const data = (answer.body as { data?: { getResultUrl?: string } }).data;
        if (data?.getResultUrl) data.getResultUrl = `https://127.0.0.1:${elsewhere.port}${data.getResultUrl}`;
      },
      { inProgress: 1 },
    );
    expect(discovered.body.schemas).toEqual([DISCOVERED]);
    expect(elsewhere.connections()).toBe(before);
    expect(server.received.filter((request) => request.path.startsWith('/queries/0')).length).toBeGreaterThan(0);
  });

  it('a result that comes with fewer rows than it counts: a failure, not a shorter catalog', async () => {
    const { discovered } = await discoverWith((answer) => {
      const data = (answer.body as { data?: { chunks?: unknown[] } }).data;
      if (data?.chunks) data.chunks = [];
    });
    expect(discovered.body).toMatchObject({ code: 'connection_failed' });
    expect(JSON.stringify(discovered.body)).toMatch(/came with 2 of its 3 rows/);
  });

  it('a chunk that unzips past 64 MiB: refused', async () => {
    const { gzipSync } = await import('node:zlib');
    const bomb = gzipSync(Buffer.alloc(65 * 2 ** 20, 0x20));
    const { discovered } = await discoverWith((answer, request) => {
      if (request.headers.host === STAGE_HOST) answer.body = bomb;
    });
    expect(discovered.body).toMatchObject({ code: 'connection_failed' });
    expect(JSON.stringify(discovered.body)).toMatch(/over 64 MiB/);
  });

  it('an account moved by VENDOR_ENDPOINTS is judged by the guard all the same', async () => {
    const target = await startVendorServer(snowflakeHandler({ publicKeyPem }));
    const guarded = await startTestService(database.url, {
      CONNECTION_TEST_DENIED_CIDRS: '127.0.0.0/8',
      VENDOR_ENDPOINTS: `snowflake=${target.url}`,
    });
    try {
      const result = await clientFor(guarded.url).request('POST', `${PATH}/test`, { connection_uri: uri() });
      expect(result.status).toBe(403);
      expect(result.body.code).toBe('target_not_allowed');
      expect(target.connections()).toBe(0);
    } finally {
      await guarded.stop();
      await target.close();
    }
  });
});

/**
 * Where our driver differs from snowflake-sdk on purpose: what ours sends, and why. Every other
 * header, the method, the path and its query, and every field of the body must be the same.
 */
const DELIBERATE = {
  /** Headers: on the requests `where` names, ours are `ours`. */
  headers: {
    'user-agent': {
      where: () => true,
      ours: () => 'database-connection-api',
      why: 'names this service; snowflake-sdk names itself and its platform (JavaScript/3.4.1 (linux-x64) NodeJS/…)',
    },
    'accept-encoding': {
      where: () => true,
      ours: () => undefined,
      why: 'answers are read as they come and bounded in bytes (64 MiB); chunks Snowflake stored gzipped are unzipped, bounded as unzipped; axios asks for gzip, compress, deflate, br',
    },
    connection: {
      where: () => true,
      ours: () => 'close',
      why: 'one connection per request, through the network guard (and the SSH tunnel) each time; axios keeps its connections alive',
    },
    'content-type': {
      where: (request: Received) => request.method === 'GET' && request.headers.host !== STAGE_HOST,
      ours: () => undefined,
      why: 'a GET has no body to label; snowflake-sdk labels every request to the API application/json',
    },
    accept: {
      where: (request: Received) => request.headers.host === STAGE_HOST,
      ours: () => undefined,
      why: 'a chunk is read whatever its type; axios asks the cloud storage for application/json, text/plain, */*',
    },
    'content-length': {
      where: (request: Received) => request.path.startsWith('/session/v1/login-request'),
      ours: (request: Received) => String(Buffer.byteLength(request.body)),
      why: 'follows from the login’s body, whose fields are compared one by one but for those below',
    },
  } as Record<
    string,
    { where: (request: Received) => boolean; ours: (request: Received) => string | undefined; why: string }
  >,
  login: {
    CLIENT_ENVIRONMENT: {
      ours: { APPLICATION: 'database-connection-api' },
      why: 'snowflake-sdk describes its host (OS, libc, Node.js’s versions, the application’s path); this service tells Snowflake nothing of its host and names itself, as snowflake-sdk’s `application` option would',
    },
    'TOKEN iat and exp': {
      ours: 'seconds since the epoch',
      why: 'RFC 7519’s NumericDate, as Snowflake’s key-pair documentation and its other connectors write them; snowflake-sdk writes milliseconds',
    },
  },
  requests: {
    'POST /telemetry/send': {
      why: 'snowflake-sdk reports how it was configured; this service sends Snowflake nothing but its work',
    },
  },
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The claims of a JWT, and its header. */
const jwtParts = (token: string) => {
  const [header = '', payload = ''] = token.split('.');
  const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString());
  return { header: decode(header), claims: decode(payload) };
};

/** A body's fields as compared: the login's without what differs on purpose, its JWT by header, issuer and subject. */
function bodyFields(request: Received): unknown {
  if (!request.body) return undefined;
  const body = JSON.parse(request.body);
  if (!body.data) return body;
  const { CLIENT_ENVIRONMENT: _environment, TOKEN, ...data } = body.data;
  if (TOKEN === undefined) return { data };
  const { header, claims } = jwtParts(TOKEN);
  return { data: { ...data, TOKEN: { header, iss: claims.iss, sub: claims.sub } } };
}

/** What Snowflake, or its cloud storage, can notice of a request, but for DELIBERATE and the ids each request makes anew. */
function noticed(request: Received) {
  const url = new URL(request.path, 'https://x');
  const query = [...url.searchParams].map(([name, value]) => [
    name,
    UUID.test(value) ? '{uuid}' : name === 'X-Amz-Signature' ? '{signature}' : value,
  ]);
  const headers = Object.fromEntries(
    Object.entries(request.headers)
      .filter(([name]) => !DELIBERATE.headers[name]?.where(request))
      .map(([name, value]) => [
        name,
        name === 'authorization'
          ? String(value).replace(/^Snowflake Token="[^"]+"$/, 'Snowflake Token="{token}"')
          : name === 'x-amz-server-side-encryption-customer-key'
            ? '{qrmk}'
            : value,
      ]),
  );
  const path = url.pathname
    .replace(/^\/queries\/[^/]+\//, '/queries/{id}/')
    .replace(/^\/results\/[^/]+\//, '/results/{id}/');
  return { method: request.method, path, query, headers, body: bodyFields(request) };
}

const isTelemetry = (request: Received) => request.path.startsWith('/telemetry/send');

describe('keys, comments and row counts: SHOW PRIMARY KEYS, SHOW IMPORTED KEYS, information_schema', () => {
  const catalog = upperCased(DETAILED_WAREHOUSE);
  const fixture = useSnowflakeAndService({ CONNECTION_TEST_TIMEOUT_MS: '5000' }, { databases: { SALES_DB: catalog } });
  beforeEach(() => {
    catalog.details = upperCased(DETAILED_WAREHOUSE).details;
    fixture.standIn.received.length = 0;
  });
  const statementsSent = () =>
    fixture.standIn.received
      .filter((request) => request.path.startsWith('/queries/v1/query-request'))
      .map((request) => JSON.parse(request.body).sqlText as string);

  it('tells the primary keys, the foreign key, the comments and the row counts', async () => {
    const discovered = await discoverUri(fixture.api, uri());
    expectDetailsTold(discovered.body.schemas, discoveredSchema(catalog, 'SALES', TOLD), upperName);
  });

  it('snowflake-sdk reads the answers to each statement discovery sends: SHOW’s typed columns too', async () => {
    await discoverUri(fixture.api, uri());
    const statements = statementsSent();
    const connection = await officialConnection();
    const read = new Map<string, Record<string, unknown>[]>();
    for (const sql of statements) read.set(sql, await officialRows(sql, connection));
    await new Promise((resolve) => connection.destroy(resolve));
    expect(read.get('SHOW PRIMARY KEYS IN DATABASE "SALES_DB"')?.map(({ created_on, ...row }) => row)).toEqual([
      ...['ID', 'REGION'].map((column, i) => ({
        database_name: 'SALES_DB',
        schema_name: 'SALES',
        table_name: 'CUSTOMERS',
        column_name: column,
        key_sequence: i + 1,
        constraint_name: 'CUSTOMERS_PK',
        rely: 'false',
        comment: null,
      })),
      expect.objectContaining({ table_name: 'ORDERS', column_name: 'ID', key_sequence: 1 }),
    ]);
    const [imported] = read.get('SHOW IMPORTED KEYS IN DATABASE "SALES_DB"') ?? [];
    expect(imported).toMatchObject({
      pk_table_name: 'CUSTOMERS',
      fk_table_name: 'ORDERS',
      fk_name: 'ORDERS_CUSTOMER_FK',
    });
    expect(String(imported?.created_on)).toMatch(/2026/);
    const counts = [...read].find(([sql]) => /row_count/.test(sql))?.[1];
    expect(counts).toEqual([
      { schema: 'SALES', table: 'CUSTOMERS', rows: 3 },
      { schema: 'SALES', table: 'ORDERS', rows: 5 },
    ]);
    const comments = [...read].find(([sql]) => /\bcomment\b/.test(sql) && !/^SHOW/.test(sql))?.[1];
    expect(comments).toContainEqual({ schema: 'SALES', table: 'CUSTOMERS', column: null, comment: 'People who order' });
  });

  it('a second scan, after the foreign key was dropped and a comment rewritten, finds both changes', async () => {
    const changes = await changesFound(fixture.api, uri(), () => {
      catalog.details = upperCased({ ...DETAILED_WAREHOUSE, details: CHANGED_DETAILS }).details;
    });
    expect(changes).toEqual(detailChanges(true, upperName));
  });
});

/**
 * Columns of types with a length, a precision and scale, fractional seconds, or none, as declared
 * in CREATE TABLE (the stand-in keeps each as Snowflake does), and as discovery writes them:
 * as Snowflake's DESCRIBE TABLE and GET_DDL do.
 */
const TYPED_COLUMNS: [column: string, declared: string, written: string][] = [
  ['amount', 'NUMBER(10,2)', 'NUMBER(10,2)'],
  ['code', 'VARCHAR(20)', 'VARCHAR(20)'],
  ['seen', 'TIMESTAMP_NTZ(3)', 'TIMESTAMP_NTZ(3)'],
  ['id', 'INT', 'NUMBER(38,0)'],
  ['count', 'NUMBER(12)', 'NUMBER(12,0)'],
  ['note', 'STRING', 'VARCHAR(16777216)'],
  ['made', 'TIMESTAMP_TZ', 'TIMESTAMP_TZ(9)'],
  ['opens', 'TIME(0)', 'TIME(0)'],
  ['day', 'DATE', 'DATE'],
  ['ratio', 'DOUBLE', 'FLOAT'],
  ['paid', 'BOOLEAN', 'BOOLEAN'],
  ['digest', 'BINARY(32)', 'BINARY(32)'],
  ['payload', 'VARIANT', 'VARIANT'],
];
const TYPED_WAREHOUSE = {
  schemas: ['sales', 'information_schema'],
  tables: [['sales', 'prices', 'BASE TABLE']] as [string, string, string][],
  columns: TYPED_COLUMNS.map(([column, declared]): [string, string, string, string, 'YES' | 'NO'] => [
    'sales',
    'prices',
    column,
    declared,
    'YES',
  ]),
};

describe('a column’s type, written as Snowflake writes it, from the parts information_schema tells apart', () => {
  const catalog = upperCased(TYPED_WAREHOUSE);
  const fixture = useSnowflakeAndService({ CONNECTION_TEST_TIMEOUT_MS: '5000' }, { databases: { SALES_DB: catalog } });
  beforeEach(() => {
    catalog.columns = upperCased(TYPED_WAREHOUSE).columns;
  });
  const typesOf = (schemas: { tables: { columns: { name: string; type: string }[] }[] }[]) =>
    schemas[0]?.tables[0]?.columns.map((column) => [column.name, column.type]);

  it('NUMBER with its precision and scale, VARCHAR with its length, a timestamp with its fractional seconds', async () => {
    const discovered = await discoverUri(fixture.api, uri());
    expect(discovered.status, JSON.stringify(discovered.body)).toBe(200);
    expect(typesOf(discovered.body.schemas)).toEqual(
      TYPED_COLUMNS.map(([column, , written]) => [column.toUpperCase(), written]),
    );
  });

  it('snowflake-sdk reads the parts of the columns statement as numbers, and the type by its standard name', async () => {
    const rows = await officialRows(snowflakeCatalog('"SALES_DB"').columns(['SALES']));
    const row = (column: string) => rows.find((read) => read.column === column);
    expect(row('AMOUNT')).toMatchObject({ TYPE: 'NUMBER', ...parts(null, 10, 2, null) });
    expect(row('CODE')).toMatchObject({ TYPE: 'TEXT', ...parts(20, null, null, null) });
    expect(row('SEEN')).toMatchObject({ TYPE: 'TIMESTAMP_NTZ', ...parts(null, null, null, 3) });
    expect(row('RATIO')).toMatchObject({ TYPE: 'FLOAT', ...parts(null, null, null, null) });
  });

  it('a second scan finds a VARCHAR(20) become a VARCHAR(40): a type_changed the bare TEXT hid', async () => {
    const changes = await changesFound(fixture.api, uri(), () => {
      // ALTER TABLE prices ALTER code SET DATA TYPE VARCHAR(40)
      catalog.columns = catalog.columns.map(([schema, table, column, type, nullable]) => [
        ...[schema, table, column],
        column === 'CODE' ? 'VARCHAR(40)' : type,
        nullable,
      ]) as typeof catalog.columns;
    });
    expect(changes).toEqual([
      { kind: 'type_changed', path: 'SALES.PRICES.CODE', before: 'VARCHAR(20)', after: 'VARCHAR(40)' },
    ]);
  });
});

describe('keys, comments and row counts Snowflake will not tell', () => {
  let database: TestDatabase;
  let service: RunningService;
  beforeAll(async () => {
    database = createSqliteDatabase();
    service = await startTestService(database.url, { CONNECTION_TEST_TIMEOUT_MS: '5000', INTROSPECTION_CACHE_MS: '0' });
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });
  /** Discovers SALES_DB of the detailed catalog on a stand-in with `options`. */
  async function discoverWith(options: Partial<SnowflakeOptions>) {
    const server = await startSnowflake({ databases: { SALES_DB: upperCased(DETAILED_WAREHOUSE) }, ...options });
    try {
      return await discoverUri(clientFor(service.url), uri());
    } finally {
      await server.close();
    }
  }
  const everything = discoveredSchema(upperCased(DETAILED_WAREHOUSE), 'SALES', TOLD);

  it.each([
    ['SHOW PRIMARY KEYS refused (003001, access control): no keys told', /^SHOW PRIMARY KEYS/, { keys: false }],
    ['SHOW IMPORTED KEYS refused: no keys told, not even the primary ones', /^SHOW IMPORTED KEYS/, { keys: false }],
    ['the comments refused: none told', /\bcomment\b.*information_schema\.tables/s, { comments: false }],
    ['the row counts refused: none told', /\brow_count\b/, { rowCounts: false }],
  ] as const)('%s, the rest discovered', async (_case, refuse, untold) => {
    const discovered = await discoverWith({ refuse });
    expect(discovered.status, JSON.stringify(discovered.body)).toBe(200);
    expect(discovered.body.schemas).toEqual([untoldIn(everything, untold)]);
  });

  it('a SHOW past its 10,000 rows (090153): no keys told, the rest discovered', async () => {
    // Three rows of primary keys here, over a limit of two.
    const discovered = await discoverWith({ showLimit: 2 });
    expect(discovered.body.schemas).toEqual([untoldIn(everything, { keys: false })]);
  });

  it('a SHOW that fails otherwise fails the discovery, with Snowflake’s words', async () => {
    const server = await startSnowflake(
      { databases: { SALES_DB: upperCased(DETAILED_WAREHOUSE) } },
      (answer, request) => {
        if (/^SHOW IMPORTED KEYS/.test(JSON.parse(request.body || '{}').sqlText ?? ''))
          answer.body = { data: null, code: '000603', message: 'SQL execution internal error', success: false };
      },
    );
    try {
      const discovered = await discoverUri(clientFor(service.url), uri());
      expect(discovered.body).toMatchObject({ code: 'connection_failed' });
      expect(JSON.stringify(discovered.body)).toMatch(/000603: SQL execution internal error/);
    } finally {
      await server.close();
    }
  });
});

describe('our requests equal snowflake-sdk’s for the same operation, but for the differences listed', () => {
  const fixture = useSnowflakeAndService({}, { inProgress: 1 });

  /** Runs `operation` with our driver, then each statement it sent with snowflake-sdk on one connection; compares the requests. */
  async function compare(operation: () => Promise<unknown>, login: Partial<ConnectionOptions>) {
    fixture.standIn.received.length = 0;
    await operation();
    const ours = fixture.standIn.received.splice(0);
    const statements = ours
      .filter((request) => request.path.startsWith('/queries/v1/query-request'))
      .map((request) => JSON.parse(request.body).sqlText as string);
    expect(statements.length).toBeGreaterThan(0);
    const connection = await officialConnection(login);
    for (const sql of statements) await officialRows(sql, connection);
    await new Promise((resolve) => connection.destroy(resolve));
    const theirs = fixture.standIn.received.splice(0);
    expect(theirs.filter(isTelemetry).length).toBeGreaterThan(0);
    expect(ours.map(noticed)).toEqual(theirs.filter((request) => !isTelemetry(request)).map(noticed));
    for (const request of ours) {
      for (const [name, { where, ours: value }] of Object.entries(DELIBERATE.headers))
        if (where(request)) expect(request.headers[name], name).toBe(value(request));
    }
    return { ours, theirs };
  }

  it('connecting with a password and asking the version', async () => {
    const { ours } = await compare(
      async () => {
        const result = await fixture.api.request('POST', `${PATH}/test`, {
          connection_uri: `${uri('sales_db/public')}?warehouse=compute_wh&role=reader`,
        });
        expect(result.body.ok).toBe(true);
      },
      { schema: 'public', role: 'reader' },
    );
    expect(JSON.parse(ours[1]?.body ?? '{}').sqlText).toBe('SELECT CURRENT_VERSION() AS v');
    expect(JSON.parse(ours[0]?.body ?? '{}').data.CLIENT_ENVIRONMENT).toEqual(DELIBERATE.login.CLIENT_ENVIRONMENT.ours);
  });

  it('connecting with a key pair: the same JWT but for its times’ unit', async () => {
    const { ours, theirs } = await compare(
      async () => {
        const result = await fixture.api.request('POST', `${PATH}/test`, {
          connection_uri: `${uri('sales_db', 'ana')}?warehouse=compute_wh&private_key=${encodeURIComponent(privateKeyPem)}`,
        });
        expect(result.body.ok).toBe(true);
      },
      { password: undefined, authenticator: 'SNOWFLAKE_JWT', privateKey: privateKeyPem },
    );
    const claims = (requests: Received[]) => jwtParts(JSON.parse(requests[0]?.body ?? '{}').data.TOKEN).claims;
    const now = Date.now() / 1000;
    expect(claims(ours).iat).toBeGreaterThan(now - 60);
    expect(claims(ours).iat).toBeLessThanOrEqual(now + 1);
    expect(claims(ours).exp - claims(ours).iat).toBe(120);
    expect(claims(theirs).exp - claims(theirs).iat).toBe(120_000);
  });

  it('listing the catalog: its schemas, tables and columns, asked again while in progress, its chunks', async () => {
    const created = await fixture.api.request('POST', PATH, {
      alias: 'compared',
      connection_uri: `${uri()}?warehouse=compute_wh`,
    });
    const { ours } = await compare(async () => {
      expect((await fixture.api.request('GET', `${PATH}/${created.body.id}/schemas`)).body.schemas).toEqual([
        DISCOVERED,
      ]);
    }, {});
    expect(ours.filter((request) => request.path.startsWith('/queries/v1/')).map(bodyFields)).toEqual([
      expect.objectContaining({ sqlText: expect.stringContaining('information_schema.schemata') }),
      expect.objectContaining({ sqlText: expect.stringContaining('information_schema.tables') }),
      expect.objectContaining({ sqlText: expect.stringContaining('information_schema.columns') }),
      expect.objectContaining({ sqlText: 'SHOW PRIMARY KEYS IN DATABASE "SALES_DB"' }),
      expect.objectContaining({ sqlText: 'SHOW IMPORTED KEYS IN DATABASE "SALES_DB"' }),
      expect.objectContaining({ sqlText: expect.stringMatching(/\bcomment\b.*information_schema\.tables/s) }),
      expect.objectContaining({ sqlText: expect.stringMatching(/\brow_count\b.*information_schema\.tables/s) }),
    ]);
    expect(ours.filter((request) => request.headers.host === STAGE_HOST).length).toBe(1);
  });
});

describe('a big catalog, whole', () => {
  const fixture = useSnowflakeAndService(
    { CONNECTION_TEST_TIMEOUT_MS: '60000' },
    { databases: { BIG: upperCased(bigWarehouse(5_000, 20)) }, chunkRows: 10_000 },
  );

  it('discovers every one of 5,000 tables of 20 columns, the columns read over 9 chunks', async () => {
    await expectWholeBigCatalog(fixture.api, uri('big'), 5_000, 20, (name) => name.toUpperCase(), keptType);
    // 100,000 columns: 10,000 in the answer, the others in 9 chunks.
    expect(stageRequests(fixture.standIn).length).toBe(9);
  }, 120_000);
});

it('names itself to Snowflake as the snowflake-sdk it is compared with', () => {
  const installed = createRequire(import.meta.url)('snowflake-sdk/package.json').version;
  expect(SNOWFLAKE_CLIENT).toEqual({ id: 'JavaScript', version: installed });
});
