/**
 * Attacks through the parts of a connection URI, in every dialect: each part carries what would
 * add to the string its driver, or a client of the platform, writes it into (Oracle's connect
 * descriptor, an ODBC connection string, an HTTP header, a URL path, a protocol message ended by
 * NUL, libpq's keywords), most of them another address: a loopback listener, with loopback denied.
 * Each is refused with a 400 naming the part, on both interfaces and both stores, in both forms (a
 * URI, a dialect and its parameters); nothing is stored or changed, and the listener sees no
 * connection. Then what the driver layer does on its own: a reference that later stands for such
 * a URI, and Oracle's driver handed such values directly.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { oracleDriver } from '../src/connectivity/drivers/oracle.ts';
import { openNetwork } from '../src/connectivity/network.ts';
import { networkGuard } from '../src/connectivity/network-guard.ts';
import { InvalidTargetError, type Target } from '../src/connectivity/target.ts';
import { describeDialect, parametersOf, type UriPart } from '../src/dialects/parameters.ts';
import { DIALECTS, dialectOfUri } from '../src/dialects/registry.ts';
import { startCanary } from './support/canary.ts';
import { createSqliteDatabase, STORES } from './support/databases.ts';
import { clientFor, startTestService, useServiceFixture } from './support/service.ts';

const PATH = '/api/v1/database-connections';
const canary = await startCanary();
afterAll(() => canary.close());
// Each test answers for the connections made during it.
afterEach(() => expect(canary.connections.splice(0), 'the listener an attack points at saw a connection').toEqual([]));

/** Where the attacks point: the listener, on loopback, which every service here denies. */
const LISTENER = `127.0.0.1:${canary.port}`;
const DENY_LOOPBACK = { CONNECTION_TEST_DENIED_CIDRS: '127.0.0.0/8', CONNECTION_TEST_TIMEOUT_MS: '1500' };
const enc = encodeURIComponent;
const ORACLE_ADDRESS = `(ADDRESS=(PROTOCOL=TCP)(HOST=127.0.0.1)(PORT=${canary.port}))`;

/** [what it is, the URI, the REST field the 400 names]. */
type Attack = [string, string, string];

/** Into the strings each dialect's driver or clients build from a part. */
const SINK_ATTACKS: Attack[] = [
  [
    'Oracle: an ADDRESS through the service name',
    `oracle://scott:tiger@127.0.0.1:1521/?service_name=${enc(`X))${ORACLE_ADDRESS}(CONNECT_DATA=(SERVICE_NAME=Y`)}`,
    'connection_uri.service_name',
  ],
  [
    'Oracle: an ADDRESS through the SID in the path',
    `oracle://scott:tiger@127.0.0.1:1521/${enc(`X))${ORACLE_ADDRESS}(CONNECT_DATA=(SID=Y`)}`,
    'connection_uri.database',
  ],
  [
    'Oracle: an ADDRESS through the host, over TCPS',
    `oracle://scott:tiger@x)${ORACLE_ADDRESS.replace(/\)$/, '')}(y=z:1521/?service_name=S&protocol=tcps`,
    'connection_uri.host',
  ],
  [
    'Oracle: an ADDRESS through another parameter',
    `oracle://scott:tiger@127.0.0.1:1521/?service_name=S&expire_time=${enc(`1)${ORACLE_ADDRESS}`)}`,
    'connection_uri.options.expire_time',
  ],
  [
    'SQL Server: a Server keyword through the ODBC driver name',
    `mssql+pyodbc://sa:pw@127.0.0.1:1433/master?driver=${enc(`ODBC Driver 18 for SQL Server};Server=tcp:${LISTENER.replace(':', ',')};{x`)}`,
    'connection_uri.options.driver',
  ],
  [
    'SQL Server: a Server keyword through the database',
    `mssql+pyodbc://sa:pw@127.0.0.1:1433/${enc(`master;Server=tcp:${LISTENER.replace(':', ',')}`)}`,
    'connection_uri.database',
  ],
  [
    'SQL Server: a Server keyword through the user name',
    `mssql+pyodbc://${enc(`sa;Server=tcp:${LISTENER.replace(':', ',')}`)}:pw@127.0.0.1:1433/master`,
    'connection_uri.username',
  ],
  [
    'SQL Server: the Address keyword, which ODBC drivers take over Server',
    `mssql+pyodbc://sa:pw@127.0.0.1:1433/master?Address=${LISTENER.replace(':', ',')}`,
    'connection_uri',
  ],
  [
    'PostgreSQL: a host keyword through a parameter’s name, which libpq clients pass on unquoted',
    `postgresql://u:p@127.0.0.1:5432/db?${enc('sslmode=disable host')}=127.0.0.1&port=${canary.port}`,
    'connection_uri.options.sslmode=disable host',
  ],
  [
    'PostgreSQL: a startup parameter through a NUL in the user name',
    `postgresql://${enc('u\u0000options\u0000-c log_connections=on')}:p@127.0.0.1:5432/db`,
    'connection_uri.username',
  ],
  [
    'Redshift: a startup parameter through a NUL in the database',
    `redshift://u:p@127.0.0.1:5439/${enc('dev\u0000replication\u0000database')}`,
    'connection_uri.database',
  ],
  ['MySQL: a second host', `mysql://u:p@db.example.com,${LISTENER}/db`, 'connection_uri.host'],
  ['MariaDB: a NUL in the database', `mariadb://u:p@127.0.0.1:3306/${enc('db\u0000x')}`, 'connection_uri.database'],
  [
    'ClickHouse: a header through the user name',
    `clickhouse://${enc('default\r\nX-ClickHouse-Database: system')}:p@127.0.0.1:8123/db`,
    'connection_uri.username',
  ],
  [
    'ClickHouse: a header through the password',
    `clickhouse://default:${enc(`pw\r\nHost: ${LISTENER}`)}@127.0.0.1:8123/db`,
    'connection_uri.password',
  ],
  [
    'Trino: a header through the user name',
    `trino://${enc('ana\r\nX-Trino-Catalog: system')}@127.0.0.1:8080/hive`,
    'connection_uri.username',
  ],
  [
    'Trino: a header through the catalog',
    `trino://ana@127.0.0.1:8080/${enc('hive\r\nX-Trino-Catalog: system')}`,
    'connection_uri.catalog',
  ],
  [
    'Trino: a header through the schema',
    `trino://ana@127.0.0.1:8080/hive/${enc(`sales\r\nX-Forwarded-Host: ${LISTENER}`)}`,
    'connection_uri.schema',
  ],
  ['Snowflake: a second account', `snowflake://u:p@acme,127.0.0.1/db`, 'connection_uri.account'],
  [
    'Snowflake: a line break in the warehouse',
    `snowflake://u:p@acme/db?warehouse=${enc('wh\r\nrole=ACCOUNTADMIN')}`,
    'connection_uri.warehouse',
  ],
  ['BigQuery: a second project', `bigquery://project-1,127.0.0.1/dataset`, 'connection_uri.project'],
  [
    'Databricks: the HTTP path out of the warehouses, to another host',
    `databricks://token:dapi1@127.0.0.1:443?http_path=${enc(`/sql/1.0/warehouses/../../../@${LISTENER}/x`)}`,
    'connection_uri.http_path',
  ],
  [
    'Databricks: a header through the token',
    `databricks://token:${enc(`dapi1\r\nHost: ${LISTENER}`)}@127.0.0.1:443?http_path=/sql/1.0/warehouses/abc`,
    'connection_uri.token',
  ],
  [
    'Athena: a region that names another host',
    `awsathena+rest://AKID:secret@127.0.0.1:443/db?region_name=${enc(`x.${LISTENER}/`)}`,
    'connection_uri.region_name',
  ],
  [
    'Athena: the access key id rewriting the Authorization header',
    `awsathena+rest://${enc('AKID/x, SignedHeaders=host')}:secret@127.0.0.1:443/db`,
    'connection_uri.aws_access_key_id',
  ],
  [
    'Athena: a header through the session token',
    `awsathena+rest://AKID:secret@127.0.0.1:443/db?aws_session_token=${enc(`t\r\nHost: ${LISTENER}`)}`,
    'connection_uri.aws_session_token',
  ],
];

/** Into every part of every dialect reached over the network, by the names it gives its parts. */
const PART_ATTACKS: Attack[] = DIALECTS.filter((dialect) => !dialect.fileBased).flatMap((dialect) => {
  const { parameters } = describeDialect(dialect);
  const named = (part: UriPart, fallback: string) =>
    parameters.find((parameter) => parameter.part === part)?.name ?? fallback;
  const scheme = dialect.schemes[0];
  const [host, user, path] = [named('host', 'host'), named('user', 'username'), named('path0', 'database')];
  return [
    [`${dialect.name}: descriptor syntax in the host`, `${scheme}://u@a)(b=c:1/x`, `connection_uri.${host}`],
    [
      `${dialect.name}: more than a port after the host`,
      `${scheme}://u@127.0.0.1:1)(PORT=${canary.port}/x`,
      'connection_uri',
    ],
    [`${dialect.name}: a NUL in the user name`, `${scheme}://${enc('u\u0000x')}@h.example/x`, `connection_uri.${user}`],
    [`${dialect.name}: a line break in the path`, `${scheme}://u@h.example/${enc('x\r\ny')}`, `connection_uri.${path}`],
    [
      `${dialect.name}: a parameter name that is two`,
      `${scheme}://u@h.example/x?${enc('a host')}=127.0.0.1`,
      'connection_uri.options.a host',
    ],
    [
      `${dialect.name}: a line break in a parameter`,
      `${scheme}://u@h.example/x?application_name=${enc('a\r\nb')}`,
      'connection_uri.options.application_name',
    ],
  ] satisfies Attack[];
});

const CREATE = `mutation ($input: CreateDatabaseConnectionInput!) {
  createDatabaseConnection(input: $input) {
    __typename ... on ValidationError { fieldErrors { field message } }
  }
}`;
const UPDATE = `mutation ($id: ID!, $input: UpdateDatabaseConnectionInput!) {
  updateDatabaseConnection(id: $id, input: $input) {
    __typename ... on ValidationError { fieldErrors { field message } }
  }
}`;
const TEST_URI = `mutation ($uri: String, $dialect: Dialect, $parameters: JSONObject) {
  testConnectionUri(uri: $uri, dialect: $dialect, parameters: $parameters) {
    __typename ... on ValidationError { fieldErrors { field message } }
  }
}`;

/** The GraphQL name of a REST field path: connection_uri.x → connectionUri.x. */
const graphqlField = (field: string, uriName = 'connectionUri') => field.replace(/^connection_uri/, uriName);

describe.each(STORES)('injection through a URI’s parts on $name', (store) => {
  const fixture = useServiceFixture(store, DENY_LOOPBACK);
  const api = () => fixture.api;
  const VALID = { alias: 'valid', connection_uri: 'postgresql://u:p@db.example.com/db' };

  describe.skipIf(store.skip)('refused where it is written', () => {
    it.each([...SINK_ATTACKS, ...PART_ATTACKS])(
      '%s: REST and GraphQL, tests and creates, answer 400 naming it; nothing stored',
      async (_name, uri, field) => {
        const naming = { field, message: expect.any(String) };
        const tested = await api().request('POST', `${PATH}/test`, { connection_uri: uri });
        expect(tested.status, tested.text.slice(0, 300)).toBe(400);
        expect(tested.body).toMatchObject({ code: 'validation_failed', errors: expect.arrayContaining([naming]) });
        const created = await api().request('POST', PATH, { alias: 'attack', connection_uri: uri });
        expect(created.status).toBe(400);
        expect(created.body.errors).toContainEqual(naming);
        const graphqlTest = await api().graphql(TEST_URI, { uri });
        expect(graphqlTest.data.testConnectionUri.fieldErrors).toContainEqual({
          field: graphqlField(field, 'uri'),
          message: naming.message,
        });
        const graphqlCreate = await api().graphql(CREATE, { input: { alias: 'attack', connectionUri: uri } });
        expect(graphqlCreate.data.createDatabaseConnection.fieldErrors).toContainEqual({
          field: graphqlField(field),
          message: naming.message,
        });
        expect((await api().request('GET', PATH)).body).toEqual([]);
      },
    );

    it.each(SINK_ATTACKS)('%s: a replace and an update answer 400 and change nothing', async (_name, uri, field) => {
      const stored = (await api().request('POST', PATH, VALID)).body;
      const replaced = await api().request('PUT', `${PATH}/${stored.id}`, { ...VALID, connection_uri: uri });
      expect(replaced.status).toBe(400);
      expect(replaced.body.errors).toContainEqual({ field, message: expect.any(String) });
      const updated = await api().graphql(UPDATE, { id: stored.id, input: { connectionUri: uri } });
      expect(updated.data.updateDatabaseConnection.fieldErrors).toContainEqual({
        field: graphqlField(field),
        message: expect.any(String),
      });
      expect((await api().request('GET', PATH)).body).toEqual([stored]);
    });

    it.each(SINK_ATTACKS)('%s: written as parameters, 400 naming the parameter', async (_name, uri, field) => {
      const dialect = dialectOfUri(uri);
      if (!dialect) throw new Error(`no dialect for ${uri}`);
      // The parameters the dialect requires, where the attack leaves them out: its own problem is the one looked for.
      const required = describeDialect(dialect).parameters.filter((parameter) => parameter.required);
      const parameters = {
        ...Object.fromEntries(required.map(({ name }) => [name, 'x'])),
        ...parametersOf(dialect, uri),
      };
      const expected = { field: field.replace(/^connection_uri/, 'parameters'), message: expect.any(String) };
      const created = await api().request('POST', PATH, { alias: 'attack', dialect: dialect.name, parameters });
      expect(created.status, created.text.slice(0, 300)).toBe(400);
      expect(created.body.errors).toContainEqual(expected);
      const tested = await api().graphql(TEST_URI, { dialect: dialect.name.toUpperCase(), parameters });
      expect(tested.data.testConnectionUri.fieldErrors).toContainEqual(expected);
      expect((await api().request('GET', PATH)).body).toEqual([]);
    });

    it('refuses a host parameter written with more than a host, which would move the rest of the URI', async () => {
      for (const host of [`h.example/x?service_name=${enc('(')}`, `u@${LISTENER}`, LISTENER, 'h.example#x']) {
        const reply = await api().request('POST', `${PATH}/test`, {
          dialect: 'oracle',
          parameters: { host, service_name: 'S' },
        });
        expect(reply.status, host).toBe(400);
        expect(reply.body.errors).toEqual([{ field: 'parameters.host', message: expect.stringMatching(/alone/) }]);
      }
    });
  });
});

describe('what the driver layer refuses on its own', () => {
  let database: ReturnType<typeof createSqliteDatabase>;
  let service: Awaited<ReturnType<typeof startTestService>>;
  let api: ReturnType<typeof clientFor>;
  const VARIABLE = 'DCAPI_SECRET_INJECTION_URI';

  beforeAll(async () => {
    database = createSqliteDatabase();
    service = await startTestService(database.url, { ...DENY_LOOPBACK, INTROSPECTION_CACHE_MS: '0' });
    api = clientFor(service.url);
  });
  afterAll(async () => {
    delete process.env[VARIABLE];
    await service?.stop();
    await database?.drop();
  });

  it('a saved connection whose reference now stands for an injecting URI: a failed test, nothing reached', async () => {
    process.env[VARIABLE] = 'oracle://scott:tiger@db.example.com:1521/?service_name=SALES';
    const created = await api.request('POST', PATH, { alias: 'by-reference', connection_uri: `\${env:${VARIABLE}}` });
    expect(created.status, created.text).toBe(201);
    for (const injected of [
      `oracle://scott:tiger@127.0.0.1:1521/?service_name=${enc(`X))${ORACLE_ADDRESS}(CONNECT_DATA=(SERVICE_NAME=Y`)}`,
      `oracle://scott:tiger@127.0.0.1:1521/${enc(`X))${ORACLE_ADDRESS}(CONNECT_DATA=(SID=Y`)}`,
    ]) {
      process.env[VARIABLE] = injected;
      const tested = await api.request('POST', `${PATH}/${created.body.id}/test`);
      expect(tested.status).toBe(200);
      expect(tested.body).toMatchObject({
        ok: false,
        error: { code: 'invalid_uri', message: expect.stringMatching(/its (service_name|database) must/) },
      });
      const graphql = await api.graphql(
        'mutation ($id: ID!) { testDatabaseConnection(id: $id) { ... on ConnectionTestResult { ok error { code } } } }',
        { id: created.body.id },
      );
      expect(graphql.data.testDatabaseConnection).toEqual({ ok: false, error: { code: 'invalid_uri' } });
      const discovered = await api.request('GET', `${PATH}/${created.body.id}/schemas`);
      expect(discovered.status).toBe(422);
      expect(discovered.body.reason.code).toBe('invalid_uri');
    }
  });

  it('a PostgreSQL URI with several hosts is kept, as libpq takes it, and tested nowhere', async () => {
    const uri = `postgresql://u:p@db.example.com:5432,${LISTENER}/db`;
    expect((await api.request('POST', PATH, { alias: 'several', connection_uri: uri })).status).toBe(201);
    const tested = await api.request('POST', `${PATH}/test`, { connection_uri: uri });
    expect(tested.body).toMatchObject({ ok: false, error: { code: 'invalid_uri' } });
  });

  it('Oracle’s driver, handed unchecked values, writes no descriptor of them and connects nowhere', async () => {
    const guard = networkGuard({ denied: ['127.0.0.0/8'], allowed: [] });
    const target = (parts: Partial<Target>): Target => ({
      host: 'db.example.com',
      port: 1521,
      user: 'scott',
      password: 'tiger',
      parameters: new URLSearchParams(),
      ...parts,
    });
    for (const [parts, name] of [
      [
        { parameters: new URLSearchParams({ service_name: `X))${ORACLE_ADDRESS}(CONNECT_DATA=(SERVICE_NAME=Y` }) },
        'service_name',
      ],
      [{ database: `X))${ORACLE_ADDRESS}(CONNECT_DATA=(SID=Y` }, 'database'],
      [{ host: `x)${ORACLE_ADDRESS}(y=z`, parameters: new URLSearchParams({ service_name: 'S' }) }, 'host'],
    ] as const) {
      const network = openNetwork(guard, undefined, 1_000);
      try {
        const tlsMode = name === 'host' ? 'verify-full' : 'off';
        const attempt = oracleDriver({ target: target(parts), network, timeoutMs: 1_000, tlsMode, tls: null });
        await expect(attempt).rejects.toThrow(InvalidTargetError);
        await expect(attempt).rejects.toThrow(new RegExp(`its ${name} cannot be written`));
      } finally {
        network.close();
      }
    }
  });

  it('the listener does see a connection a URI names honestly, when loopback is allowed: the attacks above would show', async () => {
    const open = await startTestService(database.url, {
      CONNECTION_TEST_DENIED_CIDRS: '',
      CONNECTION_TEST_TIMEOUT_MS: '500',
    });
    try {
      const reply = await clientFor(open.url).request('POST', `${PATH}/test`, {
        connection_uri: `oracle://scott:tiger@${LISTENER}/?service_name=S`,
      });
      expect(reply.body).toMatchObject({ ok: false, error: { code: 'timeout' } });
      expect(canary.connections).toHaveLength(1);
      expect(canary.connections[0]).toContain('(SERVICE_NAME=S)');
      canary.connections.length = 0;
    } finally {
      await open.stop();
    }
  });
});

describe('file databases', () => {
  const folder = mkdtempSync(join(tmpdir(), 'dcapi-injection-files-'));
  let database: ReturnType<typeof createSqliteDatabase>;
  let service: Awaited<ReturnType<typeof startTestService>>;

  beforeAll(async () => {
    writeFileSync(join(folder, 'shop.db'), '');
    database = createSqliteDatabase();
    service = await startTestService(database.url, { ALLOW_FILE_DATABASES: 'true', FILE_DATABASES_DIR: folder });
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it.each(['sqlite', 'duckdb'])(
    '%s: a NUL in the path, which would end it where the file system reads it, is a 400',
    async (scheme) => {
      const api = clientFor(service.url);
      for (const path of [`${folder}/shop.db%00.txt`, `${folder}/x%00/../shop.db`]) {
        for (const [route, body] of [
          [`${PATH}/test`, { connection_uri: `${scheme}:///${path}` }],
          [PATH, { alias: 'file', connection_uri: `${scheme}:///${path}` }],
        ] as const) {
          const reply = await api.request('POST', route, body);
          expect(reply.status, reply.text).toBe(400);
          expect(reply.body.errors).toEqual([
            { field: 'connection_uri', message: expect.stringMatching(/control characters/) },
          ]);
        }
      }
      expect((await api.request('GET', PATH)).body).toEqual([]);
    },
  );
});
