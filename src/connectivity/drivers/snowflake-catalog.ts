/**
 * What discovery reads of a Snowflake database: its information_schema (schemas, tables, columns
 * with their types' parts, written whole by SNOWFLAKE_TYPE, the comments of tables, views and
 * columns, tables' ROW_COUNT) and its keys, which Snowflake keeps but does not enforce (NOT NULL
 * aside) and which its information_schema does not list by column (it has no KEY_COLUMN_USAGE):
 * SHOW PRIMARY KEYS and SHOW IMPORTED KEYS over the database.
 */
import { SNOWFLAKE_TYPE } from './column-types.ts';
import { DriverFailure } from './driver.ts';
import {
  type Catalog,
  type DetailSource,
  informationSchema,
  informationSchemaComments,
  type Row,
  sqlList,
} from './sql.ts';

/**
 * Snowflake's refusal of a SHOW whose answer would be over 10,000 rows ("The result set size
 * exceeded the max number of rows(10000) supported for SHOW statements").
 */
const SHOW_OVER_ITS_LIMIT = '090153';

const text = (value: unknown) => (value === null || value === undefined ? '' : String(value));

/**
 * A row of SHOW PRIMARY KEYS (created_on, database_name, schema_name, table_name, column_name,
 * key_sequence, constraint_name, …) or SHOW IMPORTED KEYS (created_on, pk_database_name,
 * pk_schema_name, pk_table_name, pk_column_name, fk_database_name, fk_schema_name, fk_table_name,
 * fk_column_name, key_sequence, …, fk_name, pk_name, …), by the names snowflake-jdbc's
 * DatabaseMetaData reads them by, as a key row of Catalog's keys.
 */
function keyRowOf(row: Row, kind: 'primary' | 'foreign') {
  const primary = kind === 'primary';
  const key = text(primary ? row.constraint_name : row.fk_name);
  return {
    schema: text(primary ? row.schema_name : row.fk_schema_name),
    table: text(primary ? row.table_name : row.fk_table_name),
    kind,
    key,
    name: key,
    column: text(primary ? row.column_name : row.fk_column_name),
    referenced_schema: primary ? null : text(row.pk_schema_name),
    referenced_table: primary ? null : text(row.pk_table_name),
    referenced_column: primary ? null : text(row.pk_column_name),
    position: Number(row.key_sequence),
  };
}

type KeyRow = ReturnType<typeof keyRowOf>;

const keyOf = (row: KeyRow) => [row.schema, row.table, row.kind, row.key].join('\u0000');

/** By schema, table, kind and key, each key's columns in the order of key_sequence. */
const byKeyOrder = (a: KeyRow, b: KeyRow) =>
  keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : a.position - b.position;

/**
 * The keys of the schemas of `database` (an identifier as Snowflake reads it, or '' for the
 * session's database): two SHOW commands over the whole database, its rows kept for these schemas.
 * Past SHOW's 10,000 rows Snowflake refuses the command: the keys are then not told (null).
 */
function snowflakeKeys(database: string): DetailSource {
  return async (schemas, run) => {
    const scope = `IN DATABASE${database ? ` ${database}` : ''}`;
    let primary: Row[];
    let imported: Row[];
    try {
      primary = await run(`SHOW PRIMARY KEYS ${scope}`);
      imported = await run(`SHOW IMPORTED KEYS ${scope}`);
    } catch (error) {
      if (error instanceof DriverFailure && error.message.startsWith(`${SHOW_OVER_ITS_LIMIT}:`)) return null;
      throw error;
    }
    const wanted = new Set(schemas);
    return [...primary.map((row) => keyRowOf(row, 'primary')), ...imported.map((row) => keyRowOf(row, 'foreign'))]
      .filter((row) => wanted.has(row.schema))
      .sort(byKeyOrder);
  };
}

/** Snowflake's catalog in `database` (`"SALES_DB"`, or '' for the session's). */
export function snowflakeCatalog(database: string): Omit<Catalog, 'version'> {
  const prefix = database ? `${database}.` : '';
  const quote = (alias: string) => `"${alias}"`;
  return {
    ...informationSchema(prefix, quote, 'data_type', 'backslash-escapes', SNOWFLAKE_TYPE),
    keys: snowflakeKeys(database),
    comments: informationSchemaComments(prefix, quote, 'backslash-escapes'),
    // ROW_COUNT: the rows Snowflake's metadata keeps for each table (null for views).
    rowCounts: (schemas) =>
      `SELECT table_schema AS "schema", table_name AS "table", row_count AS "rows" FROM ${prefix}information_schema.tables
       WHERE table_schema IN (${sqlList(schemas, 'backslash-escapes')}) AND row_count IS NOT NULL`,
  };
}
