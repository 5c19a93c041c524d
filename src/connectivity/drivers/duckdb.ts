/** DuckDB files through DuckDB's own Node.js package, read-only, never created, no extension loaded or fetched. */
import { firstCharsSql } from './catalog-text.ts';
import type { Driver } from './driver.ts';
import { lowerKeys, sqlList, sqlSession } from './sql.ts';

const IN_FILE = 'database_name = current_database()';

/**
 * Primary and foreign keys from duckdb_constraints(), whose lists of columns are taken apart by
 * their places. A foreign key references a table of its own schema: DuckDB has none across schemas.
 */
const keys = (schemas: string[]) =>
  `SELECT schema, "table", kind, "key", name, names[position] AS "column", schema AS referenced_schema,
     referenced_table, referenced[position] AS referenced_column
   FROM (SELECT schema_name AS schema, table_name AS "table", constraint_name AS "key", constraint_name AS name,
       CASE constraint_type WHEN 'PRIMARY KEY' THEN 'primary' ELSE 'foreign' END AS kind, referenced_table,
       constraint_column_names AS names, referenced_column_names AS referenced,
       generate_subscripts(constraint_column_names, 1) AS position
     FROM duckdb_constraints()
     WHERE ${IN_FILE} AND schema_name IN (${sqlList(schemas)}) AND constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY'))
   ORDER BY 1, 2, 4, position`;

/** Each cut in the query (substr counts characters), beside the tables' and views' own. */
const comments = (schemas: string[]) =>
  `SELECT schema, "table", "column", ${firstCharsSql('comment')} AS comment FROM (
   SELECT schema_name AS schema, table_name AS "table", NULL AS "column", comment FROM duckdb_tables()
   WHERE ${IN_FILE} AND schema_name IN (${sqlList(schemas)}) AND comment IS NOT NULL
   UNION ALL SELECT schema_name, view_name, NULL, comment FROM duckdb_views()
   WHERE ${IN_FILE} AND schema_name IN (${sqlList(schemas)}) AND comment IS NOT NULL
   UNION ALL SELECT schema_name, table_name, column_name, comment FROM duckdb_columns()
   WHERE ${IN_FILE} AND schema_name IN (${sqlList(schemas)}) AND comment IS NOT NULL)`;

// estimated_size: the rows DuckDB's storage holds for the table, kept as it writes.
const rowCounts = (schemas: string[]) =>
  `SELECT schema_name AS schema, table_name AS "table", estimated_size AS "rows" FROM duckdb_tables()
   WHERE ${IN_FILE} AND schema_name IN (${sqlList(schemas)})`;

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
        `SELECT schema_name AS schema, table_name AS "table", column_name AS "column", ${firstCharsSql('data_type')} AS type, is_nullable AS nullable
         FROM duckdb_columns() WHERE database_name = current_database() AND schema_name IN (${sqlList(schemas)}) ORDER BY schema_name, table_name, column_index`,
      keys,
      comments,
      rowCounts,
    },
    async () => {
      connection.closeSync();
      instance.closeSync();
    },
  );
};
