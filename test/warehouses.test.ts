/**
 * The warehouses no server of which runs on this machine, through their drivers for real: each
 * against a stand-in that speaks the vendor's HTTP API (test/support/vendors/), with the guard,
 * TLS and the error mapping in the way (Trino: test/vendors/trino.test.ts). Then the binary protocols (SQL Server, Oracle) against
 * refused ports, silent servers and names that do not resolve.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../src/service.ts';
import { createCertificateAuthority } from './support/certificates.ts';
import { createSqliteDatabase, type TestDatabase } from './support/databases.ts';
import { type Client, clientFor, startTestService } from './support/service.ts';
import { closedPort, startSilentServer } from './support/targets.ts';
import { startTdsServer } from './support/tds.ts';
import { bigqueryHandler } from './support/vendors/bigquery.ts';
import { DATABRICKS_VERSION, databricksHandler } from './support/vendors/databricks.ts';
import { DISCOVERED_SALES, type Received, startVendorServer, type VendorServer } from './support/vendors/server.ts';
import { SNOWFLAKE_VERSION, snowflakeHandler } from './support/vendors/snowflake.ts';

const PATH = '/api/v1/database-connections';
const TIMEOUT_MS = 1_500;

/** The SQL a stand-in was sent: Snowflake's sqlText, Databricks' statement, ClickHouse's body. */
const statementOf = (request: Received): string => {
  if (!request.body.startsWith('{')) return request.body;
  const body = JSON.parse(request.body);
  return body.sqlText ?? body.statement ?? '';
};

/** A statement read as a vendor whose string literals take backslash escapes reads it: the literals' values, and the rest. */
function backslashLiterals(sql: string): { literals: string[]; rest: string } {
  const literals: string[] = [];
  let rest = '';
  for (let i = 0; i < sql.length; ) {
    if (sql[i] !== "'") {
      rest += sql[i++];
      continue;
    }
    let value = '';
    for (i++; ; ) {
      if (i >= sql.length) return { literals, rest: `${rest}<unterminated>` };
      const char = sql[i++] as string;
      if (char === '\\') value += sql[i++] ?? '';
      else if (char === "'" && sql[i] === "'") value += sql[i++];
      else if (char === "'") break;
      else value += char;
    }
    literals.push(value);
    rest += "'…'";
  }
  return { literals, rest };
}

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privateKeyPem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const privateKeyDer = keys.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
const publicKeyPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe('warehouses over their vendors’ HTTP APIs', () => {
  const ca = createCertificateAuthority();
  const tls_settings = { ca_certificate: ca.certificate };
  let database: TestDatabase;
  let service: RunningService;
  let api: Client;
  const servers: Record<string, VendorServer> = {};

  beforeAll(async () => {
    servers.snowflake = await startVendorServer(snowflakeHandler(publicKeyPem));
    servers.bigquery = await startVendorServer(bigqueryHandler(publicKeyPem));
    servers.databricks = await startVendorServer(databricksHandler, ca.server({ ip: ['127.0.0.1'] }));
    database = createSqliteDatabase();
    service = await startTestService(database.url, {
      CONNECTION_TEST_TIMEOUT_MS: String(TIMEOUT_MS),
      INTROSPECTION_CACHE_MS: '0',
      VENDOR_ENDPOINTS: `snowflake=${servers.snowflake.url},bigquery=${servers.bigquery.url}`,
    });
    // The in-process service reads references from this process's environment.
    process.env.DCAPI_SECRET_BQ_KEY = serviceAccount();
    api = clientFor(service.url);
  });
  afterAll(async () => {
    delete process.env.DCAPI_SECRET_BQ_KEY;
    await service?.stop();
    await database?.drop();
    await Promise.all(Object.values(servers).map((server) => server.close()));
  });

  const testUri = (connection_uri: string, extra: Record<string, unknown> = {}) =>
    api.request('POST', `${PATH}/test`, { connection_uri, ...extra });
  const discover = async (alias: string, connection_uri: string, extra: Record<string, unknown> = {}) => {
    const created = await api.request('POST', PATH, { alias, connection_uri, ...extra });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return api.request('GET', `${PATH}/${created.body.id}/schemas`);
  };
  const serviceAccount = (key = privateKeyPem) =>
    Buffer.from(
      JSON.stringify({
        type: 'service_account',
        client_email: 'reader@analytics.iam.gserviceaccount.com',
        private_key: key,
        token_uri: `${servers.bigquery?.url}/token`,
      }),
    ).toString('base64');

  it('Snowflake: logs in with a password or a key pair, tells the version, checks schemas, discovers', async () => {
    const uri = 'snowflake://ana:password@acme/WAREHOUSE_DB/sales?warehouse=compute_wh&role=reader';
    expect((await testUri(uri, { schemas: ['sales'] })).body).toEqual({
      ok: true,
      latency_ms: expect.any(Number),
      server_version: SNOWFLAKE_VERSION,
      error: null,
    });
    const login = servers.snowflake?.received.find((request) => request.path.startsWith('/session/v1/login-request'));
    expect(login?.path).toMatch(/warehouse=compute_wh/);
    expect(JSON.parse(login?.body ?? '{}').data).toMatchObject({ ACCOUNT_NAME: 'ACME', LOGIN_NAME: 'ana' });
    const keyPair = await testUri(`snowflake://ana@acme/DB?private_key=${encodeURIComponent(privateKeyDer)}`);
    expect(keyPair.body).toMatchObject({ ok: true });
    expect((await testUri('snowflake://ana:password@acme/DB', { schemas: ['nope'] })).body.error.code).toBe(
      'unknown_schema',
    );
    expect((await discover('snow', 'snowflake://ana:password@acme/DB')).body.schemas).toEqual([DISCOVERED_SALES]);
  });

  it.each([
    ['a wrong password', 'snowflake://ana:wrong-pw-123@acme/DB', 'authentication_failed'],
    ['an account that does not exist', 'snowflake://ana:password@gone/DB', 'account_not_found'],
    ['a warehouse that does not exist', 'snowflake://ana:password@acme/DB?warehouse=missing', 'warehouse_not_found'],
    ['a database that does not exist', 'snowflake://ana:password@acme/NODB', 'database_not_found'],
    ['a private key that does not parse', 'snowflake://ana@acme/DB?private_key=bm90LWEta2V5', 'credentials_invalid'],
  ])('Snowflake: %s is %s', async (_case, uri, code) => {
    const result = await testUri(uri);
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ ok: false, error: { code } });
    expect(result.body.error.message).not.toMatch(/wrong-pw-123|password@/);
  });

  it('BigQuery: signs in with the service account key, lists datasets, discovers each', async () => {
    const uri = `bigquery://analytics/sales?credentials_base64=${serviceAccount()}`;
    expect((await testUri(uri, { schemas: ['sales'] })).body).toEqual({
      ok: true,
      latency_ms: expect.any(Number),
      server_version: null,
      error: null,
    });
    expect((await testUri(uri, { schemas: ['nope'] })).body.error.code).toBe('unknown_schema');
    // Without a dataset in the URI: every dataset of the project, over both pages of the list.
    const whole = await discover('bq-all', `bigquery://analytics?credentials_base64=${serviceAccount()}`);
    expect(whole.body.schemas).toEqual([{ name: 'staging', tables: [] }, DISCOVERED_SALES]);
    const created = await api.request('POST', PATH, { alias: 'bq', connection_uri: uri });
    // The key is a secret: masked in what the API answers.
    expect(created.body.connection_uri).toBe('bigquery://analytics/sales?credentials_base64=****');
    expect((await api.request('GET', `${PATH}/${created.body.id}/schemas`)).body.schemas).toEqual([DISCOVERED_SALES]);
  });

  it('BigQuery: takes the key by reference, kept as written and read only to connect', async () => {
    const uri = 'bigquery://analytics/sales?credentials_base64=${env:DCAPI_SECRET_BQ_KEY}';
    const created = await api.request('POST', `${PATH}?test=true`, { alias: 'bq-ref', connection_uri: uri });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.connection_uri).toBe(uri);
    const misplaced = await api.request('POST', PATH, {
      alias: 'bq-bad',
      connection_uri: 'bigquery://${env:DCAPI_SECRET_BQ_KEY}/x',
    });
    expect(misplaced.status).toBe(400);
  });

  it.each([
    ['no key at all', 'bigquery://analytics/sales', 'credentials_invalid'],
    [
      'a key that is not a service account key',
      `bigquery://analytics?credentials_base64=${Buffer.from('{"x":1}').toString('base64')}`,
      'credentials_invalid',
    ],
    ['a project that does not exist', 'bigquery://elsewhere', 'project_not_found'],
    ['a project the account may not use', 'bigquery://locked', 'permission_denied'],
  ])('BigQuery: %s is %s', async (_case, uri, code) => {
    const withKey =
      uri.includes('credentials') || code === 'credentials_invalid'
        ? uri
        : `${uri}?credentials_base64=${serviceAccount()}`;
    expect((await testUri(withKey)).body).toMatchObject({ ok: false, error: { code } });
  });

  it('BigQuery: a key Google does not accept is authentication_failed', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect((await testUri(`bigquery://analytics?credentials_base64=${serviceAccount(other)}`)).body.error.code).toBe(
      'authentication_failed',
    );
  });

  it('Databricks: runs statements on the SQL warehouse over verified TLS, discovers the catalog', async () => {
    const uri = `databricks://token:dapi-good@127.0.0.1:${servers.databricks?.port}?http_path=/sql/1.0/warehouses/abc123&catalog=main`;
    expect((await testUri(uri, { tls_settings, schemas: ['sales'] })).body).toEqual({
      ok: true,
      latency_ms: expect.any(Number),
      server_version: DATABRICKS_VERSION,
      error: null,
    });
    // Without the CA, the stand-in's certificate is not trusted.
    expect((await testUri(uri)).body.error.code).toBe('tls_error');
    expect((await discover('dbx', uri, { tls_settings })).body.schemas).toEqual([DISCOVERED_SALES]);
  });

  it.each([
    ['an expired token', 'dapi-expired', '/sql/1.0/warehouses/abc123', '', 'token_expired'],
    ['a token it does not know', 'dapi-other', '/sql/1.0/warehouses/abc123', '', 'authentication_failed'],
    ['a warehouse that does not exist', 'dapi-good', '/sql/1.0/warehouses/gone', '', 'warehouse_not_found'],
    ['a cluster path in place of a warehouse', 'dapi-good', '/sql/protocolv1/o/1/0123-abc', '', 'warehouse_not_found'],
    [
      'a catalog that does not exist',
      'dapi-good',
      '/sql/1.0/warehouses/abc123',
      '&catalog=nocat',
      'database_not_found',
    ],
  ])('Databricks: %s is %s', async (_case, token, path, extra, code) => {
    const uri = `databricks://token:${token}@127.0.0.1:${servers.databricks?.port}?http_path=${path}${extra}`;
    const result = await testUri(uri, { tls_settings });
    expect(result.body).toMatchObject({ ok: false, error: { code } });
    expect(result.body.error.message).not.toContain(token);
  });

  it('writes a schema name as one string literal, as vendors whose literals take backslash escapes read it', async () => {
    // With quotes only doubled, `\'` ends the literal and the rest of the name is read as SQL.
    const hostile = "sales\\') OR 1=1 OR table_schema IN ('";
    const clickhouse = await startVendorServer(() => ({ body: { data: [] } }));
    const statementsOf = async (make: (name: string) => Promise<unknown>, server: VendorServer | undefined) => {
      const before = server?.received.length ?? 0;
      await make('sales');
      const plain = server?.received.slice(before).map(statementOf) ?? [];
      await make(hostile);
      return { plain, hostile: server?.received.slice(before + plain.length).map(statementOf) ?? [] };
    };
    try {
      const cases = [
        [
          (name: string) => discover(`snow-${name}`, 'snowflake://ana:password@acme/DB', { schemas: [name] }),
          servers.snowflake,
        ],
        [
          (name: string) =>
            discover(
              `dbx-${name}`,
              `databricks://token:dapi-good@127.0.0.1:${servers.databricks?.port}?http_path=/sql/1.0/warehouses/abc123`,
              { tls_settings, schemas: [name] },
            ),
          servers.databricks,
        ],
        [
          (name: string) =>
            discover(`ch-${name}`, `clickhouse://u@127.0.0.1:${clickhouse.port}/${encodeURIComponent(name)}`),
          clickhouse,
        ],
      ] as const;
      for (const [make, server] of cases) {
        const { plain, hostile: sent } = await statementsOf(make, server);
        const read = sent.map(backslashLiterals);
        // The same statements, the name where "sales" was, read as one literal.
        expect(read.map((statement) => statement.rest)).toEqual(
          plain.map((statement) => backslashLiterals(statement).rest),
        );
        expect(read.flatMap((statement) => statement.literals)).toContain(hostile);
        expect(read.flatMap((statement) => statement.literals)).not.toContain('sales');
      }
    } finally {
      await clickhouse.close();
    }
  });

  it('stops reading an answer over 64 MiB', async () => {
    const flood = await startVendorServer(() => ({ body: `{"data": "${'x'.repeat(65 * 2 ** 20)}"}` }));
    try {
      const result = await testUri(`trino://ana@127.0.0.1:${flood.port}/hive`);
      expect(result.body.error).toEqual({ code: 'connection_failed', message: expect.stringMatching(/over 64 MiB/) });
    } finally {
      await flood.close();
    }
  });

  it('reaches a vendor’s endpoint only where the guard allows', async () => {
    const guarded = await startTestService(database.url, {
      CONNECTION_TEST_DENIED_CIDRS: '127.0.0.0/8',
      VENDOR_ENDPOINTS: `snowflake=${servers.snowflake?.url}`,
    });
    try {
      const before = servers.snowflake?.received.length;
      const result = await clientFor(guarded.url).request('POST', `${PATH}/test`, {
        connection_uri: 'snowflake://ana:password@acme/DB',
      });
      expect(result.status).toBe(403);
      expect(result.body.code).toBe('target_not_allowed');
      expect(servers.snowflake?.received.length).toBe(before);
    } finally {
      await guarded.stop();
    }
  });
});

describe('SQL Server and Oracle: their drivers against what fails', () => {
  let database: TestDatabase;
  let service: RunningService;
  let api: Client;
  let silent: Awaited<ReturnType<typeof startSilentServer>>;
  let closed: number;
  beforeAll(async () => {
    database = createSqliteDatabase();
    service = await startTestService(database.url, { CONNECTION_TEST_TIMEOUT_MS: '1000' });
    api = clientFor(service.url);
    silent = await startSilentServer();
    closed = await closedPort();
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
    await silent?.close();
  });
  const code = async (uri: string, extra: Record<string, unknown> = {}) => {
    const result = await api.request('POST', `${PATH}/test`, { connection_uri: uri, ...extra });
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body.ok).toBe(false);
    return result.body.error.code;
  };

  it.each([
    ['mssql+pyodbc', 'sa:pw@HOST/master'],
    ['oracle+oracledb', 'scott:tiger@HOST/?service_name=FREEPDB1'],
  ])('%s: refused, silent, and unresolvable hosts each have their code', async (scheme, rest) => {
    expect(await code(`${scheme}://${rest.replace('HOST', `127.0.0.1:${closed}`)}`)).toBe('connection_refused');
    const started = Date.now();
    expect(await code(`${scheme}://${rest.replace('HOST', `127.0.0.1:${silent.port}`)}`)).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2_900);
    expect(await code(`${scheme}://${rest.replace('HOST', 'db.dcapi-test.invalid')}`)).toBe('host_not_found');
  });

  it('Oracle over TLS (protocol=tcps): a server whose certificate no CA vouches for is tls_error', async () => {
    const ca = createCertificateAuthority();
    const server = await startVendorServer(
      () => ({ body: '' }),
      ca.server({ dns: ['db.example.test'], ip: ['127.0.0.1'] }),
    );
    try {
      expect(await code(`oracle://scott:tiger@127.0.0.1:${server.port}/?service_name=X&protocol=tcps`)).toBe(
        'tls_error',
      );
    } finally {
      await server.close();
    }
  });

  it('Oracle takes a CA only as a wallet, with the client certificate and key; SQL Server asks a silent server for TLS in vain', async () => {
    const ca = createCertificateAuthority();
    const client = ca.client('scott');
    const create = (tls_settings: Record<string, string>) =>
      api.request('POST', PATH, {
        alias: 'ora',
        connection_uri: 'oracle://scott:tiger@db.example.com/?service_name=X&protocol=tcps',
        tls_settings,
      });
    const caOnly = await create({ ca_certificate: ca.certificate });
    expect(caOnly.status).toBe(400);
    expect(caOnly.body.errors).toEqual([
      { field: 'tls_settings', message: expect.stringMatching(/only with a client certificate and key/) },
    ]);
    const wallet = await create({
      ca_certificate: ca.certificate,
      client_certificate: client.certificate,
      client_key: client.key,
    });
    expect(wallet.status).toBe(201);
    expect(await code(`mssql://sa:pw@127.0.0.1:${silent.port}/master?encrypt=yes`)).toBe('timeout');
  });

  it('SQL Server over TLS (encrypt=yes): the certificate is checked against the CA and the URI’s host', async () => {
    const ca = createCertificateAuthority();
    const tds = await startTdsServer(ca.server({ ip: ['127.0.0.1'] }));
    const elsewhere = await startTdsServer(ca.server({ dns: ['elsewhere.test'] }));
    try {
      const test = (port: number, extra: Record<string, unknown> = {}) =>
        api.request('POST', `${PATH}/test`, {
          connection_uri: `mssql+pyodbc://sa:pw@127.0.0.1:${port}/master?encrypt=yes`,
          ...extra,
        });
      const tls_settings = { ca_certificate: ca.certificate };
      expect((await test(tds.port)).body.error).toEqual({
        code: 'tls_error',
        message: expect.stringMatching(/unable to verify/),
      });
      expect((await test(elsewhere.port, { tls_settings })).body.error).toEqual({
        code: 'tls_error',
        message: expect.stringMatching(/does not match/),
      });
      // Trusted, the handshake completes; the stand-in, which knows no more of TDS, then goes silent.
      expect((await test(tds.port, { tls_settings })).body.error.code).toBe('timeout');
    } finally {
      await tds.close();
      await elsewhere.close();
    }
  });
});
