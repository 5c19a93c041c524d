/**
 * Schema changes on real servers and files, through the discovery drivers and the schema history
 * store (on SQLite): a column added, a table dropped, a type changed, a foreign key added and a
 * comment set each come out as their change after a second scan; a third scan of the same catalog
 * stores nothing and moves checked_at only. Comments and type names longer than CATALOG_TEXT_MAX
 * come out cut and marked, a catalog over SCHEMA_MAX_COLUMNS refused.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectivity } from '../src/connectivity/connectivity.ts';
import { CATALOG_TEXT_MAX, CUT_MARKER } from '../src/connectivity/drivers/catalog-text.ts';
import { CatalogTooLargeError } from '../src/connectivity/errors.ts';
import { createPrismaClient, type Prisma } from '../src/db/client.ts';
import { applyMigrations } from '../src/db/migrations.ts';
import { sqliteDatabase } from '../src/db/sqlite-driver.ts';
import { storeFromUrl } from '../src/db/store.ts';
import { dialectOfUri } from '../src/dialects/registry.ts';
import { createLogger } from '../src/logger.ts';
import type { SchemaChangeFound } from '../src/schema-history/kinds.ts';
import { type ConnectionRef, schemaHistoryStore } from '../src/schema-history/store.ts';
import { createCertificateAuthority } from './support/certificates.ts';
import { clickhouseAvailable, startClickHouse } from './support/clickhouse.ts';
import { createSqliteDatabase, postgresAvailable, type TestDatabase } from './support/databases.ts';
import { createMariadbTarget, createPostgresTarget, MARIADB_ADMIN, mariadbAvailable } from './support/targets.ts';

const Sqlite = sqliteDatabase();

const root = mkdtempSync(join(tmpdir(), 'dcapi-schema-history-'));
const connectivity = createConnectivity({
  CONNECTION_TEST_TIMEOUT_MS: 20_000,
  CONNECTION_TEST_DENIED_CIDRS: [],
  CONNECTION_TEST_ALLOWED_CIDRS: [],
  CONNECTION_TESTS_MAX_CONCURRENT: 8,
  CONNECTION_TESTS_MAX_PER_KEY: 8,
  INTROSPECTION_CACHE_MS: 0,
  SCHEMA_MAX_COLUMNS: 1_000,
  ALLOW_FILE_DATABASES: true,
  FILE_DATABASES_DIR: root,
});

let database: TestDatabase;
let prisma: Prisma;
let history: ReturnType<typeof schemaHistoryStore>;

beforeAll(async () => {
  database = createSqliteDatabase();
  await applyMigrations(storeFromUrl(database.url), createLogger('silent'));
  prisma = await createPrismaClient(storeFromUrl(database.url));
  history = schemaHistoryStore(prisma);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await database?.drop();
  rmSync(root, { recursive: true, force: true });
});

/** Discovers the database the URI names, as the service does. */
async function discover(uri: string, schemas: string[] = []) {
  const dialect = dialectOfUri(uri);
  if (!dialect) throw new Error(`no dialect for ${uri}`);
  return connectivity.introspect(randomUUID(), { uri, ssh: null, tls: null, secrets: [] }, dialect, schemas, 'test');
}

async function createConnection(): Promise<ConnectionRef> {
  const id = randomUUID();
  const now = new Date();
  await prisma.databaseConnection.create({
    data: {
      ...{ id, alias: id, aliasKey: id, connectionUriEncrypted: 'x', connectionUriMasked: 'x', dialect: 'x' },
      ...{ schemas: '[]', metadata: '{}', createdAt: now, updatedAt: now },
    },
  });
  return { id, workspace: 'default' };
}

/**
 * Scans, changes the database, scans again: answers the changes the second scan found, after
 * checking that a third scan finds the same catalog and stores nothing.
 */
async function changesAcross(uri: string, change: () => Promise<void>, schemas?: string[]) {
  const connection = await createConnection();
  const first = await history.recordScan(connection, await discover(uri, schemas), 10, new Date(1_000));
  expect(first).toMatchObject({ stored: true, changes: [] });
  await change();
  const second = await history.recordScan(connection, await discover(uri, schemas), 10, new Date(2_000));
  expect(second.stored).toBe(true);
  const third = await history.recordScan(connection, await discover(uri, schemas), 10, new Date(3_000));
  expect(third).toEqual({ stored: false, changes: [], snapshot: { ...second.snapshot, checkedAt: new Date(3_000) } });
  expect(await prisma.schemaSnapshot.count({ where: { connectionId: connection.id } })).toBe(2);
  return second.changes;
}

const change = (kind: SchemaChangeFound['kind'], path: string, before: string | null, after: string | null) => ({
  kind,
  path,
  before,
  after,
});

describe('schema changes found on real servers and files', () => {
  it.skipIf(!postgresAvailable)('PostgreSQL', async () => {
    const target = await createPostgresTarget();
    const run = async (sql: string) => {
      const client = new pg.Client({ connectionString: target.uri.replace('?sslmode=disable', '') });
      await client.connect();
      await client.query(sql).finally(() => client.end());
    };
    try {
      await run(`CREATE TABLE sales.customers (id integer PRIMARY KEY);
        CREATE TABLE sales.scratch (id integer); ALTER TABLE sales.orders ADD COLUMN customer_id integer;
        CREATE TYPE sales.state AS ENUM ('open', 'closed'); CREATE TYPE sales.stage AS ENUM ('open', 'closed');
        CREATE TABLE sales.items (tags integer[], state sales.state, price numeric(10,2), code varchar(10),
          title varchar(100));`);
      // Each a change information_schema's data_type hides: ARRAY, USER-DEFINED, numeric, character varying.
      const changes = await changesAcross(
        target.uri,
        () =>
          run(`ALTER TABLE sales.orders ADD COLUMN placed_at timestamptz;
            DROP TABLE sales.scratch;
            ALTER TABLE sales.orders ALTER COLUMN note TYPE varchar(200);
            ALTER TABLE sales.orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES sales.customers (id);
            COMMENT ON TABLE sales.customers IS 'People who order';
            ALTER TABLE sales.items ALTER COLUMN tags TYPE text[],
              ALTER COLUMN state TYPE sales.stage USING state::text::sales.stage,
              ALTER COLUMN price TYPE numeric(12,4), ALTER COLUMN code TYPE varchar(3),
              ALTER COLUMN title TYPE varchar(200);`),
        ['sales'],
      );
      expect(changes).toEqual([
        change('comment_changed', 'sales.customers', null, 'People who order'),
        change('type_changed', 'sales.items.code', 'character varying(10)', 'character varying(3)'),
        change('type_changed', 'sales.items.price', 'numeric(10,2)', 'numeric(12,4)'),
        change('type_changed', 'sales.items.state', 'sales.state', 'sales.stage'),
        change('type_changed', 'sales.items.tags', 'integer[]', 'text[]'),
        change('type_changed', 'sales.items.title', 'character varying(100)', 'character varying(200)'),
        change(
          'key_changed',
          'sales.orders',
          null,
          'FOREIGN KEY orders_customer_fk (customer_id) REFERENCES sales.customers (id)',
        ),
        change('type_changed', 'sales.orders.note', 'text', 'character varying(200)'),
        change('column_added', 'sales.orders.placed_at', null, 'timestamp with time zone'),
        change('table_removed', 'sales.scratch', 'table', null),
      ]);
    } finally {
      await target.drop();
    }
  });

  it.skipIf(!mariadbAvailable)('MariaDB', async () => {
    const target = await createMariadbTarget();
    const run = async (sql: string) => {
      const admin = await mysql.createConnection({
        ...MARIADB_ADMIN,
        database: target.database,
        multipleStatements: true,
      });
      await admin.query(sql).finally(() => admin.end());
    };
    try {
      await run(`CREATE TABLE customers (id INT PRIMARY KEY); CREATE TABLE scratch (id INT);
        ALTER TABLE orders ADD COLUMN customer_id INT;`);
      const changes = await changesAcross(target.uri('mariadb'), () =>
        run(`ALTER TABLE orders ADD COLUMN placed_at DATETIME;
          DROP TABLE scratch;
          ALTER TABLE orders MODIFY COLUMN note VARCHAR(200) NULL;
          ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);
          ALTER TABLE customers COMMENT = 'People who order';`),
      );
      const db = target.database;
      expect(changes).toEqual([
        change('comment_changed', `${db}.customers`, null, 'People who order'),
        change(
          'key_changed',
          `${db}.orders`,
          null,
          `FOREIGN KEY orders_customer_fk (customer_id) REFERENCES ${db}.customers (id)`,
        ),
        change('type_changed', `${db}.orders.note`, 'text', 'varchar(200)'),
        change('column_added', `${db}.orders.placed_at`, null, 'datetime'),
        change('table_removed', `${db}.scratch`, 'table', null),
      ]);
    } finally {
      await target.drop();
    }
  });

  it.skipIf(!clickhouseAvailable)('ClickHouse (no keys told: no key changes)', async () => {
    const clickhouse = await startClickHouse(createCertificateAuthority());
    try {
      await clickhouse.query('CREATE DATABASE shop');
      await clickhouse.query('CREATE TABLE shop.events (id UInt32, kind String) ENGINE = MergeTree ORDER BY id');
      await clickhouse.query('CREATE TABLE shop.scratch (id UInt32) ENGINE = Memory');
      const changes = await changesAcross(`clickhouse://default@127.0.0.1:${clickhouse.httpPort}/shop`, async () => {
        await clickhouse.query('ALTER TABLE shop.events ADD COLUMN placed_at DateTime');
        await clickhouse.query('DROP TABLE shop.scratch');
        await clickhouse.query('ALTER TABLE shop.events MODIFY COLUMN kind LowCardinality(String)');
        await clickhouse.query("ALTER TABLE shop.events COMMENT COLUMN id 'Event number'");
      });
      expect(changes).toEqual([
        change('comment_changed', 'shop.events.id', null, 'Event number'),
        change('type_changed', 'shop.events.kind', 'String', 'LowCardinality(String)'),
        change('column_added', 'shop.events.placed_at', null, 'DateTime NOT NULL'),
        change('table_removed', 'shop.scratch', 'table', null),
      ]);
    } finally {
      clickhouse.stop();
    }
  });

  it('SQLite (no comments kept; a type and a key change by rebuilding the table)', async () => {
    const file = join(root, 'shop.db');
    const run = (sql: string) => {
      const db = new Sqlite(file);
      try {
        db.exec(sql);
      } finally {
        db.close();
      }
    };
    run(`CREATE TABLE customers (id INTEGER PRIMARY KEY);
      CREATE TABLE orders (id INTEGER NOT NULL, note TEXT, customer_id INTEGER);
      CREATE TABLE scratch (id INTEGER);`);
    const changes = await changesAcross(`sqlite:///${file}`, async () =>
      run(`ALTER TABLE orders ADD COLUMN placed_at TEXT;
        DROP TABLE scratch;
        CREATE TABLE orders_new (id INTEGER NOT NULL, note VARCHAR(200), customer_id INTEGER REFERENCES customers (id),
          placed_at TEXT);
        INSERT INTO orders_new SELECT * FROM orders; DROP TABLE orders; ALTER TABLE orders_new RENAME TO orders;`),
    );
    expect(changes).toEqual([
      change('key_changed', 'main.orders', null, 'FOREIGN KEY (customer_id) REFERENCES main.customers (id)'),
      change('type_changed', 'main.orders.note', 'TEXT', 'VARCHAR(200)'),
      change('column_added', 'main.orders.placed_at', null, 'TEXT'),
      change('table_removed', 'main.scratch', 'table', null),
    ]);
  });

  it('DuckDB (a key added by recreating the table: DuckDB adds none to a table)', async () => {
    const file = join(root, 'shop.duckdb');
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const run = async (sql: string) => {
      const instance = await DuckDBInstance.create(file);
      const connection = await instance.connect();
      try {
        await connection.run(sql);
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    };
    await run(`CREATE TABLE customers (id INTEGER PRIMARY KEY);
      CREATE TABLE orders (id INTEGER NOT NULL, note VARCHAR, customer_id INTEGER);
      CREATE TABLE scratch (id INTEGER);`);
    const changes = await changesAcross(`duckdb:///${file}`, () =>
      run(`DROP TABLE scratch;
        DROP TABLE orders;
        CREATE TABLE orders (id BIGINT NOT NULL, note VARCHAR, customer_id INTEGER REFERENCES customers (id),
          placed_at TIMESTAMP);
        COMMENT ON TABLE customers IS 'People who order';`),
    );
    expect(changes).toEqual([
      change('comment_changed', 'main.customers', null, 'People who order'),
      expect.objectContaining({ kind: 'key_changed', path: 'main.orders', before: null }),
      change('type_changed', 'main.orders.id', 'INTEGER', 'BIGINT'),
      change('column_added', 'main.orders.placed_at', null, 'TIMESTAMP'),
      change('table_removed', 'main.scratch', 'table', null),
    ]);
    expect(changes[1]?.after).toMatch(/^FOREIGN KEY \S+ \(customer_id\) REFERENCES main\.customers \(id\)$/);
  });
});

describe('long comments and type names, cut in the catalog query and marked', () => {
  /** Longer than the bound, and different in its last characters: what is cut off never shows. */
  const long = `${'ab'.repeat(CATALOG_TEXT_MAX)}zz`;
  const cut = `${long.slice(0, CATALOG_TEXT_MAX - 1)}${CUT_MARKER}`;
  /** The column's comment and type as discovery answered them. */
  const columnOf = async (uri: string, table: string, column: string) => {
    const found = (await discover(uri)).flatMap((schema) => schema.tables).find((entry) => entry.name === table);
    const answered = found?.columns.find((entry) => entry.name === column);
    return { comment: answered?.comment, type: answered?.type, tableComment: found?.comment };
  };

  it.skipIf(!postgresAvailable)('PostgreSQL', async () => {
    const target = await createPostgresTarget();
    try {
      const client = new pg.Client({ connectionString: target.uri.replace('?sslmode=disable', '') });
      await client.connect();
      await client
        .query(`COMMENT ON COLUMN sales.orders.note IS '${long}'; COMMENT ON TABLE sales.orders IS '${long}'`)
        .finally(() => client.end());
      expect(await columnOf(target.uri, 'orders', 'note')).toEqual({ comment: cut, type: 'text', tableComment: cut });
    } finally {
      await target.drop();
    }
  });

  it.skipIf(!mariadbAvailable)('MariaDB (an ENUM spells out its values; comments are bounded by MariaDB)', async () => {
    const target = await createMariadbTarget();
    const values = Array.from({ length: 400 }, (_, n) => `'value${n}'`).join(',');
    try {
      const admin = await mysql.createConnection({ ...MARIADB_ADMIN, database: target.database });
      await admin.query(`ALTER TABLE orders ADD COLUMN kind ENUM(${values})`).finally(() => admin.end());
      const { type } = await columnOf(target.uri('mariadb'), 'orders', 'kind');
      expect(type).toBe(`${`enum(${values})`.slice(0, CATALOG_TEXT_MAX - 1)}${CUT_MARKER}`);
    } finally {
      await target.drop();
    }
  });

  it.skipIf(!clickhouseAvailable)('ClickHouse (counting characters, not bytes)', async () => {
    const clickhouse = await startClickHouse(createCertificateAuthority());
    // Two bytes a character in UTF-8: a cut by bytes would keep half as many.
    const accented = 'é'.repeat(CATALOG_TEXT_MAX + 10);
    try {
      await clickhouse.query('CREATE DATABASE shop');
      await clickhouse.query(
        `CREATE TABLE shop.events (id UInt32 COMMENT '${accented}') ENGINE = MergeTree ORDER BY id`,
      );
      const { comment } = await columnOf(`clickhouse://default@127.0.0.1:${clickhouse.httpPort}/shop`, 'events', 'id');
      expect(comment).toBe(`${'é'.repeat(CATALOG_TEXT_MAX - 1)}${CUT_MARKER}`);
    } finally {
      clickhouse.stop();
    }
  });

  it('DuckDB', async () => {
    const file = join(root, 'long.duckdb');
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(file);
    const connection = await instance.connect();
    try {
      await connection.run(`CREATE TABLE orders (note VARCHAR); COMMENT ON COLUMN orders.note IS '${long}';
        COMMENT ON TABLE orders IS '${long}'`);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    expect(await columnOf(`duckdb:///${file}`, 'orders', 'note')).toEqual({
      comment: cut,
      type: 'VARCHAR',
      tableComment: cut,
    });
  });
});

describe('SCHEMA_MAX_COLUMNS', () => {
  it('refuses a catalog of more columns, read from the database', async () => {
    const file = join(root, 'wide.db');
    const db = new Sqlite(file);
    try {
      db.exec(`CREATE TABLE wide (${Array.from({ length: 1_001 }, (_, n) => `c${n} INTEGER`).join(', ')})`);
    } finally {
      db.close();
    }
    const refused = discover(`sqlite:///${file}`);
    await expect(refused).rejects.toBeInstanceOf(CatalogTooLargeError);
    await expect(refused).rejects.toMatchObject({ code: 'catalog_too_large', columnCount: 1_001, maxColumns: 1_000 });
  });
});
