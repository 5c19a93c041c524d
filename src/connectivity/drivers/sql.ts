/**
 * A session over any database that answers SQL with rows: the version, the schemas and the
 * catalog queries are the dialect's, the rest (which schemas are missing, grouping tables and
 * columns into schemas) is the same for all.
 */
import { describeFailure } from '../errors.ts';
import { type CatalogDetails, type DriverSession, groupSchemas } from './driver.ts';

export type Row = Record<string, unknown>;
/** Runs one statement and resolves its rows, their column names in lower case. */
export type RunSql = (sql: string) => Promise<Row[]>;

/** A detail's rows; null where the database does not tell it this time (Snowflake's SHOW past its limit). */
export type DetailRows = Row[] | null;

/**
 * How a catalog reads one kind of detail over these schemas: the one statement that tells it, or,
 * where the vendor tells it otherwise (Snowflake's SHOW commands), its own reading with `run`.
 */
export type DetailSource = (schemas: string[], run: RunSql) => string | Promise<DetailRows>;

export interface Catalog {
  /** A statement whose first row's first value is the version; null where the vendor tells none. */
  version: string | null;
  /** A statement giving rows of `name` (or the names themselves): the schemas discovery lists when a connection names none. */
  schemas: string | (() => Promise<string[]>);
  /** Every schema a test accepts, system schemas too (defaults to `schemas`). */
  everySchema?: string | (() => Promise<string[]>);
  /** Rows of schema, table, type for these schemas. */
  tables(schemas: string[]): string;
  /** Rows of schema, table, column, type, nullable for these schemas, in column order. */
  columns(schemas: string[]): string;
  /**
   * Where the catalog tells a column's type in parts (a name, a length, a precision…, the columns
   * of `typeInParts`, beside `type`): the type as the vendor writes it, from the column's row.
   * Left out where `type` is the full type already.
   */
  typeInParts?: TypeInParts;
  /**
   * Rows of schema, table, kind (`primary` or `foreign`), key, name, column, referenced_schema,
   * referenced_table, referenced_column: each key's columns in its order. Left out where the
   * catalog tells no keys, as are the two below.
   */
  keys?: DetailSource;
  /** Rows of schema, table, column (null for the table's own), comment: only the comments there are. */
  comments?: DetailSource;
  /** Rows of schema, table, rows: the catalog's estimate of each table's rows, never a count. */
  rowCounts?: DetailSource;
}

/** A type a catalog tells in parts: the catalog's columns beside its name (`type`), and how the vendor writes the whole. */
export interface TypeInParts {
  columns: readonly string[];
  write(row: Row): string;
}

/**
 * How a vendor reads a backslash in a string literal: as itself (standard SQL), or as the start of
 * an escape (ClickHouse, Snowflake, Databricks), where `\'` would end a literal whose quotes were
 * only doubled and let the rest of a name be read as SQL.
 */
export type StringLiterals = 'standard' | 'backslash-escapes';

/** A name as one string literal of the vendor's SQL. */
export const sqlString = (text: string, literals: StringLiterals = 'standard') =>
  literals === 'standard'
    ? `'${text.replaceAll("'", "''")}'`
    : `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

/** The names as an SQL list of string literals. */
export const sqlList = (names: string[], literals: StringLiterals = 'standard') =>
  names.map((name) => sqlString(name, literals)).join(', ');

/** Values that mean "nullable" in vendors' catalogs: YES, Y, true, 1. */
const truthy = (value: unknown) => value === true || value === 1 || /^(yes|y|true|1)$/i.test(String(value));

/** Rows given as arrays, under their columns' names (in lower case). */
export function rowsOf(columns: string[], values: readonly unknown[][]): Row[] {
  const names = columns.map((name) => name.toLowerCase());
  return values.map((row) => Object.fromEntries(names.map((name, i) => [name, row[i]])));
}

export const lowerKeys = (row: Row): Row =>
  Object.fromEntries(Object.entries(row).map(([key, value]) => [key.toLowerCase(), value]));

export const text = (value: unknown) => (value === null || value === undefined ? '' : String(value));
const textOrNull = (value: unknown) => (value === null || value === undefined ? null : String(value));

/** A row count as vendors give it (a number, a bigint, a decimal string); null for none or a negative "unknown". */
function rowCountOf(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  const rows = Math.round(Number(value));
  return Number.isSafeInteger(rows) && rows >= 0 ? rows : null;
}

/** How to read each kind of detail a catalog tells, one statement over all the schemas; a kind left out it does not tell. */
export type DetailQueries = { [kind in keyof CatalogDetails]?: () => Promise<DetailRows> };

/**
 * The rows of one kind of detail; undefined where the catalog does not tell it to this user: the
 * database refused the statement for permission (the tables and columns were read, so the rest of
 * discovery goes on, that kind untold: null) or answered null.
 */
async function toldRows(query: (() => Promise<DetailRows>) | undefined): Promise<Row[] | undefined> {
  if (!query) return undefined;
  try {
    return (await query()) ?? undefined;
  } catch (error) {
    if (describeFailure(error, []).code === 'permission_denied') return undefined;
    throw error;
  }
}

/** The details, read one kind after the other, their rows in the shapes of Catalog's keys, comments and rowCounts. */
export async function readDetails(queries: DetailQueries): Promise<CatalogDetails> {
  const details: CatalogDetails = {};
  const [keys, comments, rowCounts] = [
    await toldRows(queries.keys),
    await toldRows(queries.comments),
    await toldRows(queries.rowCounts),
  ];
  if (keys)
    details.keys = keys.map((row) => ({
      schema: text(row.schema),
      table: text(row.table),
      kind: row.kind === 'primary' ? 'primary' : 'foreign',
      key: text(row.key),
      name: textOrNull(row.name),
      column: text(row.column),
      referencedSchema: textOrNull(row.referenced_schema),
      referencedTable: textOrNull(row.referenced_table),
      referencedColumn: textOrNull(row.referenced_column),
    }));
  if (comments)
    details.comments = comments.map((row) => ({
      schema: text(row.schema),
      table: text(row.table),
      column: textOrNull(row.column),
      comment: text(row.comment),
    }));
  if (rowCounts)
    details.rowCounts = rowCounts.flatMap((row) => {
      const rows = rowCountOf(row.rows);
      return rows === null ? [] : [{ schema: text(row.schema), table: text(row.table), rows }];
    });
  return details;
}

/**
 * The catalog of a database with an ANSI `information_schema` (Snowflake, Databricks, Trino, SQL
 * Server): `prefix` names its database or catalog (`"SALES".`), `quote` quotes an alias the
 * vendor's way, `typeColumn` is the column that holds a column's type, `literals` how the vendor
 * reads a backslash in a string, `typeInParts` how the type is written where `typeColumn` holds
 * only its name (its columns are read beside it, by their own names).
 */
export function informationSchema(
  prefix: string,
  quote: (alias: string) => string,
  typeColumn = 'data_type',
  literals: StringLiterals = 'standard',
  typeInParts?: TypeInParts,
): Omit<Catalog, 'version'> {
  const from = (view: string) => `FROM ${prefix}information_schema.${view}`;
  const names = `table_schema AS ${quote('schema')}, table_name AS ${quote('table')}`;
  return {
    schemas: `SELECT schema_name AS name ${from('schemata')} WHERE lower(schema_name) <> 'information_schema' ORDER BY 1`,
    everySchema: `SELECT schema_name AS name ${from('schemata')}`,
    tables: (schemas) =>
      `SELECT ${names}, table_type AS type ${from('tables')} WHERE table_schema IN (${sqlList(schemas, literals)}) ORDER BY 1, 2`,
    columns: (schemas) =>
      `SELECT ${names}, column_name AS ${quote('column')}, ${typeColumn} AS type, ${partsOf(typeInParts)}is_nullable AS nullable ${from('columns')}
       WHERE table_schema IN (${sqlList(schemas, literals)}) ORDER BY table_schema, table_name, ordinal_position`,
    ...(typeInParts && { typeInParts }),
  };
}

/** The columns of a type in parts as items of a select list, each followed by its comma; none for a type told whole. */
export const partsOf = (typeInParts: TypeInParts | undefined) =>
  typeInParts ? typeInParts.columns.map((column) => `${column}, `).join('') : '';

/**
 * Comments where information_schema's TABLES and COLUMNS carry one in a `comment` column (Snowflake,
 * Databricks, beyond the standard): those of tables and views, then those of columns; an empty one
 * is none. `prefix`, `quote` and `literals` as informationSchema's.
 */
export function informationSchemaComments(
  prefix: string,
  quote: (alias: string) => string,
  literals: StringLiterals = 'standard',
): DetailSource {
  const from = (view: string) => `FROM ${prefix}information_schema.${view}`;
  return (schemas) => {
    const where = `WHERE table_schema IN (${sqlList(schemas, literals)}) AND comment IS NOT NULL AND comment <> ''`;
    return `SELECT table_schema AS ${quote('schema')}, table_name AS ${quote('table')}, NULL AS ${quote('column')}, comment AS ${quote('comment')} ${from('tables')} ${where}
       UNION ALL SELECT table_schema, table_name, column_name, comment ${from('columns')} ${where}`;
  };
}

export function sqlSession(run: RunSql, catalog: Catalog, close: () => Promise<void>): DriverSession {
  const names = async (source: string | (() => Promise<string[]>)) =>
    typeof source === 'string' ? (await run(source)).map((row) => text(row.name)) : source();
  return {
    async serverVersion() {
      if (catalog.version === null) {
        await run('SELECT 1');
        return null;
      }
      const [row] = await run(catalog.version);
      return row ? text(Object.values(row)[0]) : null;
    },
    async missingSchemas(wanted) {
      const existing = new Set(await names(catalog.everySchema ?? catalog.schemas));
      return wanted.filter((name) => !existing.has(name));
    },
    async introspect(schemas) {
      const wanted = schemas.length > 0 ? schemas : await names(catalog.schemas);
      if (wanted.length === 0) return [];
      const tables = (await run(catalog.tables(wanted))).map((row) => ({
        schema: text(row.schema),
        table: text(row.table),
        type: text(row.type),
      }));
      const columns = (await run(catalog.columns(wanted))).map((row) => ({
        schema: text(row.schema),
        table: text(row.table),
        column: text(row.column),
        type: catalog.typeInParts ? catalog.typeInParts.write(row) : text(row.type),
        nullable: truthy(row.nullable),
      }));
      const detail = (source: DetailSource | undefined) =>
        source &&
        (async () => {
          const made = source(wanted, run);
          return typeof made === 'string' ? run(made) : made;
        });
      const details = await readDetails({
        keys: detail(catalog.keys),
        comments: detail(catalog.comments),
        rowCounts: detail(catalog.rowCounts),
      });
      return groupSchemas(wanted, tables, columns, details);
    },
    close,
  };
}
