/** SQLite files through better-sqlite3 (the store's own driver), read-only, never created. */
import { Sqlite } from '../../db/sqlite-driver.ts';
import type { Driver } from './driver.ts';
import { lowerKeys, sqlSession } from './sql.ts';

export const sqliteDriver: Driver = async ({ file, timeoutMs }) => {
  const database = new Sqlite(file as string, { readonly: true, fileMustExist: true, timeout: timeoutMs });
  const run = async (sql: string) => (database.prepare(sql).all() as Record<string, unknown>[]).map(lowerKeys);
  return sqlSession(
    run,
    {
      version: 'SELECT sqlite_version() AS v',
      // A file's schemas are "main" and those it attaches: none, opened read-only by the service.
      schemas: "SELECT name FROM pragma_database_list WHERE name = 'main'",
      everySchema: 'SELECT name FROM pragma_database_list',
      tables: () =>
        `SELECT 'main' AS schema, name AS "table", type FROM sqlite_master
         WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name`,
      columns: () =>
        `SELECT 'main' AS schema, m.name AS "table", c.name AS "column", c.type AS type, c."notnull" = 0 AND c.pk = 0 AS nullable
         FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS c
         WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, c.cid`,
    },
    async () => {
      database.close();
    },
  );
};
