/** The dialect registry: what each kind of database accepts, on both interfaces. */
import { describe, expect, it } from 'vitest';
import { DIALECTS, dialectOfUri } from '../src/dialects/registry.ts';
import { STORES } from './support/databases.ts';
import { useServiceFixture } from './support/service.ts';

const PATH = '/api/v1/database-connections';
const CREATE = `mutation ($input: CreateDatabaseConnectionInput!) {
  createDatabaseConnection(input: $input) {
    __typename
    ... on CreateDatabaseConnectionSuccess { databaseConnection { id dialect } }
    ... on Error { code message }
    ... on UnsupportedDialectError { scheme acceptedSchemes }
  }
}`;

describe('the registry', () => {
  it('lists the fourteen dialects, each with its own schemes', () => {
    expect(DIALECTS.map((dialect) => dialect.name)).toEqual([
      'postgresql',
      'mysql',
      'mariadb',
      'mssql',
      'oracle',
      'snowflake',
      'bigquery',
      'redshift',
      'databricks',
      'clickhouse',
      'trino',
      'awsathena',
      'duckdb',
      'sqlite',
    ]);
    const schemes = DIALECTS.flatMap((dialect) => dialect.schemes);
    expect(new Set(schemes).size).toBe(schemes.length);
  });

  it.each([
    ['postgresql://u:p@h/db', 'postgresql'],
    ['postgres://h/db', 'postgresql'],
    ['POSTGRESQL+psycopg2://h/db', 'postgresql'],
    ['mysql+pymysql://h/db', 'mysql'],
    ['mariadb://h/db', 'mariadb'],
    ['mssql+pyodbc://h/db', 'mssql'],
    ['snowflake://acct/db', 'snowflake'],
    ['awsathena+rest://h/db', 'awsathena'],
    ['clickhouse+native://h/db', 'clickhouse'],
  ])('%s is %s', (uri, name) => {
    expect(dialectOfUri(uri)?.name).toBe(name);
  });
});

describe.each(STORES)('dialect rules on $name', (store) => {
  const fixture = useServiceFixture(store);
  const api = () => fixture.api;
  const count = async () => (await api().request('GET', PATH)).body.length;

  describe.skipIf(store.skip)('refusals and filters', () => {
    it('answers 400 unsupported_dialect for an unknown scheme, naming the accepted ones', async () => {
      const rest = await api().request('POST', PATH, { alias: 'a', connection_uri: 'mongodb://h/db' });
      expect(rest.status).toBe(400);
      expect(rest.body.code).toBe('unsupported_dialect');
      expect(rest.body.detail).toMatch(/"mongodb".*Accepted schemes: postgresql, postgres, .*sqlite/);
      const graphql = await api().graphql(CREATE, { input: { alias: 'a', connectionUri: 'mongodb://h/db' } });
      expect(graphql.data.createDatabaseConnection).toMatchObject({
        __typename: 'UnsupportedDialectError',
        code: 'unsupported_dialect',
        scheme: 'mongodb',
        acceptedSchemes: expect.arrayContaining(['postgresql+psycopg2', 'mysql']),
      });
      expect(await count()).toBe(0);
    });

    it('answers 400 schemas_not_supported for schemas on a dialect without them, on create and update', async () => {
      for (const uri of ['mysql://h/db', 'redshift://h:5439/db', 'clickhouse://h/db', 'awsathena+rest://h/db']) {
        const rest = await api().request('POST', PATH, { alias: uri, connection_uri: uri, schemas: ['public'] });
        expect(rest.status, uri).toBe(400);
        expect(rest.body.code).toBe('schemas_not_supported');
      }
      const graphql = await api().graphql(CREATE, {
        input: { alias: 'm', connectionUri: 'mssql://h/db', schemas: ['dbo'] },
      });
      expect(graphql.data.createDatabaseConnection.__typename).toBe('SchemasNotSupportedError');
      expect(await count()).toBe(0);

      const mysql = (await api().request('POST', PATH, { alias: 'my', connection_uri: 'mysql://h/db' })).body;
      expect(mysql.dialect).toBe('mysql');
      const update = await api().graphql(
        'mutation ($id: ID!) { updateDatabaseConnection(id: $id, input: {schemas: ["x"]}) { __typename } }',
        { id: mysql.id },
      );
      expect(update.data.updateDatabaseConnection.__typename).toBe('SchemasNotSupportedError');
      const postgres = (
        await api().request('POST', PATH, { alias: 'pg', connection_uri: 'postgresql://h/db', schemas: ['s'] })
      ).body;
      const moved = await api().request('PUT', `${PATH}/${postgres.id}`, {
        alias: 'pg',
        connection_uri: 'mysql://h/db',
        schemas: ['s'],
      });
      expect(moved.body.code).toBe('schemas_not_supported');
      const changed = await api().request('PUT', `${PATH}/${postgres.id}`, {
        alias: 'pg',
        connection_uri: 'mariadb://h/db',
      });
      expect(changed.body.dialect).toBe('mariadb');
    });

    it('refuses file databases with 400 unsafe_database_uri', async () => {
      for (const uri of ['sqlite:///etc/passwd', 'duckdb:///tmp/x.duckdb', 'sqlite+pysqlite:///data.db']) {
        const rest = await api().request('POST', PATH, { alias: uri, connection_uri: uri });
        expect(rest.status).toBe(400);
        expect(rest.body.code).toBe('unsafe_database_uri');
      }
      expect(await count()).toBe(0);
    });

    it.each([
      ['no host at all', 'postgresql:///mydb', /names no host/],
      ["libpq's socket folder as a parameter", 'postgresql:///mydb?host=/var/run/postgresql', /names no host/],
      ['a socket folder in place of the host', 'postgresql://u@%2Fvar%2Frun%2Fpostgresql/db', /socket path/],
      ['another host as a parameter', 'postgresql://u@db.example.com/db?host=other.example.com', /host parameter/],
      ['a libpq service file entry', 'postgres://u@h/db?service=prod', /service parameter/],
      ['no host on MySQL', 'mysql:///mysql', /names no host/],
      ['a MySQL socket', 'mysql+pymysql://u:p@localhost/db?unix_socket=/tmp/mysql.sock', /unix_socket parameter/],
      ['a MariaDB option file', 'mariadb://u@h/db?read_default_file=/etc/my.cnf', /read_default_file parameter/],
      [
        'an ODBC connection string',
        'mssql+pyodbc://u:p@h/db?odbc_connect=DRIVER%3D%7BODBC%7D%3BSERVER%3Dx',
        /odbc_connect/,
      ],
      ["Oracle's dsn", 'oracle+oracledb://u:p@h/?dsn=tns_alias', /dsn parameter/],
      ['no host on Redshift', 'redshift:///dev', /names no host/],
      ['no host on ClickHouse', 'clickhouse:///default', /names no host/],
      ['no account on Snowflake', 'snowflake:///db', /names no host/],
    ])(
      'refuses a URI with %s: 400 naming connection_uri, on both interfaces, nothing stored',
      async (_name, uri, why) => {
        const bodies = { [PATH]: { alias: 'socket', connection_uri: uri }, [`${PATH}/test`]: { connection_uri: uri } };
        for (const [path, body] of Object.entries(bodies)) {
          const rest = await api().request('POST', path, body);
          expect(rest.status, path).toBe(400);
          expect(rest.body.code).toBe('validation_failed');
          expect(rest.body.errors).toEqual([{ field: 'connection_uri', message: expect.stringMatching(why) }]);
        }
        const { data } = await api().graphql(
          'mutation ($uri: String!) { testConnectionUri(uri: $uri) { __typename ... on ValidationError { fieldErrors { field message } } } }',
          { uri },
        );
        expect(data.testConnectionUri).toEqual({
          __typename: 'ValidationError',
          fieldErrors: [{ field: 'uri', message: expect.stringMatching(why) }],
        });
        expect(await count()).toBe(0);
      },
    );

    it('takes hosts however a URI writes them: names, addresses, IPv6, several, with ports and user info', async () => {
      for (const uri of [
        'postgresql://u:p@db.example.com:5432/db',
        'postgresql://10.0.3.12/db?sslmode=require',
        'postgresql://u@[2001:db8::1]:5432/db',
        'postgresql://u@h1:5432,h2:5433/db',
        'mysql://u:p%40ss@mysql.internal/db',
        'snowflake://u:p@acct-1/db/public?warehouse=wh',
        'bigquery://project-1/dataset',
      ]) {
        const reply = await api().request('POST', PATH, { alias: uri, connection_uri: uri });
        expect(reply.status, `${uri}: ${JSON.stringify(reply.body)}`).toBe(201);
      }
    });

    it('shows the dialect and filters by it, on both interfaces', async () => {
      for (const [alias, uri] of [
        ['p', 'postgres://h/db'],
        ['m', 'mysql://h/db'],
        ['s', 'snowflake://acct/db'],
      ]) {
        await api().request('POST', PATH, { alias, connection_uri: uri });
      }
      const mysql = await api().request('GET', `${PATH}?dialect=mysql`);
      expect(mysql.body.map((connection: any) => [connection.alias, connection.dialect])).toEqual([['m', 'mysql']]);
      expect((await api().request('GET', `${PATH}?dialect=mongodb`)).status).toBe(400);
      const { data } = await api().graphql(
        '{ databaseConnections(filter: {dialect: SNOWFLAKE}) { edges { node { alias dialect } } } }',
      );
      expect(data.databaseConnections.edges).toEqual([{ node: { alias: 's', dialect: 'SNOWFLAKE' } }]);
    });
  });
});
