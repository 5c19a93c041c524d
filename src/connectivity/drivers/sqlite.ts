/** SQLite files through better-sqlite3 (the store's own driver), read-only, never created. */
import { sqliteDatabase } from '../../db/sqlite-driver.ts';
import type { Driver } from './driver.ts';
import { lowerKeys, sqlSession } from './sql.ts';

/**
 * A primary key's columns (`pk`: their place in the key, 0 for the others), then each foreign key
 * (`id`), whose `to` is null where it references the parent's primary key: its column at the same place.
 */
const KEYS = `SELECT 'main' AS schema, m.name AS "table", 'primary' AS kind, '' AS "key", NULL AS name, c.name AS "column",
    NULL AS referenced_schema, NULL AS referenced_table, NULL AS referenced_column, c.pk AS position
  FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS c
  WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND c.pk > 0
  UNION ALL
  SELECT 'main', m.name, 'foreign', f.id, NULL, f."from", 'main', f."table",
    coalesce(f."to", (SELECT p.name FROM pragma_table_info(f."table") AS p WHERE p.pk = f.seq + 1)), f.seq
  FROM sqlite_master AS m JOIN pragma_foreign_key_list(m.name) AS f
  WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
  ORDER BY 2, 3, 4, 10`;

/**
 * ANALYZE's statistics: a row per index, or per table without one, whose first number is the rows
 * it covers (the table's, for any index but a partial one: so the largest). Without ANALYZE there
 * is no sqlite_stat1 to read, and no estimate.
 */
const ROW_COUNTS = `SELECT 'main' AS schema, tbl AS "table", max(CAST(stat AS INTEGER)) AS "rows" FROM sqlite_stat1 GROUP BY tbl`;
const NO_ROW_COUNTS = `SELECT NULL AS schema, NULL AS "table", NULL AS "rows" WHERE 0`;

export const sqliteDriver: Driver = async ({ file, timeoutMs }) => {
  const Sqlite = sqliteDatabase();
  const database = new Sqlite(file as string, { readonly: true, fileMustExist: true, timeout: timeoutMs });
  const run = async (sql: string) => (database.prepare(sql).all() as Record<string, unknown>[]).map(lowerKeys);
  const analyzed = () =>
    database.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'").get() !== undefined;
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
      keys: () => KEYS,
      // SQLite keeps no comments.
      rowCounts: () => (analyzed() ? ROW_COUNTS : NO_ROW_COUNTS),
    },
    async () => {
      database.close();
    },
  );
};
