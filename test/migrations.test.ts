/** Migrations applied by the service itself, bookkept as Prisma Migrate does. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigrations, loadMigrations, MigrationStateError } from '../src/db/migrations.ts';
import { storeFromUrl } from '../src/db/store.ts';
import { createLogger } from '../src/logger.ts';
import { runSql, STORES, type TestDatabase } from './support/databases.ts';
import { startTestService } from './support/service.ts';

const logger = createLogger('silent');
/** Every migration shipped, in order (the same set for both providers: see the last test). */
const MIGRATIONS = loadMigrations('sqlite').map((migration) => migration.name);
/** The second migration: a database of the release before it has the first one only. */
const ADD_VERSION = '20261127120000_add_version';

describe.each(STORES)('migrations on $name', ({ name, create, skip }) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.drop();
    database = undefined;
  });

  async function migrated() {
    database = await create();
    return { database, applied: await applyMigrations(storeFromUrl(database.url), logger) };
  }

  it.skipIf(skip)('applies every migration to an empty database, recording Prisma’s checksum', async () => {
    const { database, applied } = await migrated();
    expect(MIGRATIONS[0]).toBe('20261127000000_create_database_connections');
    expect(MIGRATIONS).toContain(ADD_VERSION);
    expect(applied).toEqual(MIGRATIONS);
    const rows = (await runSql(database, 'SELECT * FROM "_prisma_migrations" ORDER BY migration_name')) as Record<
      string,
      unknown
    >[];
    expect(rows.map((row) => row.migration_name)).toEqual(MIGRATIONS);
    for (const row of rows) {
      const file = readFileSync(
        new URL(`../prisma/${name}/migrations/${row.migration_name}/migration.sql`, import.meta.url),
      );
      expect(row).toMatchObject({
        checksum: createHash('sha256').update(file).digest('hex'),
        rolled_back_at: null,
        logs: null,
        applied_steps_count: 1,
      });
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.finished_at).not.toBeNull();
    }
    expect(await runSql(database, 'SELECT COUNT(*) AS n FROM database_connections')).toHaveLength(1);
    if (name === 'sqlite') expect(await runSql(database, 'PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
  });

  it.skipIf(skip)('does nothing on a second run', async () => {
    const { database } = await migrated();
    expect(await applyMigrations(storeFromUrl(database.url), logger)).toEqual([]);
    expect(await runSql(database, 'SELECT * FROM "_prisma_migrations"')).toHaveLength(MIGRATIONS.length);
  });

  it.skipIf(skip)('brings a database of the previous release up to date, keeping its rows', async () => {
    const { database } = await migrated();
    // The previous release: the first migration only, with a row written by it.
    await runSql(database, 'ALTER TABLE database_connections DROP COLUMN version');
    await runSql(database, `DELETE FROM "_prisma_migrations" WHERE migration_name = '${ADD_VERSION}'`);
    await runSql(
      database,
      `INSERT INTO database_connections (id, alias, alias_key, connection_uri_encrypted, connection_uri_masked,
         dialect, schemas, metadata, created_at, updated_at)
       VALUES ('00000000-0000-4000-8000-000000000001', 'old', 'old', 'x', 'postgresql://h/db', 'postgresql',
         '[]', '{}', ${now(name)}, ${now(name)})`,
    );
    expect(await applyMigrations(storeFromUrl(database.url), logger)).toEqual([ADD_VERSION]);
    expect(await runSql(database, 'SELECT alias, version FROM database_connections')).toEqual([
      { alias: 'old', version: 1 },
    ]);
  });

  it.skipIf(skip)('refuses a database holding a migration this code does not know', async () => {
    const { database } = await migrated();
    await runSql(
      database,
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ('00000000-0000-4000-8000-000000000000', 'abc', '20991231000000_from_the_future', ${now(name)}, ${now(name)}, 1)`,
    );
    const failure = applyMigrations(storeFromUrl(database.url), logger);
    await expect(failure).rejects.toThrow(MigrationStateError);
    await expect(failure).rejects.toThrow(/20991231000000_from_the_future.*does not know.*Run the version/);
    await expect(startTestService(database.url)).rejects.toThrow(MigrationStateError);
  });

  it.skipIf(skip)('refuses a migration whose checksum differs from the shipped file', async () => {
    const { database } = await migrated();
    await runSql(database, `UPDATE "_prisma_migrations" SET checksum = 'edited'`);
    await expect(applyMigrations(storeFromUrl(database.url), logger)).rejects.toThrow(
      /checksum mismatch.*Restore the original file/,
    );
  });

  it.skipIf(skip)('refuses a migration that started but never finished', async () => {
    const { database } = await migrated();
    await runSql(database, 'UPDATE "_prisma_migrations" SET finished_at = NULL');
    await expect(applyMigrations(storeFromUrl(database.url), logger)).rejects.toThrow(
      /did not finish.*migrate resolve/,
    );
  });
});

describe.each(STORES)('migrations on $name with several instances', ({ create, skip }) => {
  it.skipIf(skip)('applies each migration exactly once when instances start at the same time', async () => {
    const database = await create();
    try {
      const store = storeFromUrl(database.url);
      // On SQLite the instances wait for each other's write lock without blocking the event loop:
      // in one process, a blocking wait would never let the holder finish.
      let longestGap = 0;
      let last = performance.now();
      const watch = setInterval(() => {
        longestGap = Math.max(longestGap, performance.now() - last);
        last = performance.now();
      }, 5);
      const results = await Promise.all(Array.from({ length: 6 }, () => applyMigrations(store, logger)));
      clearInterval(watch);
      expect(results.flat()).toEqual(MIGRATIONS);
      expect(await runSql(database, 'SELECT * FROM "_prisma_migrations"')).toHaveLength(MIGRATIONS.length);
      expect(longestGap).toBeLessThan(1_000);
    } finally {
      await database.drop();
    }
  });
});

describe('the migration files', () => {
  it('are the same set for both providers', () => {
    expect(loadMigrations('sqlite').map((m) => m.name)).toEqual(loadMigrations('postgresql').map((m) => m.name));
  });
});

function now(provider: string) {
  return provider === 'sqlite' ? String(Date.now()) : 'now()';
}
