/**
 * Fresh databases for tests: a SQLite file in a temporary folder, or a
 * PostgreSQL database created for the test and dropped after it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { sqliteDatabase } from '../../src/db/sqlite-driver.ts';

const Sqlite = sqliteDatabase();

export interface TestDatabase {
  name: 'sqlite' | 'postgresql';
  url: string;
  drop(): Promise<void>;
}

/** The server the PostgreSQL tests create their databases on. */
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export function createSqliteDatabase(): TestDatabase {
  const folder = mkdtempSync(join(tmpdir(), 'dcapi-test-'));
  return {
    name: 'sqlite',
    url: `file:${join(folder, 'connections.db')}`,
    async drop() {
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

async function withAdmin<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

export async function createPostgresDatabase(): Promise<TestDatabase> {
  const database = `dcapi_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${database}`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${database}`;
  return {
    name: 'postgresql',
    url: url.toString(),
    async drop() {
      await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
    },
  };
}

/**
 * Whether the PostgreSQL suites can run. Under CI they must: an unreachable
 * server fails the run instead of skipping it.
 */
export const postgresAvailable: boolean = await withAdmin(async () => true).catch((error: Error) => {
  if (process.env.CI) throw new Error(`PostgreSQL at ${POSTGRES_ADMIN_URL} is required under CI: ${error.message}`);
  console.warn(`SKIPPED: the PostgreSQL suites, because ${POSTGRES_ADMIN_URL} is unreachable (${error.message}).`);
  return false;
});

/** Each store the suites run against, PostgreSQL marked as skipped where it cannot run. */
export const STORES = [
  { name: 'sqlite', create: async () => createSqliteDatabase(), skip: false },
  { name: 'postgresql', create: createPostgresDatabase, skip: !postgresAvailable },
] as const;

/** Runs SQL on a test database directly, beside the service: for setting up or breaking things. */
/**
 * Drops a table under a running service, to break its store: on PostgreSQL with the tables that
 * refer to it by foreign key (CASCADE), which SQLite neither needs nor parses.
 */
export function dropTable(database: TestDatabase, table: string): Promise<unknown[]> {
  return runSql(database, database.name === 'sqlite' ? `DROP TABLE ${table}` : `DROP TABLE ${table} CASCADE`);
}

export async function runSql(database: TestDatabase, sql: string): Promise<unknown[]> {
  if (database.name === 'sqlite') {
    const db = new Sqlite(database.url.slice('file:'.length));
    try {
      const statement = db.prepare(sql);
      if (statement.reader) return statement.all();
      statement.run();
      return [];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}
