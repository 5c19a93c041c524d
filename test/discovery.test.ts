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
import { ORACLE_CATALOG } from '../src/connectivity/drivers/oracle.ts';
import { lowerKeys, sqlSession } from '../src/connectivity/drivers/sql.ts';
import { sqliteDatabase } from '../src/db/sqlite-driver.ts';
import type { RunningService } from '../src/service.ts';
import { createCertificateAuthority } from './support/certificates.ts';
import { type ClickHouse, clickhouseAvailable, startClickHouse } from './support/clickhouse.ts';
import { createSqliteDatabase, postgresAvailable, type TestDatabase } from './support/databases.ts';
import { conform } from './support/openapi.ts';
import { type Client, clientFor, startTestService } from './support/service.ts';
import { createMariadbTarget, createPostgresTarget, MARIADB_ADMIN, mariadbAvailable } from './support/targets.ts';
import { selectedNames, startTdsSqlServer, type TdsValue } from './support/tds-sql.ts';

const Sqlite = sqliteDatabase();

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

/** The customers table as discovery answers it, in the engine's names of types. */
const customersTable = (types: [string, string], regionComment: string) => ({
  name: 'customers',
  type: 'table',
  comment: 'People who order',
  estimated_row_count: CUSTOMERS_ROWS,
  primary_key: ['id'],
  foreign_keys: [],
  columns: [
    { name: 'id', type: types[0], nullable: false, comment: null },
    { name: 'region', type: types[1], nullable: false, comment: regionComment },
  ],
});

/** What discovery tells of the table of lines: its rows, its composite primary key, its foreign key. */
const linesDetails = (schema: string, keyName: unknown = 'lines_customer_fk') => ({
  estimated_row_count: LINES_ROWS,
  primary_key: ['order_id', 'line'],
  foreign_keys: [linesForeignKey(schema, keyName)],
});

type Vendor = 'mssql' | 'oracle';

/**
 * Types as each vendor's catalog tells them, in parts (SQL Server's information_schema.columns,
 * Oracle's ALL_TAB_COLUMNS: the name apart from its length, precision, scale), and as discovery
 * answers them, written whole the vendor's way.
 */
const VENDOR_TYPES: Record<string, Record<Vendor, [parts: Record<string, TdsValue>, written: string]>> = {
  id: {
    mssql: [{ type: 'int', numeric_precision: 10, numeric_scale: 0 }, 'int'],
    oracle: [{ type: 'NUMBER', data_length: 22, data_precision: null, data_scale: 0 }, 'NUMBER(*,0)'],
  },
  name: {
    mssql: [{ type: 'nvarchar', character_maximum_length: 20 }, 'nvarchar(20)'],
    oracle: [{ type: 'VARCHAR2', data_length: 80, char_length: 20, char_used: 'C' }, 'VARCHAR2(20 CHAR)'],
  },
  code: {
    mssql: [{ type: 'varchar', character_maximum_length: -1 }, 'varchar(max)'],
    oracle: [{ type: 'CHAR', data_length: 3, char_length: 3, char_used: 'B' }, 'CHAR(3 BYTE)'],
  },
  label: {
    mssql: [{ type: 'nchar', character_maximum_length: 2 }, 'nchar(2)'],
    oracle: [{ type: 'NVARCHAR2', data_length: 40, char_length: 20, char_used: 'C' }, 'NVARCHAR2(20)'],
  },
  amount: {
    mssql: [{ type: 'decimal', numeric_precision: 10, numeric_scale: 2 }, 'decimal(10,2)'],
    oracle: [{ type: 'NUMBER', data_length: 22, data_precision: 10, data_scale: 2 }, 'NUMBER(10,2)'],
  },
  count: {
    mssql: [{ type: 'numeric', numeric_precision: 12, numeric_scale: 0 }, 'numeric(12,0)'],
    oracle: [{ type: 'NUMBER', data_length: 22, data_precision: 12, data_scale: null }, 'NUMBER(12)'],
  },
  ratio: {
    mssql: [{ type: 'float', numeric_precision: 53 }, 'float'],
    oracle: [{ type: 'NUMBER', data_length: 22, data_precision: null, data_scale: null }, 'NUMBER'],
  },
  share: {
    mssql: [{ type: 'real', numeric_precision: 24 }, 'real'],
    oracle: [{ type: 'FLOAT', data_length: 22, data_precision: 126, data_scale: null }, 'FLOAT(126)'],
  },
  seen: {
    mssql: [{ type: 'datetime2', datetime_precision: 3 }, 'datetime2(3)'],
    oracle: [{ type: 'TIMESTAMP(6) WITH TIME ZONE', data_length: 13, data_scale: 6 }, 'TIMESTAMP(6) WITH TIME ZONE'],
  },
  digest: {
    mssql: [{ type: 'varbinary', character_maximum_length: 32 }, 'varbinary(32)'],
    oracle: [{ type: 'RAW', data_length: 16 }, 'RAW(16)'],
  },
  note: {
    mssql: [{ type: 'nvarchar', character_maximum_length: -1 }, 'nvarchar(max)'],
    oracle: [{ type: 'CLOB', data_length: 4000 }, 'CLOB'],
  },
};
type VendorType = keyof typeof VENDOR_TYPES;

/** The columns of the tables below: table, column, nullable, type; `pets` is of the schema `o'hara`. */
const VENDOR_COLUMNS: [string, string, boolean, VendorType][] = [
  ['customers', 'id', false, 'id'],
  ['customers', 'region', false, 'name'],
  ['lines', 'order_id', false, 'id'],
  ['lines', 'line', false, 'id'],
  ['lines', 'customer_id', true, 'id'],
  ['lines', 'region', true, 'name'],
  ['recent', 'order_id', true, 'id'],
  ...(['id', 'code', 'label', 'amount', 'count', 'ratio', 'share', 'seen', 'digest', 'note'] as const).map(
    (type) => ['pets', type, type !== 'id', type] as [string, string, boolean, VendorType],
  ),
];

const writtenType = (vendor: Vendor, type: VendorType) =>
  (VENDOR_TYPES[type] as Record<Vendor, [unknown, string]>)[vendor][1];

/**
 * What SQL Server's or Oracle's catalog answers for a database of customers and lines, by the
 * view each statement reads, in the vendor's values (SQL Server's YES and NO and bigint sums,
 * Oracle's Y and N and NUMBER): schema `dbo` or `SALES`, and `o'hara`, a name that would end a
 * literal. Null for a statement with no rows (tedious's own SET statements).
 */
function vendorCatalog(vendor: Vendor, sql: string): Record<string, TdsValue>[] | null {
  const owner = vendor === 'mssql' ? 'dbo' : 'SALES';
  const has = (text: string) => sql.toLowerCase().includes(text);
  const yes = (nullable: boolean) => (vendor === 'mssql' ? (nullable ? 'YES' : 'NO') : nullable ? 'Y' : 'N');
  const key = (table: string, kind: string, name: string, column: string, position: number, to: string[] = []) => {
    const [referenced_schema = null, referenced_table = null, referenced_column = null] = to;
    return {
      schema: owner,
      table,
      kind,
      key: name,
      name,
      column,
      referenced_schema,
      referenced_table,
      referenced_column,
      position,
    };
  };
  if (has('serverproperty')) return [{ v: '16.0.4096.1' }];
  if (has('from sys.schemas') || has('from all_users')) return [{ name: owner }, { name: "o'hara" }];
  if (has('information_schema.tables') || has('from all_views')) {
    const typeOf = (view: boolean) => (vendor === 'oracle' ? (view ? 'view' : 'table') : view ? 'VIEW' : 'BASE TABLE');
    return [
      { schema: owner, table: 'customers', type: typeOf(false) },
      { schema: owner, table: 'lines', type: typeOf(false) },
      { schema: owner, table: 'recent', type: typeOf(true) },
      { schema: "o'hara", table: 'pets', type: typeOf(false) },
    ];
  }
  if (has('information_schema.columns') || has('all_tab_columns'))
    return VENDOR_COLUMNS.map(([table, column, nullable, type]) => ({
      schema: table === 'pets' ? "o'hara" : owner,
      table,
      column,
      ...(VENDOR_TYPES[type] as Record<Vendor, [Record<string, TdsValue>, string]>)[vendor][0],
      nullable: yes(nullable),
    }));
  if (has('sys.key_constraints') || has('all_constraints'))
    return [
      key('customers', 'primary', 'customers_pk', 'id', 1),
      key('lines', 'foreign', 'lines_customer_fk', 'customer_id', 1, [owner, 'customers', 'id']),
      key('lines', 'foreign', 'lines_customer_fk', 'region', 2, [owner, 'customers', 'region']),
      key('lines', 'primary', 'lines_pk', 'order_id', 1),
      key('lines', 'primary', 'lines_pk', 'line', 2),
    ];
  if (has('ms_description') || has('all_tab_comments'))
    return [
      { schema: owner, table: 'customers', column: null, comment: 'People who order' },
      { schema: owner, table: 'customers', column: 'region', comment: 'Sales region' },
    ];
  // Past 2^32 rows in `lines`: SQL Server's SUM of bigints is a bigint.
  if (has('sys.partitions') || has('num_rows'))
    return [
      { schema: owner, table: 'customers', rows: vendor === 'mssql' ? BigInt(CUSTOMERS_ROWS) : CUSTOMERS_ROWS },
      { schema: owner, table: 'lines', rows: vendor === 'mssql' ? 5_000_000_000n : 5_000_000_000 },
    ];
  return null;
}

/** The schemas vendorCatalog describes, as discovery answers them: each type written whole, the vendor's way. */
const vendorSchemas = (vendor: Vendor) => {
  const owner = vendor === 'mssql' ? 'dbo' : 'SALES';
  const columnsOf = (table: string) =>
    VENDOR_COLUMNS.filter((column) => column[0] === table).map(([, name, nullable, type]) => ({
      name,
      type: writtenType(vendor, type),
      nullable,
      comment: null,
    }));
  return [
    {
      name: owner,
      tables: [
        customersTable([writtenType(vendor, 'id'), writtenType(vendor, 'name')], 'Sales region'),
        {
          name: 'lines',
          type: 'table',
          comment: null,
          estimated_row_count: 5_000_000_000,
          primary_key: ['order_id', 'line'],
          foreign_keys: [linesForeignKey(owner)],
          columns: columnsOf('lines'),
        },
        {
          name: 'recent',
          type: 'view',
          comment: null,
          estimated_row_count: null,
          primary_key: [],
          foreign_keys: [],
          columns: columnsOf('recent'),
        },
      ],
    },
    {
      name: "o'hara",
      tables: [
        {
          name: 'pets',
          type: 'table',
          comment: null,
          estimated_row_count: null,
          primary_key: [],
          foreign_keys: [],
          columns: columnsOf('pets'),
        },
      ],
    },
  ];
};

/** Every key of these objects in camelCase: `estimated_row_count` → `estimatedRowCount`. */
const camelCased = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(camelCased);
  if (value === null || typeof value !== 'object') return value;
  const camel = (key: string) => key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [camel(key), camelCased(item)]));
};

/**
 * Each statement names `o'hara` only as one string literal, its quote doubled: past those, no `o`
 * then `hara` with anything but letters between (`o'hara`, `o\'hara`) is left, while a word that
 * holds `hara` (`character_maximum_length`) is no name.
 */
const quotedOnly = (statements: string[]) =>
  expect(statements.filter((sql) => /o[^a-z]*hara/i.test(sql.replaceAll("'o''hara'", '')))).toEqual([]);

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
          ANALYZE crm.customers; ANALYZE sales.lines;
          CREATE TYPE crm.tier AS ENUM ('gold', 'silver');
          CREATE TABLE crm.accounts (tags integer[], tier crm.tier, balance numeric(10,2), code varchar(10),
            opened timestamp(3), name text);`);
        await client.end();
        // Redshift takes no schemas: it discovers every schema the user's are among.
        for (const [scheme, only] of [
          ['postgresql', ['crm', 'sales']],
          ['redshift+psycopg2', undefined],
        ] as const) {
          const uri = target.uri.replace(/^postgresql/, scheme);
          const { id, schemas } = await discover(scheme, uri, only && [...only]);
          expect(tableOf(schemas, 'crm', 'customers')).toEqual(
            customersTable(['integer', 'text'], 'Sales region, as the CRM spells it'),
          );
          expect(tableOf(schemas, 'sales', 'lines')).toMatchObject(linesDetails('crm'));
          // Each type as PostgreSQL writes it (format_type), not information_schema's ARRAY,
          // USER-DEFINED, numeric, character varying: an enum outside the search path by its schema too.
          expect(tableOf(schemas, 'crm', 'accounts').columns.map((column: any) => [column.name, column.type])).toEqual([
            ['tags', 'integer[]'],
            ['tier', 'crm.tier'],
            ['balance', 'numeric(10,2)'],
            ['code', 'character varying(10)'],
            ['opened', 'timestamp(3) without time zone'],
            ['name', 'text'],
          ]);
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
      expect(tableOf(schemas, target.database, 'customers')).toEqual(
        customersTable(['int(11)', 'varchar(20)'], 'Sales region'),
      );
      expect(tableOf(schemas, target.database, 'lines')).toMatchObject(linesDetails(target.database));
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
    expect(tableOf(schemas, 'main', 'lines')).toMatchObject(linesDetails('main', null));
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
    expect(tableOf(schemas, 'main', 'customers')).toEqual(customersTable(['INTEGER', 'VARCHAR'], 'Sales region'));
    // DuckDB names its constraints itself, whatever CONSTRAINT said.
    expect(tableOf(schemas, 'main', 'lines')).toMatchObject(linesDetails('main', expect.any(String)));
    expect(tableOf(schemas, 'main', 'recent')).toMatchObject({
      comment: 'The latest lines',
      estimated_row_count: null,
    });
    expect(tableOf(schemas, "o'hara", 'pets')).toMatchObject({ comment: 'Hers', primary_key: ['id'] });
    await expectGraphqlToMatch(id, schemas);
  });

  it('SQL Server: sys views for keys, MS_Description, sys.partitions, through tedious, one statement each', async () => {
    const server = await startTdsSqlServer((sql) => vendorCatalog('mssql', sql));
    try {
      const { id, schemas } = await discover('mssql', `mssql://sa:pw@127.0.0.1:${server.port}/shop`);
      expect(schemas).toEqual(vendorSchemas('mssql'));
      const catalog = server.batches.filter((sql) => /^\s*SELECT/i.test(sql));
      // The schemas, then tables, columns, keys, comments and row counts: one statement each.
      expect(catalog.map((sql) => /\b(sys\.\w+|information_schema\.\w+)/i.exec(sql)?.[1])).toEqual([
        'sys.schemas',
        'information_schema.tables',
        'information_schema.columns',
        'sys.key_constraints',
        'sys.extended_properties',
        'sys.tables',
      ]);
      quotedOnly(catalog);
      await expectGraphqlToMatch(id, schemas);
    } finally {
      await server.close();
    }
  });
});

describe('Oracle: its dictionary views (no server here: the catalog run on rows as Oracle names them)', () => {
  it('reads keys, comments and NUM_ROWS, one statement each, names only as literals', async () => {
    const statements: string[] = [];
    // As oracledb answers with OUT_FORMAT_OBJECT: each column under its name, which the driver lowers.
    const run = async (sql: string) => {
      statements.push(sql);
      const rows = vendorCatalog('oracle', sql) ?? [];
      const names = selectedNames(sql);
      return rows.map((row) =>
        lowerKeys(Object.fromEntries(names.map((name) => [name.toUpperCase(), row[name] ?? null]))),
      );
    };
    const session = sqlSession(run, ORACLE_CATALOG, async () => {});
    // The driver's answer, before GraphQL: REST's shape with its names in camelCase.
    expect(await session.introspect([])).toEqual(camelCased(vendorSchemas('oracle')));
    expect(statements.map((sql) => /\bFROM\s+(all_\w+)/i.exec(sql)?.[1])).toEqual([
      'all_users',
      'all_tables',
      'all_tab_columns',
      'all_constraints',
      'all_tab_comments',
      'all_tables',
    ]);
    quotedOnly(statements);
  });
});
