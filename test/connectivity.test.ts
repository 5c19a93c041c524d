/** Connection tests and schema discovery against the real PostgreSQL and MariaDB on this machine. */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../src/service.ts';
import { createSqliteDatabase, POSTGRES_ADMIN_URL, postgresAvailable, type TestDatabase } from './support/databases.ts';
import { keyless } from './support/discovery.ts';
import { conform } from './support/openapi.ts';
import { type Client, clientFor, startTestService } from './support/service.ts';
import {
  closedPort,
  createMariadbTarget,
  createPostgresTarget,
  mariadbAvailable,
  POSTGRES_SALES_SCHEMA,
  startSilentServer,
} from './support/targets.ts';
import { until } from './support/until.ts';

const PATH = '/api/v1/database-connections';
const TIMEOUT_MS = 1_000;

describe.skipIf(!postgresAvailable || !mariadbAvailable)('connection tests', () => {
  let database: TestDatabase;
  let service: RunningService;
  let api: Client;
  let postgres: Awaited<ReturnType<typeof createPostgresTarget>>;
  let mariadb: Awaited<ReturnType<typeof createMariadbTarget>>;
  const testUri = (connection_uri: string, schemas?: string[]) =>
    api.request('POST', `${PATH}/test`, { connection_uri, ...(schemas && { schemas }) });

  beforeAll(async () => {
    database = createSqliteDatabase();
    service = await startTestService(database.url, {
      CONNECTION_TEST_TIMEOUT_MS: String(TIMEOUT_MS),
      INTROSPECTION_CACHE_MS: '60000',
    });
    api = clientFor(service.url);
    [postgres, mariadb] = await Promise.all([createPostgresTarget(), createMariadbTarget()]);
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
    await postgres?.drop();
    await mariadb?.drop();
  });

  it('succeeds against PostgreSQL, MySQL-speaking MariaDB and mariadb://, with the server version', async () => {
    const pgResult = await testUri(postgres.uri);
    expect(pgResult.status).toBe(200);
    expect(pgResult.body).toEqual({
      ok: true,
      latency_ms: expect.any(Number),
      server_version: expect.stringMatching(/^15\./),
      error: null,
    });
    for (const scheme of ['mysql', 'mariadb', 'mysql+pymysql']) {
      const result = await testUri(mariadb.uri(scheme));
      expect(result.body, scheme).toMatchObject({
        ok: true,
        server_version: expect.stringMatching(/MariaDB/),
        error: null,
      });
    }
  });

  it('tells a wrong password apart, and never repeats it', async () => {
    const result = await testUri(mariadb.uri('mysql', 'Wrong-Secret-42'));
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ ok: false, server_version: null, error: { code: 'authentication_failed' } });
    expect(result.text).not.toContain('Wrong-Secret-42');
  });

  it('tells an unknown database apart, on both servers', async () => {
    expect((await testUri(postgres.uri.replace(postgres.database, 'no_such_db'))).body.error.code).toBe(
      'database_not_found',
    );
    expect((await testUri(mariadb.uri().replace(mariadb.database, 'no_such_db'))).body.error.code).toBe(
      'database_not_found',
    );
  });

  it('tells a closed port apart', async () => {
    const port = await closedPort();
    const result = await testUri(`postgresql://u:p@127.0.0.1:${port}/db`);
    expect(result.body).toMatchObject({ ok: false, error: { code: 'connection_refused' } });
  });

  it('tells apart a TLS failure and a host that does not resolve, and refuses a URI with no host', async () => {
    // The local PostgreSQL runs without TLS, so a URI that requires it cannot connect.
    const tls = await testUri(postgres.uri.replace('sslmode=disable', 'sslmode=require'));
    expect(tls.body).toMatchObject({ ok: false, error: { code: 'tls_error' } });
    const unknownHost = await testUri('postgresql://u:p@no-such-host.invalid:5432/db');
    expect(unknownHost.body).toMatchObject({ ok: false, error: { code: 'host_not_found' } });
    const hostless = await testUri('postgresql://user@:5432/db');
    expect(hostless.status).toBe(400);
    expect(hostless.body.errors).toEqual([
      { field: 'connection_uri', message: expect.stringMatching(/^names no host/) },
    ]);
  });

  it('gives up on a server that does not answer, after the connect timeout', async () => {
    const silent = await startSilentServer();
    try {
      for (const scheme of ['postgresql', 'mysql']) {
        const started = Date.now();
        const result = await testUri(`${scheme}://u:p@127.0.0.1:${silent.port}/db`);
        expect(result.body, scheme).toMatchObject({ ok: false, error: { code: 'timeout' } });
        expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
        expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 2_000);
      }
    } finally {
      await silent.close();
    }
  });

  it('refuses a target in the deny-list with 403 target_not_allowed, without connecting', async () => {
    for (const uri of [
      'postgresql://u:p@169.254.169.254/db',
      'mysql://u:p@0.0.0.0:3306/db',
      'postgresql://u:p@[fe80::1]:5432/db',
    ]) {
      const rest = await testUri(uri);
      expect(rest.status, uri).toBe(403);
      expect(rest.body.code).toBe('target_not_allowed');
    }
    const graphql = await api.graphql(
      'mutation { testConnectionUri(uri: "postgresql://169.254.169.254/db") { __typename ... on Error { code } } }',
    );
    expect(graphql.data.testConnectionUri).toEqual({ __typename: 'TargetNotAllowedError', code: 'target_not_allowed' });
  });

  it('names invalid fields of a URI test by their REST names', async () => {
    const result = await testUri('not a uri', ['']);
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual([
      { field: 'connection_uri', message: expect.stringMatching(/^must be a URI with a scheme/) },
      { field: 'schemas[0]', message: 'must not be empty or only spaces' },
    ]);
  });

  it('reaches a Snowflake account at the host it derives from it, through the guard', async () => {
    const result = await testUri('snowflake://u:secret-pw-1@dcapi-no-such-account/db');
    expect(result.status).toBe(200);
    // Where DNS answers for snowflakecomputing.com, Snowflake says the account does not exist.
    expect(['host_not_found', 'account_not_found']).toContain(result.body.error.code);
    expect(result.body.error.message).toMatch(/dcapi-no-such-account/);
  });

  it('tests a saved connection, on REST and GraphQL', async () => {
    const created = (
      await api.request('POST', PATH, { alias: 'pg-saved', connection_uri: postgres.uri, schemas: ['sales'] })
    ).body;
    const rest = await api.request('POST', `${PATH}/${created.id}/test`);
    expect(rest.body).toMatchObject({ ok: true, error: null });
    const graphql = await api.graphql(
      'mutation ($id: ID!) { testDatabaseConnection(id: $id) { __typename ... on ConnectionTestResult { ok serverVersion } } }',
      { id: created.id },
    );
    expect(graphql.data.testDatabaseConnection).toMatchObject({ __typename: 'ConnectionTestResult', ok: true });
    expect((await api.request('POST', `${PATH}/3f0b1a52-6f7e-4a53-9b4c-2d1f6f0e9a11/test`)).status).toBe(404);
    const wrongMethod = await api.request('GET', `${PATH}/${created.id}/test`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });

  it('answers 422 connection_failed when discovery cannot connect, and 404 for an unknown id', async () => {
    const port = await closedPort();
    const down = (
      await api.request('POST', PATH, {
        alias: 'down-schemas',
        connection_uri: `postgresql://u:p@127.0.0.1:${port}/db`,
      })
    ).body;
    const reply = await api.request('GET', `${PATH}/${down.id}/schemas`);
    expect(reply.status).toBe(422);
    expect(reply.body).toMatchObject({ code: 'connection_failed', reason: { code: 'connection_refused' } });
    expect((await api.request('GET', `${PATH}/3f0b1a52-6f7e-4a53-9b4c-2d1f6f0e9a11/schemas`)).status).toBe(404);
  });

  it('lists schemas, tables, views and columns, limited to the connection’s schemas', async () => {
    const created = (
      await api.request('POST', PATH, { alias: 'pg-schemas', connection_uri: postgres.uri, schemas: ['sales'] })
    ).body;
    const rest = await api.request('GET', `${PATH}/${created.id}/schemas`);
    expect(rest.status).toBe(200);
    expect(rest.body).toEqual({
      scanned_at: expect.any(String),
      first_found_at: rest.body.scanned_at,
      table_count: 2,
      column_count: 3,
      schemas: [POSTGRES_SALES_SCHEMA],
    });
    const whole = (await api.request('POST', PATH, { alias: 'pg-all', connection_uri: postgres.uri })).body;
    const all = await api.request('GET', `${PATH}/${whole.id}/schemas`);
    expect(all.body.schemas.map((schema: any) => schema.name)).toEqual(['public', 'sales']);

    const my = (await api.request('POST', PATH, { alias: 'my-schemas', connection_uri: mariadb.uri() })).body;
    const myTables = await api.request('GET', `${PATH}/${my.id}/schemas`);
    expect(myTables.body.schemas).toEqual([
      keyless(
        {
          name: mariadb.database,
          tables: [
            {
              name: 'orders',
              type: 'table',
              columns: [
                { name: 'id', type: 'int(11)', nullable: false },
                { name: 'note', type: 'text', nullable: true },
              ],
            },
          ],
        },
        0,
      ),
    ]);

    const graphql = await api.graphql(
      'query ($id: ID!) { databaseConnection(id: $id) { introspection { __typename ... on IntrospectionSuccess { schemas { name tables { name kind } } } } } }',
      { id: created.id },
    );
    expect(graphql.data.databaseConnection.introspection.schemas[0].tables).toEqual([
      { name: 'big_orders', kind: 'VIEW' },
      { name: 'orders', kind: 'TABLE' },
    ]);
  });

  it('accepts in tests the system schemas discovery lists, and in tests of saved connections, which health checks run', async () => {
    const system = ['pg_catalog', 'information_schema'];
    expect((await testUri(postgres.uri, [...system, 'public'])).body).toMatchObject({ ok: true, error: null });
    const created = await api.request('POST', `${PATH}?test=true`, {
      alias: 'pg-system',
      connection_uri: postgres.uri,
      schemas: ['information_schema'],
    });
    expect(created.status).toBe(201);
    const discovered = await api.request('GET', `${PATH}/${created.body.id}/schemas`);
    expect(discovered.body.schemas.map((schema: { name: string }) => schema.name)).toEqual(['information_schema']);
    expect(discovered.body.schemas[0].tables.map((table: { name: string }) => table.name)).toContain('tables');
    const tested = await api.request('POST', `${PATH}/${created.body.id}/test`);
    expect(tested.body).toMatchObject({ ok: true, error: null });
    // A schema that is nowhere is still unknown.
    expect((await testUri(postgres.uri, ['pg_nowhere'])).body.error).toMatchObject({ code: 'unknown_schema' });
  });

  it('saves nothing with ?test=true unless the test passes', async () => {
    const port = await closedPort();
    const failed = await api.request('POST', `${PATH}?test=true`, {
      alias: 'down',
      connection_uri: `postgresql://u:p@127.0.0.1:${port}/db`,
    });
    expect(failed.status).toBe(422);
    expect(failed.body).toMatchObject({ code: 'connection_failed', reason: { code: 'connection_refused' } });
    const missing = await api.request('POST', `${PATH}?test=true`, {
      alias: 'nosuch',
      connection_uri: postgres.uri,
      schemas: ['nope'],
    });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: 'unknown_schema', detail: expect.stringContaining('"nope"') });
    const aliases = (await api.request('GET', PATH)).body.map((connection: any) => connection.alias);
    expect(aliases).not.toContain('down');
    expect(aliases).not.toContain('nosuch');

    const created = await api.request('POST', `${PATH}?test=true`, {
      alias: 'up',
      connection_uri: postgres.uri,
      schemas: ['sales'],
    });
    expect(created.status).toBe(201);
    const broken = await api.request('PUT', `${PATH}/${created.body.id}?test=true`, {
      alias: 'up',
      connection_uri: `postgresql://u:p@127.0.0.1:${port}/db`,
    });
    expect(broken.status).toBe(422);
    expect((await api.request('GET', `${PATH}/${created.body.id}`)).body.connection_uri).toBe(
      created.body.connection_uri,
    );
    const graphql = await api.graphql(
      `mutation ($id: ID!) { updateDatabaseConnection(id: $id, input: {schemas: ["ghost"]}, testConnection: true) { __typename ... on Error { code } } }`,
      { id: created.body.id },
    );
    expect(graphql.data.updateDatabaseConnection).toEqual({
      __typename: 'ConnectionFailedError',
      code: 'unknown_schema',
    });
  });

  it('leaves no connection open on the target afterwards', async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    const { rows } = await admin.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'database-connection-api' AND datname = $1",
      [postgres.database],
    );
    await admin.end();
    expect(rows[0].n).toBe(0);
  });
});

describe.skipIf(!postgresAvailable)('limits', () => {
  it('refuses targets outside CONNECTION_TEST_ALLOWED_CIDRS', async () => {
    const database = createSqliteDatabase();
    const service = await startTestService(database.url, { CONNECTION_TEST_ALLOWED_CIDRS: '10.0.0.0/8' });
    try {
      const reply = await clientFor(service.url).request('POST', `${PATH}/test`, {
        connection_uri: 'postgresql://127.0.0.1/db',
      });
      expect(reply.status).toBe(403);
      expect(reply.body.code).toBe('target_not_allowed');
      conform(`${PATH}/test`, 'POST', reply);
    } finally {
      await service.stop();
      await database.drop();
    }
  });

  it.each([
    ['per API key', { CONNECTION_TESTS_MAX_PER_KEY: '1' }],
    ['in all', { CONNECTION_TESTS_MAX_CONCURRENT: '1', CONNECTION_TESTS_MAX_PER_KEY: '5' }],
  ])('caps tests running at once %s with 429 too_many_tests', async (_name, limits) => {
    const database = createSqliteDatabase();
    const service = await startTestService(database.url, { ...limits, CONNECTION_TEST_TIMEOUT_MS: '1000' });
    const silent = await startSilentServer();
    try {
      const api = clientFor(service.url);
      const uri = `postgresql://u:p@127.0.0.1:${silent.port}/db`;
      const replies = await Promise.all([1, 2].map(() => api.request('POST', `${PATH}/test`, { connection_uri: uri })));
      expect(replies.map((reply) => reply.status).sort()).toEqual([200, 429]);
      const refused = replies.find((reply) => reply.status === 429);
      expect(refused?.body.code).toBe('too_many_tests');
      expect(refused?.body.detail).toBe('Too many connection tests are running; try again in a moment.');
      expect(refused?.headers.get('retry-after')).toBe('1');
      for (const reply of replies) conform(`${PATH}/test`, 'POST', reply);
    } finally {
      await silent.close();
      await service.stop();
      await database.drop();
    }
  });

  it('says a schema discovery refused for the limits is one', async () => {
    const database = createSqliteDatabase();
    const service = await startTestService(database.url, {
      CONNECTION_TESTS_MAX_CONCURRENT: '1',
      CONNECTION_TEST_TIMEOUT_MS: '1000',
    });
    const silent = await startSilentServer();
    try {
      const api = clientFor(service.url);
      const uri = `postgresql://u:p@127.0.0.1:${silent.port}/db`;
      const { id } = (await api.request('POST', PATH, { alias: 'silent', connection_uri: uri })).body;
      // A test holds the one place (its database never answers); a discovery asks meanwhile.
      const test = api.request('POST', `${PATH}/test`, { connection_uri: uri });
      expect(
        await until(
          async () => silent.connections(),
          (open) => open > 0,
          5_000,
        ),
      ).toBe(1);
      const discoveryRefused = await api.request('GET', `${PATH}/${id}/schemas?refresh=true`);
      expect(discoveryRefused.status).toBe(429);
      expect(discoveryRefused.body.detail).toBe(
        'Too many schema discoveries and connection tests are running; try again in a moment.',
      );
      expect((await test).body).toMatchObject({ ok: false, error: { code: 'timeout' } });
    } finally {
      await silent.close();
      await service.stop();
      await database.drop();
    }
  });

  it('caches introspection for the configured time, until the connection changes', async () => {
    const target = await createPostgresTarget();
    const database = createSqliteDatabase();
    const service = await startTestService(database.url, { INTROSPECTION_CACHE_MS: '60000' });
    try {
      const api = clientFor(service.url);
      const created = (
        await api.request('POST', PATH, { alias: 'cached', connection_uri: target.uri, schemas: ['sales'] })
      ).body;
      const tablesOf = async () =>
        (await api.request('GET', `${PATH}/${created.id}/schemas`)).body.schemas[0].tables.map(
          (table: any) => table.name,
        );
      expect(await tablesOf()).toEqual(['big_orders', 'orders']);
      const client = new pg.Client({ connectionString: target.uri.replace('?sslmode=disable', '') });
      await client.connect();
      await client.query('CREATE TABLE sales.refunds (id int)');
      await client.end();
      expect(await tablesOf()).toEqual(['big_orders', 'orders']);
      // A PUT that changes nothing writes nothing, and the cache stays; a change forgets it.
      const put = (metadata: Record<string, unknown>) =>
        api.request('PUT', `${PATH}/${created.id}`, {
          alias: 'cached',
          connection_uri: target.uri,
          schemas: ['sales'],
          metadata,
        });
      await put({});
      expect(await tablesOf()).toEqual(['big_orders', 'orders']);
      await put({ note: 'changed' });
      expect(await tablesOf()).toEqual(['big_orders', 'orders', 'refunds']);
    } finally {
      await service.stop();
      await database.drop();
      await target.drop();
    }
  });
});
