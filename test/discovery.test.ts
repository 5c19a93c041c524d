/**
 * What discovery tells beyond names, types and nullability, on the real servers and files here:
 * primary keys, foreign keys (composite, named, across schemas where the dialect allows), table
 * and column comments written with each dialect's own syntax, and the catalog's row estimates once
 * its statistics are gathered. REST and GraphQL answer the same, and REST as its OpenAPI says.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sqlite } from '../src/db/sqlite-driver.ts';
import type { RunningService } from '../src/service.ts';
import { createCertificateAuthority } from './support/certificates.ts';
import { type ClickHouse, clickhouseAvailable, startClickHouse } from './support/clickhouse.ts';
import { createSqliteDatabase, postgresAvailable, type TestDatabase } from './support/databases.ts';
import { conform } from './support/openapi.ts';
import { type Client, clientFor, startTestService } from './support/service.ts';
import { createMariadbTarget, createPostgresTarget, MARIADB_ADMIN, mariadbAvailable } from './support/targets.ts';

const PATH = '/api/v1/database-connections';

/** Customers with a comment, a primary key and a unique (id, region); lines of orders referencing them by both. */
const CUSTOMERS_ROWS = 3;
const LINES_ROWS = 5;

/** The foreign key every engine below gets, named where the engine keeps the name. */
const linesForeignKey = (schema: string, name: unknown = 'lines_customer_fk') => ({
  name,
  columns: ['customer_id', 'region'],
  referenced_schema: schema,
  referenced_table: 'customers',
  referenced_columns: ['id', 'region'],
});

const GRAPHQL_TABLES = `query ($id: ID!) { databaseConnection(id: $id) { introspection { __typename
  ... on IntrospectionSuccess { schemas { name tables { name kind comment estimatedRowCount primaryKey
    foreignKeys { name columns referencedSchema referencedTable referencedColumns } columns { name comment } } } } } } }`;

describe('discovery: keys, comments and row estimates', () => {
  const root = mkdtempSync(join(tmpdir(), 'dcapi-discovery-'));
  let store: TestDatabase;
  let service: RunningService;
  let api: Client;

  beforeAll(async () => {
    store = createSqliteDatabase();
    service = await startTestService(store.url, {
      ALLOW_FILE_DATABASES: 'true',
      FILE_DATABASES_DIR: root,
      INTROSPECTION_CACHE_MS: '0',
      CONNECTION_TEST_TIMEOUT_MS: '20000',
    });
    api = clientFor(service.url);
  });
  afterAll(async () => {
    await service?.stop();
    await store?.drop();
    rmSync(root, { recursive: true, force: true });
  });

  /** Saves a connection and discovers it: the REST answer (checked against OpenAPI) and its id. */
  async function discover(alias: string, connection_uri: string, schemas?: string[]) {
    const created = await api.request('POST', PATH, { alias, connection_uri, ...(schemas && { schemas }) });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const reply = await api.request('GET', `${PATH}/${created.body.id}/schemas`);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    conform(`${PATH}/{id}/schemas`, 'GET', reply);
    return { id: created.body.id as string, schemas: reply.body.schemas as any[] };
  }
  const tableOf = (schemas: any[], schema: string, table: string) =>
    schemas.find((s) => s.name === schema)?.tables.find((t: any) => t.name === table);

  /** GraphQL's answer for the same connection is REST's, field for field, in camelCase. */
  async function expectGraphqlToMatch(id: string, schemas: any[]) {
    const answer = await api.graphql(GRAPHQL_TABLES, { id });
    const fromGraphql = answer.data.databaseConnection.introspection.schemas;
    expect(fromGraphql).toEqual(
      schemas.map((schema) => ({
        name: schema.name,
        tables: schema.tables.map((table: any) => ({
          name: table.name,
          kind: table.type.toUpperCase(),
          comment: table.comment,
          estimatedRowCount: table.estimated_row_count,
          primaryKey: table.primary_key,
          foreignKeys:
            table.foreign_keys === null
              ? null
              : table.foreign_keys.map((key: any) => ({
                  name: key.name,
                  columns: key.columns,
                  referencedSchema: key.referenced_schema,
                  referencedTable: key.referenced_table,
                  referencedColumns: key.referenced_columns,
                })),
          columns: table.columns.map((column: any) => ({ name: column.name, comment: column.comment })),
        })),
      })),
    );
  }

  it.skipIf(!postgresAvailable)(
    'PostgreSQL and Redshift’s path: keys across schemas, COMMENT ON, reltuples after ANALYZE',
    async () => {
      const target = await createPostgresTarget();
      try {
        const client = new pg.Client({ connectionString: target.uri.replace('?sslmode=disable', '') });
        await client.connect();
        await client.query(`CREATE SCHEMA crm;
          CREATE TABLE crm.customers (id integer PRIMARY KEY, region text NOT NULL, UNIQUE (id, region));
          CREATE TABLE sales.lines (order_id integer, line integer, customer_id integer, region text,
            PRIMARY KEY (order_id, line),
            CONSTRAINT lines_customer_fk FOREIGN KEY (customer_id, region) REFERENCES crm.customers (id, region));
          COMMENT ON TABLE crm.customers IS 'People who order';
          COMMENT ON COLUMN crm.customers.region IS 'Sales region, as the CRM spells it';
          COMMENT ON VIEW sales.big_orders IS 'Orders over 100';
          INSERT INTO crm.customers SELECT i, 'r' || i FROM generate_series(1, ${CUSTOMERS_ROWS}) AS i;
          INSERT INTO sales.lines SELECT i, 1, 1, 'r1' FROM generate_series(1, ${LINES_ROWS}) AS i;
          ANALYZE crm.customers; ANALYZE sales.lines;`);
        await client.end();
        // Redshift takes no schemas: it discovers every schema the user's are among.
        for (const [scheme, only] of [
          ['postgresql', ['crm', 'sales']],
          ['redshift+psycopg2', undefined],
        ] as const) {
          const uri = target.uri.replace(/^postgresql/, scheme);
          const { id, schemas } = await discover(scheme, uri, only && [...only]);
          expect(tableOf(schemas, 'crm', 'customers')).toEqual({
            name: 'customers',
            type: 'table',
            comment: 'People who order',
            estimated_row_count: CUSTOMERS_ROWS,
            primary_key: ['id'],
            foreign_keys: [],
            columns: [
              { name: 'id', type: 'integer', nullable: false, comment: null },
              { name: 'region', type: 'text', nullable: false, comment: 'Sales region, as the CRM spells it' },
            ],
          });
          expect(tableOf(schemas, 'sales', 'lines')).toMatchObject({
            estimated_row_count: LINES_ROWS,
            primary_key: ['order_id', 'line'],
            foreign_keys: [linesForeignKey('crm')],
          });
          // A table never analyzed has no estimate (reltuples -1); a view has neither keys nor rows.
          expect(tableOf(schemas, 'sales', 'orders')).toMatchObject({ estimated_row_count: null, primary_key: [] });
          expect(tableOf(schemas, 'sales', 'big_orders')).toMatchObject({
            type: 'view',
            comment: 'Orders over 100',
            estimated_row_count: null,
            primary_key: [],
            foreign_keys: [],
          });
          await expectGraphqlToMatch(id, schemas);
        }
      } finally {
        await target.drop();
      }
    },
  );

  it.skipIf(!mariadbAvailable)('MariaDB: keys, COMMENT clauses, TABLE_ROWS after ANALYZE TABLE', async () => {
    const target = await createMariadbTarget();
    try {
      const admin = await mysql.createConnection({
        ...MARIADB_ADMIN,
        database: target.database,
        multipleStatements: true,
      });
      await admin.query(`CREATE TABLE customers (id INT PRIMARY KEY, region VARCHAR(20) NOT NULL COMMENT 'Sales region',
          UNIQUE (id, region)) COMMENT 'People who order';
        CREATE TABLE \`lines\` (order_id INT, line INT, customer_id INT, region VARCHAR(20),
          PRIMARY KEY (order_id, line),
          CONSTRAINT lines_customer_fk FOREIGN KEY (customer_id, region) REFERENCES customers (id, region));
        CREATE VIEW recent AS SELECT order_id FROM \`lines\`;
        INSERT INTO customers VALUES (1, 'r1'), (2, 'r2'), (3, 'r3');
        INSERT INTO \`lines\` VALUES (1, 1, 1, 'r1'), (2, 1, 1, 'r1'), (3, 1, 1, 'r1'), (4, 1, 1, 'r1'), (5, 1, 1, 'r1');
        ANALYZE TABLE customers, \`lines\`;`);
      await admin.end();
      const { id, schemas } = await discover('maria', target.uri('mariadb'));
      expect(tableOf(schemas, target.database, 'customers')).toEqual({
        name: 'customers',
        type: 'table',
        comment: 'People who order',
        estimated_row_count: CUSTOMERS_ROWS,
        primary_key: ['id'],
        foreign_keys: [],
        columns: [
          { name: 'id', type: 'int(11)', nullable: false, comment: null },
          { name: 'region', type: 'varchar(20)', nullable: false, comment: 'Sales region' },
        ],
      });
      expect(tableOf(schemas, target.database, 'lines')).toMatchObject({
        estimated_row_count: LINES_ROWS,
        primary_key: ['order_id', 'line'],
        foreign_keys: [linesForeignKey(target.database)],
      });
      // A view's TABLE_COMMENT says VIEW: no comment, no rows.
      expect(tableOf(schemas, target.database, 'recent')).toMatchObject({
        type: 'view',
        comment: null,
        estimated_row_count: null,
        primary_key: [],
      });
      await expectGraphqlToMatch(id, schemas);
    } finally {
      await target.drop();
    }
  });

  it.skipIf(!clickhouseAvailable)(
    'ClickHouse: column comments, the rows of MergeTree parts; no keys told',
    async () => {
      let clickhouse: ClickHouse | undefined;
      try {
        clickhouse = await startClickHouse(createCertificateAuthority());
        await clickhouse.query('CREATE DATABASE shop');
        await clickhouse.query(
          "CREATE TABLE shop.events (id UInt32 COMMENT 'Event number', kind String) ENGINE = MergeTree ORDER BY id",
        );
        await clickhouse.query(`INSERT INTO shop.events SELECT number, 'k' FROM system.numbers LIMIT ${LINES_ROWS}`);
        await clickhouse.query('CREATE TABLE shop.scratch (id UInt32) ENGINE = Memory');
        const { id, schemas } = await discover('ch', `clickhouse://default@127.0.0.1:${clickhouse.httpPort}/shop`);
        expect(schemas).toEqual([
          {
            name: 'shop',
            tables: [
              {
                name: 'events',
                type: 'table',
                comment: null,
                estimated_row_count: LINES_ROWS,
                primary_key: null,
                foreign_keys: null,
                columns: [
                  { name: 'id', type: 'UInt32', nullable: false, comment: 'Event number' },
                  { name: 'kind', type: 'String', nullable: false, comment: null },
                ],
              },
              {
                name: 'scratch',
                type: 'table',
                comment: null,
                estimated_row_count: null,
                primary_key: null,
                foreign_keys: null,
                columns: [{ name: 'id', type: 'UInt32', nullable: false, comment: null }],
              },
            ],
          },
        ]);
        await expectGraphqlToMatch(id, schemas);
      } finally {
        clickhouse?.stop();
      }
    },
  );

  it('SQLite: keys (one referencing the parent’s primary key by default), sqlite_stat1 after ANALYZE', async () => {
    const file = join(root, 'shop.db');
    const database = new Sqlite(file);
    database.exec(`CREATE TABLE customers (id INTEGER PRIMARY KEY, region TEXT NOT NULL, UNIQUE (id, region));
      CREATE TABLE lines (order_id INTEGER, line INTEGER, customer_id INTEGER, region TEXT,
        PRIMARY KEY (order_id, line),
        CONSTRAINT lines_customer_fk FOREIGN KEY (customer_id, region) REFERENCES customers (id, region));
      CREATE TABLE notes (order_id INTEGER, line INTEGER, body TEXT, FOREIGN KEY (order_id, line) REFERENCES lines);
      INSERT INTO customers VALUES (1, 'r1'), (2, 'r2'), (3, 'r3');
      INSERT INTO lines VALUES (1, 1, 1, 'r1'), (2, 1, 1, 'r1'), (3, 1, 1, 'r1'), (4, 1, 1, 'r1'), (5, 1, 1, 'r1');`);
    const before = await discover('sqlite-before', `sqlite:///${file}`);
    // Before ANALYZE SQLite has no statistics: no estimate rather than a count.
    expect(tableOf(before.schemas, 'main', 'lines').estimated_row_count).toBeNull();
    database.exec('ANALYZE');
    database.close();
    const { id, schemas } = await discover('sqlite', `sqlite:///${file}`);
    expect(tableOf(schemas, 'main', 'customers')).toMatchObject({
      comment: null,
      estimated_row_count: CUSTOMERS_ROWS,
      primary_key: ['id'],
      foreign_keys: [],
    });
    // SQLite keeps no constraint names.
    expect(tableOf(schemas, 'main', 'lines')).toMatchObject({
      estimated_row_count: LINES_ROWS,
      primary_key: ['order_id', 'line'],
      foreign_keys: [linesForeignKey('main', null)],
    });
    // ANALYZE writes no statistics for an empty table: no estimate.
    expect(tableOf(schemas, 'main', 'notes')).toMatchObject({
      estimated_row_count: null,
      primary_key: [],
      foreign_keys: [
        {
          name: null,
          columns: ['order_id', 'line'],
          referenced_schema: 'main',
          referenced_table: 'lines',
          referenced_columns: ['order_id', 'line'],
        },
      ],
    });
    await expectGraphqlToMatch(id, schemas);
  });

  it('DuckDB: keys, COMMENT ON, estimated_size; a schema whose name holds a quote', async () => {
    const file = join(root, 'shop.duckdb');
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(file);
    const connection = await instance.connect();
    await connection.run(`CREATE TABLE customers (id INTEGER PRIMARY KEY, region VARCHAR NOT NULL, UNIQUE (id, region));
      CREATE TABLE lines (order_id INTEGER, line INTEGER, customer_id INTEGER, region VARCHAR,
        PRIMARY KEY (order_id, line),
        CONSTRAINT lines_customer_fk FOREIGN KEY (customer_id, region) REFERENCES customers (id, region));
      CREATE VIEW recent AS SELECT order_id FROM lines;
      COMMENT ON TABLE customers IS 'People who order';
      COMMENT ON COLUMN customers.region IS 'Sales region';
      COMMENT ON VIEW recent IS 'The latest lines';
      INSERT INTO customers VALUES (1, 'r1'), (2, 'r2'), (3, 'r3');
      INSERT INTO lines SELECT i, 1, 1, 'r1' FROM range(1, ${LINES_ROWS + 1}) AS t(i);
      CREATE SCHEMA "o'hara"; CREATE TABLE "o'hara".pets (id INTEGER PRIMARY KEY);
      COMMENT ON TABLE "o'hara".pets IS 'Hers';`);
    connection.closeSync();
    instance.closeSync();
    const { id, schemas } = await discover('duck', `duckdb:///${file}`);
    expect(schemas.map((schema) => schema.name)).toEqual(['main', "o'hara"]);
    expect(tableOf(schemas, 'main', 'customers')).toEqual({
      name: 'customers',
      type: 'table',
      comment: 'People who order',
      estimated_row_count: CUSTOMERS_ROWS,
      primary_key: ['id'],
      foreign_keys: [],
      columns: [
        { name: 'id', type: 'INTEGER', nullable: false, comment: null },
        { name: 'region', type: 'VARCHAR', nullable: false, comment: 'Sales region' },
      ],
    });
    // DuckDB names its constraints itself, whatever CONSTRAINT said.
    expect(tableOf(schemas, 'main', 'lines')).toMatchObject({
      estimated_row_count: LINES_ROWS,
      primary_key: ['order_id', 'line'],
      foreign_keys: [linesForeignKey('main', expect.any(String))],
    });
    expect(tableOf(schemas, 'main', 'recent')).toMatchObject({
      comment: 'The latest lines',
      estimated_row_count: null,
    });
    expect(tableOf(schemas, "o'hara", 'pets')).toMatchObject({ comment: 'Hers', primary_key: ['id'] });
    await expectGraphqlToMatch(id, schemas);
  });
});
