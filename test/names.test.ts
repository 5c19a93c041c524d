/**
 * Names of databases and schemas, read by each dialect's rule as its vendor's own tools read them
 * (src/dialects/names.ts, the rule in the registry): the rule itself, the table of
 * docs/rest-api.md, and on the local PostgreSQL, a connection's `schemas` matched by it.
 * Snowflake's, against its stand-in: test/vendors/snowflake.test.ts.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAME_RULES, nameAsRead } from '../src/dialects/names.ts';
import { DIALECTS, dialectNamed, type NameCase } from '../src/dialects/registry.ts';
import type { RunningService } from '../src/service.ts';
import { createSqliteDatabase, postgresAvailable, type TestDatabase } from './support/databases.ts';
import { type Client, clientFor, startTestService } from './support/service.ts';
import { createPostgresTarget, POSTGRES_SALES_SCHEMA } from './support/targets.ts';

const PATH = '/api/v1/database-connections';

describe('each dialect’s rule', () => {
  it('folds unquoted names as the vendor does: Snowflake and Oracle to upper case, PostgreSQL and Athena to lower, others not', () => {
    const rules = Object.fromEntries(DIALECTS.map((dialect) => [dialect.name, dialect.names]));
    expect(rules).toEqual({
      postgresql: 'lower',
      mysql: 'as-written',
      mariadb: 'as-written',
      mssql: 'as-written',
      oracle: 'upper',
      snowflake: 'upper',
      bigquery: 'as-written',
      redshift: 'as-written',
      databricks: 'as-written',
      clickhouse: 'as-written',
      trino: 'as-written',
      awsathena: 'lower',
      duckdb: 'as-written',
      sqlite: 'as-written',
    });
  });

  it.each([
    ['snowflake', 'sales_db', 'SALES_DB'],
    ['snowflake', '"sales_db"', 'sales_db'],
    ['snowflake', '"a""b"', 'a"b'],
    ['oracle', 'hr', 'HR'],
    ['oracle', '"Hr"', 'Hr'],
    ['postgresql', 'Sales', 'sales'],
    ['postgresql', '"Sales"', 'Sales'],
    // Letters a–z only, as PostgreSQL folds them in UTF-8; the rest as written.
    ['postgresql', 'ÉTÉ_Q1', 'ÉtÉ_q1'],
    ['postgresql', '"unclosed', '"unclosed'],
    // Glue keeps names in lower case: a URI's SALES is the database sales.
    ['awsathena', 'SALES', 'sales'],
    ['mysql', 'Sales', 'Sales'],
    ['bigquery', '"sales"', '"sales"'],
  ] as const)('%s reads %s as %s', (name, written, read) => {
    expect(nameAsRead(dialectNamed(name), written)).toBe(read);
  });

  it('is stated in docs/rest-api.md for every dialect, as declared', () => {
    const rules = Object.keys(NAME_RULES) as NameCase[];
    const rows = rules.map((rule) => {
      const dialects = DIALECTS.filter((dialect) => dialect.names === rule).map((dialect) => dialect.name);
      return `| ${NAME_RULES[rule]} | ${dialects.join(', ')} |`;
    });
    const doc = readFileSync(new URL('../docs/rest-api.md', import.meta.url), 'utf8');
    expect(doc).toContain(['| Names are read | Dialects |', '|---|---|', ...rows].join('\n'));
  });
});

describe.skipIf(!postgresAvailable)('PostgreSQL: schemas matched as psql reads them', () => {
  let target: Awaited<ReturnType<typeof createPostgresTarget>>;
  let database: TestDatabase;
  let service: RunningService;
  let api: Client;
  beforeAll(async () => {
    target = await createPostgresTarget();
    const client = new pg.Client({ connectionString: target.uri });
    await client.connect();
    await client.query('CREATE SCHEMA "Mixed"');
    await client.end();
    database = createSqliteDatabase();
    service = await startTestService(database.url, { INTROSPECTION_CACHE_MS: '0' });
    api = clientFor(service.url);
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
    await target?.drop();
  });
  const testUri = (schemas: string[], uri = target.uri) =>
    api.request('POST', `${PATH}/test`, { connection_uri: uri, schemas });

  it('SALES is sales, "Mixed" is Mixed', async () => {
    expect((await testUri(['SALES', '"Mixed"'])).body).toMatchObject({ ok: true, error: null });
    const created = await api.request('POST', PATH, { alias: 'pg', connection_uri: target.uri, schemas: ['SALES'] });
    expect((await api.request('GET', `${PATH}/${created.body.id}/schemas`)).body.schemas).toEqual([
      POSTGRES_SALES_SCHEMA,
    ]);
  });

  it('Mixed unquoted is mixed, which does not exist: the message says how the name was read', async () => {
    expect((await testUri(['Mixed'])).body.error).toEqual({
      code: 'unknown_schema',
      message: 'The database has no schema "mixed": postgresql reads the name Mixed as mixed.',
    });
  });

  it('the database of the URI is taken as written, as libpq takes it', async () => {
    const upper = target.uri.replace(target.database, target.database.toUpperCase());
    expect((await testUri([], upper)).body.error).toMatchObject({ code: 'database_not_found' });
  });
});
