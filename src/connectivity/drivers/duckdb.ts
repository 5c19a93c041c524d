/** DuckDB files through DuckDB's own Node.js package, read-only, never created, no extension loaded or fetched. */
import type { Driver } from './driver.ts';
import { lowerKeys, sqlList, sqlSession } from './sql.ts';

export const duckdbDriver: Driver = async ({ file }) => {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(file as string, {
    access_mode: 'READ_ONLY',
    enable_external_access: 'false',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  let connection: Awaited<ReturnType<typeof instance.connect>>;
  try {
    connection = await instance.connect();
  } catch (error) {
    instance.closeSync();
    throw error;
  }
  const run = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJS().map(lowerKeys);
  return sqlSession(
    run,
    {
      version: 'SELECT version() AS v',
      // "main" counts as internal in duckdb_schemas(): the file's own schemas are those of its database.
      schemas: `SELECT schema_name AS name FROM duckdb_schemas() WHERE database_name = current_database()
                AND schema_name NOT IN ('information_schema', 'pg_catalog') ORDER BY 1`,
      everySchema: 'SELECT schema_name AS name FROM duckdb_schemas() WHERE database_name = current_database()',
      tables: (schemas) =>
        `SELECT schema_name AS schema, table_name AS "table", 'table' AS type FROM duckdb_tables()
         WHERE database_name = current_database() AND schema_name IN (${sqlList(schemas)})
         UNION ALL SELECT schema_name, view_name, 'view' FROM duckdb_views() WHERE database_name = current_database() AND schema_name IN (${sqlList(schemas)})
         ORDER BY 1, 2`,
      columns: (schemas) =>
        `SELECT schema_name AS schema, table_name AS "table", column_name AS "column", data_type AS type, is_nullable AS nullable
         FROM duckdb_columns() WHERE database_name = current_database() AND schema_name IN (${sqlList(schemas)}) ORDER BY schema_name, table_name, column_index`,
    },
    async () => {
      connection.closeSync();
      instance.closeSync();
    },
  );
};
