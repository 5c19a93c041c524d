/**
 * Applies the Prisma-format migrations under prisma/<provider>/migrations.
 *
 * Prisma's own CLI cannot run where its native schema engine cannot be
 * downloaded, so the service applies migrations itself, bookkeeping them exactly
 * as Prisma does (the `_prisma_migrations` table, SHA-256 checksums of each
 * migration.sql) so that `prisma migrate status` and `prisma migrate deploy`
 * agree with it wherever Prisma's engine is installed.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger.ts';
import { sqliteDatabase } from './sqlite-driver.ts';
import { ensureSqliteFolder, type Store } from './store.ts';

export interface Migration {
  name: string;
  checksum: string;
  sql: string;
}

interface AppliedMigration {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

/** A database whose migration history the code cannot continue from. */
export class MigrationStateError extends Error {}

const migrationsRoot = new URL('../../prisma/', import.meta.url);

export function loadMigrations(provider: Store['provider']): Migration[] {
  const folder = new URL(`${provider}/migrations/`, migrationsRoot);
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(new URL(`${name}/migration.sql`, folder), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/** The migrations still to apply; throws when the history in the database is not one this code can extend. */
export function pendingMigrations(known: Migration[], applied: AppliedMigration[]): Migration[] {
  const byName = new Map(known.map((migration) => [migration.name, migration]));
  const done = new Set<string>();
  for (const row of applied) {
    if (row.rolled_back_at != null) continue;
    const migration = byName.get(row.migration_name);
    if (!migration) {
      throw new MigrationStateError(
        `The database has migration ${row.migration_name}, which this version of the service does not know. ` +
          'Run the version of the service that applied it, or restore a database that matches this version.',
      );
    }
    if (row.finished_at == null) {
      throw new MigrationStateError(
        `Migration ${row.migration_name} started but did not finish. Repair the database by hand, then mark it ` +
          `with \`prisma migrate resolve --rolled-back ${row.migration_name}\` (or delete its row in _prisma_migrations).`,
      );
    }
    if (row.checksum !== migration.checksum) {
      throw new MigrationStateError(
        `Migration ${row.migration_name} was applied from a different migration.sql than the one this version ships ` +
          '(checksum mismatch). Restore the original file, or rebuild the database from the migrations.',
      );
    }
    done.add(row.migration_name);
  }
  return known.filter((migration) => !done.has(migration.name));
}

/** What each store needs to apply migrations, one connection at a time. */
interface MigrationConnection {
  /** Holds a lock that any other instance applying migrations waits for. */
  lock(): Promise<void>;
  applied(): Promise<AppliedMigration[]>;
  /** Runs the migration and records it, atomically. */
  apply(migration: Migration): Promise<void>;
  /** Releases the lock; `succeeded: false` undoes whatever is not yet committed. */
  close(succeeded: boolean): Promise<void>;
}

// The same advisory lock key Prisma Migrate takes, so the service and the
// Prisma CLI never migrate one PostgreSQL database at the same time.
const PRISMA_ADVISORY_LOCK = 72707369;

const POSTGRES_HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

const SQLITE_HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

const SELECT_HISTORY =
  'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at';

async function connectPostgres(url: string): Promise<MigrationConnection> {
  // pg is loaded only on the PostgreSQL store.
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    async lock() {
      // Session-level: held until the connection closes, released even if we crash.
      await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK]);
      await client.query(POSTGRES_HISTORY_TABLE);
    },
    async applied() {
      return (await client.query<AppliedMigration>(SELECT_HISTORY)).rows;
    },
    async apply(migration) {
      await client.query('BEGIN');
      try {
        // No parameters: the simple protocol runs a multi-statement script.
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), migration.checksum, migration.name],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    },
    async close() {
      await client.end();
    },
  };
}

/** How long a SQLite migration waits for another process holding the database's write lock. */
const SQLITE_LOCK_WAIT_MS = 10_000;
const SQLITE_RETRY_MS = 50;

/**
 * Runs `step` until it no longer finds the database locked by another process, waiting between
 * tries without blocking the event loop (SQLite's own busy timeout sleeps in the calling thread).
 */
async function whenUnlocked(step: () => void): Promise<void> {
  for (let waited = 0; ; waited += SQLITE_RETRY_MS) {
    try {
      return step();
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || waited >= SQLITE_LOCK_WAIT_MS) throw error;
      await sleep(SQLITE_RETRY_MS);
    }
  }
}

async function connectSqlite(store: Extract<Store, { provider: 'sqlite' }>): Promise<MigrationConnection> {
  ensureSqliteFolder(store);
  // No busy timeout: waits for another process are whenUnlocked's.
  const Sqlite = sqliteDatabase();
  const db = new Sqlite(store.file, { timeout: 0 });
  // WAL is a property of the database file: set once here, every later connection uses it.
  await whenUnlocked(() => db.pragma('journal_mode = WAL'));
  return {
    async lock() {
      // An immediate transaction takes SQLite's write lock: a second process waits here.
      await whenUnlocked(() => db.exec('BEGIN IMMEDIATE'));
      db.exec(SQLITE_HISTORY_TABLE);
    },
    async applied() {
      return db.prepare(SELECT_HISTORY).all() as AppliedMigration[];
    },
    async apply(migration) {
      // Runs inside the transaction lock() opened, which close() ends. Prisma
      // stores SQLite timestamps in its own table as Unix milliseconds.
      db.exec(migration.sql);
      const now = Date.now();
      db.prepare(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
         VALUES (?, ?, ?, ?, ?, 1)`,
      ).run(randomUUID(), migration.checksum, migration.name, now, now);
    },
    async close(succeeded) {
      if (db.inTransaction) db.exec(succeeded ? 'COMMIT' : 'ROLLBACK');
      db.close();
    },
  };
}

/** Applies every pending migration; returns the names applied. */
export async function applyMigrations(store: Store, logger: Logger): Promise<string[]> {
  const known = loadMigrations(store.provider);
  const connection = store.provider === 'sqlite' ? await connectSqlite(store) : await connectPostgres(store.url);
  let succeeded = false;
  try {
    await connection.lock();
    const pending = pendingMigrations(known, await connection.applied());
    for (const migration of pending) {
      logger.info({ migration: migration.name }, 'applying migration');
      await connection.apply(migration);
    }
    succeeded = true;
    return pending.map((migration) => migration.name);
  } finally {
    await connection.close(succeeded);
  }
}
