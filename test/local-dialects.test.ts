/**
 * The dialects whose real servers run here: ClickHouse (Debian's clickhouse-server, its own
 * config and ports), Redshift's driver path against PostgreSQL's wire protocol, and SQLite and
 * DuckDB files the test makes, only inside FILE_DATABASES_DIR. Then every dialect at a host that
 * does not resolve, and health checks across them.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteDatabase } from '../src/db/sqlite-driver.ts';
import { DIALECTS } from '../src/dialects/registry.ts';
import type { RunningService } from '../src/service.ts';
import { createCertificateAuthority } from './support/certificates.ts';
import { type ClickHouse, clickhouseAvailable, startClickHouse } from './support/clickhouse.ts';
import { createSqliteDatabase, postgresAvailable, type TestDatabase } from './support/databases.ts';
import { keyless, untold } from './support/discovery.ts';
import { type Client, clientFor, startTestService } from './support/service.ts';
import { createPostgresTarget, POSTGRES_SALES_SCHEMA } from './support/targets.ts';
import { until } from './support/until.ts';

const Database = sqliteDatabase();

const PATH = '/api/v1/database-connections';

/** A SQLite file and a DuckDB file with a table "orders" (id not null, note nullable) and a view "recent". */
async function makeFiles(folder: string) {
  const sqlite = new Database(join(folder, 'shop.db'));
  sqlite.exec('CREATE TABLE orders (id INTEGER NOT NULL, note TEXT); CREATE VIEW recent AS SELECT id FROM orders');
  sqlite.close();
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const duck = await DuckDBInstance.create(join(folder, 'shop.duckdb'));
  const connection = await duck.connect();
  await connection.run(
    'CREATE TABLE orders (id INTEGER NOT NULL, note VARCHAR); CREATE VIEW recent AS SELECT id FROM orders',
  );
  connection.closeSync();
  duck.closeSync();
}

describe('dialects with a real server or file here', () => {
  const ca = createCertificateAuthority();
  const root = mkdtempSync(join(tmpdir(), 'dcapi-files-'));
  const folder = join(root, 'allowed');
  let database: TestDatabase;
  let service: RunningService;
  let api: Client;
  let clickhouse: ClickHouse | undefined;
  let postgres: Awaited<ReturnType<typeof createPostgresTarget>> | undefined;

  beforeAll(async () => {
    mkdirSync(folder);
    mkdirSync(join(folder, 'sub'));
    await makeFiles(folder);
    writeFileSync(join(root, 'outside.db'), '');
    symlinkSync(join(root, 'outside.db'), join(folder, 'link.db'));
    database = createSqliteDatabase();
    service = await startTestService(database.url, {
      ALLOW_FILE_DATABASES: 'true',
      FILE_DATABASES_DIR: folder,
      CONNECTION_TEST_TIMEOUT_MS: '2000',
      INTROSPECTION_CACHE_MS: '0',
      HEALTH_CHECK_INTERVAL_S: '1',
    });
    api = clientFor(service.url);
    if (clickhouseAvailable) {
      clickhouse = await startClickHouse(ca);
      await clickhouse.query('CREATE DATABASE sales');
      await clickhouse.query('CREATE TABLE sales.orders (id UInt32, note Nullable(String)) ENGINE = Memory');
      await clickhouse.query('CREATE VIEW sales.recent AS SELECT id FROM sales.orders');
    }
    if (postgresAvailable) postgres = await createPostgresTarget();
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
    clickhouse?.stop();
    await postgres?.drop();
    rmSync(root, { recursive: true, force: true });
  });

  const testUri = (connection_uri: string, extra: Record<string, unknown> = {}) =>
    api.request('POST', `${PATH}/test`, { connection_uri, ...extra });
  const create = async (alias: string, connection_uri: string, extra: Record<string, unknown> = {}) => {
    const created = await api.request('POST', PATH, { alias, connection_uri, ...extra });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.id as string;
  };
  const schemasOf = async (id: string) => (await api.request('GET', `${PATH}/${id}/schemas`)).body;
  const SALES = (types: [string, string, string]): Parameters<typeof untold>[0] => ({
    name: 'sales',
    tables: [
      {
        name: 'orders',
        type: 'table',
        columns: [
          { name: 'id', type: types[0], nullable: false },
          { name: 'note', type: types[1], nullable: true },
        ],
      },
      { name: 'recent', type: 'view', columns: [{ name: 'id', type: types[2], nullable: expect.any(Boolean) }] },
    ],
  });

  it.skipIf(!clickhouseAvailable)(
    'ClickHouse: tests, tells its version, discovers databases, tables and Nullable columns',
    async () => {
      const uri = `clickhouse://default@127.0.0.1:${clickhouse?.httpPort}/sales`;
      expect((await testUri(uri)).body).toEqual({
        ok: true,
        latency_ms: expect.any(Number),
        server_version: expect.stringMatching(/^18\.16/),
        error: null,
      });
      const id = await create('ch', uri);
      expect((await schemasOf(id)).schemas).toEqual([untold(SALES(['UInt32', 'Nullable(String)', 'UInt32']))]);
      const health = async () => (await api.request('GET', `${PATH}/${id}`)).body.health;
      expect((await until(health, (h) => h.status !== 'unknown', 5_000)).status).toBe('ok');
    },
  );

  it.skipIf(!clickhouseAvailable)(
    'ClickHouse: wrong password, unknown user and unknown database each have their code',
    async () => {
      const port = clickhouse?.httpPort;
      expect((await testUri(`clickhouse://reader:nope@127.0.0.1:${port}/default`)).body.error.code).toBe(
        'authentication_failed',
      );
      expect((await testUri(`clickhouse://nobody@127.0.0.1:${port}/default`)).body.error.code).toBe(
        'authentication_failed',
      );
      expect((await testUri(`clickhouse://reader:reader-pw@127.0.0.1:${port}/default`)).body.ok).toBe(true);
      expect((await testUri(`clickhouse://default@127.0.0.1:${port}/nosuch`)).body.error.code).toBe(
        'database_not_found',
      );
    },
  );

  it.skipIf(!clickhouseAvailable)(
    'ClickHouse over HTTPS: verified against the CA of the TLS settings, refused without it',
    async () => {
      const uri = `clickhouse+http://default@127.0.0.1:${clickhouse?.httpsPort}/sales?secure=true`;
      expect((await testUri(uri, { tls_settings: { ca_certificate: ca.certificate } })).body).toMatchObject({
        ok: true,
      });
      expect((await testUri(uri)).body.error.code).toBe('tls_error');
    },
  );

  it.skipIf(!postgresAvailable)('Redshift: its driver path over PostgreSQL’s wire protocol', async () => {
    const uri = (postgres?.uri ?? '').replace(/^postgresql:/, 'redshift+psycopg2:');
    expect((await testUri(uri)).body).toMatchObject({ ok: true, server_version: expect.stringMatching(/^15\./) });
    const id = await create('rs', uri);
    expect((await schemasOf(id)).schemas).toContainEqual(POSTGRES_SALES_SCHEMA);
  });

  it.each([
    // DuckDB's storage knows the table empty; SQLite has no statistics before ANALYZE.
    ['sqlite', 'shop.db', /^3\./, ['INTEGER', 'TEXT', 'INTEGER'], null],
    ['duckdb', 'shop.duckdb', /^v1\./, ['INTEGER', 'VARCHAR', 'INTEGER'], 0],
  ] as const)(
    '%s: tests and discovers a file inside FILE_DATABASES_DIR, read-only',
    async (scheme, file, version, types, rows) => {
      const uri = `${scheme}:///${join(folder, file)}`;
      expect((await testUri(uri)).body).toEqual({
        ok: true,
        latency_ms: expect.any(Number),
        server_version: expect.stringMatching(version),
        error: null,
      });
      const id = await create(scheme, uri);
      const [main] = (await schemasOf(id)).schemas;
      expect(main).toEqual(keyless({ ...SALES(types as unknown as [string, string, string]), name: 'main' }, rows));
      const health = async () => (await api.request('GET', `${PATH}/${id}`)).body.health;
      expect((await until(health, (h) => h.status !== 'unknown', 5_000)).status).toBe('ok');
    },
  );

  it.each([
    ['a file outside the folder', () => `sqlite:///${join(root, 'outside.db')}`, /outside FILE_DATABASES_DIR/],
    ['a way out by ..', () => `duckdb:///${folder}/../outside.db`, /without \. or \.\./],
    ['a link that leads out', () => `sqlite:///${join(folder, 'link.db')}`, /outside FILE_DATABASES_DIR/],
    ['a relative path', () => 'sqlite:///shop.db', /absolute path/],
    ['a folder that does not exist', () => `sqlite:///${join(folder, 'no', 'x.db')}`, /does not exist/],
    ['a folder in place of a file', () => `duckdb:///${join(folder, 'sub')}`, /not a file/],
  ])('refuses %s with a 400 naming connection_uri, and stores nothing', async (_case, uri, message) => {
    const before = (await api.request('GET', PATH)).body.length;
    for (const request of [api.request('POST', PATH, { alias: 'file', connection_uri: uri() }), testUri(uri())]) {
      const answer = await request;
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([{ field: 'connection_uri', message: expect.stringMatching(message) }]);
    }
    expect((await api.request('GET', PATH)).body.length).toBe(before);
  });

  it('never creates a file (one not there yet tests as database_not_found), and takes neither TLS nor SSH', async () => {
    const uri = `sqlite:///${join(folder, 'later.db')}`;
    expect((await testUri(uri)).body.error.code).toBe('database_not_found');
    expect((await testUri(`duckdb:///${join(folder, 'later.duckdb')}`)).body.error.code).toBe('database_not_found');
    expect(
      (
        await api.request('POST', PATH, {
          alias: 'x',
          connection_uri: uri,
          tls_settings: { ca_certificate: ca.certificate },
        })
      ).body.errors,
    ).toEqual([{ field: 'tls_settings', message: expect.stringMatching(/cannot apply to sqlite/) }]);
    const tunnelled = await api.request('POST', PATH, {
      alias: 'y',
      connection_uri: `duckdb:///${join(folder, 'shop.duckdb')}`,
      use_ssh: true,
      ssh_settings: { host: 'bastion.example.com', username: 'tunnel', password: 'pw' },
    });
    expect(tunnelled.status).toBe(400);
    expect(tunnelled.body.errors).toEqual([
      { field: 'use_ssh', message: expect.stringMatching(/cannot be true for duckdb/) },
    ]);
  });

  it('tests every dialect at a host that does not resolve: a classified failure, never dialect_not_testable nor a 5xx', async () => {
    const uris: Record<string, string> = {
      postgresql: 'postgresql://u:p@db.dcapi-test.invalid/db',
      mysql: 'mysql://u:p@db.dcapi-test.invalid/db',
      mariadb: 'mariadb://u:p@db.dcapi-test.invalid/db',
      mssql: 'mssql+pyodbc://u:p@db.dcapi-test.invalid/db',
      oracle: 'oracle://u:p@db.dcapi-test.invalid/?service_name=X',
      snowflake: 'snowflake://u:p@dcapi-test-account/db',
      bigquery: 'bigquery://dcapi-test-project/sales',
      redshift: 'redshift://u:p@db.dcapi-test.invalid:5439/db',
      databricks: 'databricks://token:t@db.dcapi-test.invalid?http_path=/sql/1.0/warehouses/a',
      clickhouse: 'clickhouse://u:p@db.dcapi-test.invalid/db',
      trino: 'trino://u@db.dcapi-test.invalid:8080/hive',
      awsathena: 'awsathena+rest://AK:SK@athena.dcapi-test.invalid:443/db',
      duckdb: `duckdb:///${join(folder, 'absent.duckdb')}`,
      sqlite: `sqlite:///${join(folder, 'absent.db')}`,
    };
    expect(Object.keys(uris).sort()).toEqual(DIALECTS.map((dialect) => dialect.name).sort());
    for (const [dialect, uri] of Object.entries(uris)) {
      const result = await testUri(uri);
      expect(result.status, `${dialect}: ${JSON.stringify(result.body)}`).toBe(200);
      expect(result.body.ok, dialect).toBe(false);
      // BigQuery needs its key before any host; a file not there is no database.
      const special: Record<string, string | RegExp> = {
        bigquery: 'credentials_invalid',
        snowflake: /host_not_found|account_not_found/,
        duckdb: 'database_not_found',
        sqlite: 'database_not_found',
      };
      const expected = special[dialect] ?? 'host_not_found';
      expect(result.body.error.code, dialect).toMatch(expected);
    }
  });
});

describe('file databases when the service may no longer open files', () => {
  it('says dialect_not_testable (health not_testable) for a stored file connection, and file_not_allowed once outside the folder', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dcapi-files-'));
    await makeFiles(folder);
    const database = createSqliteDatabase();
    const allowed = await startTestService(database.url, { ALLOW_FILE_DATABASES: 'true', FILE_DATABASES_DIR: folder });
    const created = await clientFor(allowed.url).request('POST', PATH, {
      alias: 'f',
      connection_uri: `sqlite:///${join(folder, 'shop.db')}`,
    });
    await allowed.stop();
    const refused = await startTestService(database.url, { HEALTH_CHECK_INTERVAL_S: '1' });
    try {
      const api = clientFor(refused.url);
      const result = await api.request('POST', `${PATH}/${created.body.id}/test`);
      expect(result.status).toBe(422);
      expect(result.body).toMatchObject({
        code: 'dialect_not_testable',
        detail: expect.stringMatching(/ALLOW_FILE_DATABASES/),
      });
      const health = async () => (await api.request('GET', `${PATH}/${created.body.id}`)).body.health;
      expect((await until(health, (h) => h.status !== 'unknown', 5_000)).status).toBe('not_testable');
    } finally {
      await refused.stop();
    }
    // Allowed again, but with another folder: the stored file is checked again each time it is opened.
    const elsewhere = mkdtempSync(join(tmpdir(), 'dcapi-files-'));
    const moved = await startTestService(database.url, { ALLOW_FILE_DATABASES: 'true', FILE_DATABASES_DIR: elsewhere });
    try {
      const result = await clientFor(moved.url).request('POST', `${PATH}/${created.body.id}/test`);
      expect(result.body).toMatchObject({
        ok: false,
        error: { code: 'file_not_allowed', message: expect.stringMatching(/outside FILE_DATABASES_DIR/) },
      });
    } finally {
      await moved.stop();
      await database.drop();
      rmSync(folder, { recursive: true, force: true });
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
