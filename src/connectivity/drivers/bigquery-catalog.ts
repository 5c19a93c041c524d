/**
 * What discovery reads of a BigQuery project's datasets: each dataset's INFORMATION_SCHEMA views
 * (they are per dataset), every dataset's in one statement joined by UNION ALL. Tables and
 * columns; primary and foreign keys (TABLE_CONSTRAINTS, KEY_COLUMN_USAGE, CONSTRAINT_COLUMN_USAGE),
 * which BigQuery keeps but does not enforce; descriptions of tables (TABLE_OPTIONS) and of columns
 * (COLUMN_FIELD_PATHS); the rows each table's storage holds (the dataset's __TABLES__).
 */
import type { Catalog, DetailSource, Row } from './sql.ts';

/** A project's or dataset's name as it may stand in a quoted reference: its letters, digits, `_` and `-` only. */
const nameOf = (text: string) => text.replace(/[^A-Za-z0-9_-]/g, '');

/**
 * One SELECT for each dataset, `select` given the dataset's name and how to name one of its views
 * (`view('INFORMATION_SCHEMA.TABLES')`), in one statement; ordered by `order` where given.
 */
function eachDataset(
  project: string,
  datasets: string[],
  select: (dataset: string, view: (name: string) => string) => string,
  order?: string,
): string {
  const statement = datasets
    .map((dataset) => select(nameOf(dataset), (view) => `\`${nameOf(project)}.${nameOf(dataset)}.${view}\``))
    .join(' UNION ALL ');
  return order ? `${statement} ORDER BY ${order}` : statement;
}

/** The view of each dataset, in one query, `columns` from it in the order of `position`. */
function perDataset(project: string, datasets: string[], view: string, columns: string, position = 'table_name') {
  return eachDataset(
    project,
    datasets,
    (dataset, named) =>
      `SELECT '${dataset}' AS schema, ${columns}, ${position} AS position FROM ${named(`INFORMATION_SCHEMA.${view}`)}`,
    'schema, `table`, position',
  );
}

/**
 * Each key column of the datasets: a primary key's in its order; a foreign key's with the table it
 * references (CONSTRAINT_COLUMN_USAGE lists that table's columns under the foreign key's name) and
 * the position, in that table's primary key, of the column it references
 * (POSITION_IN_UNIQUE_CONSTRAINT).
 */
function keysStatement(project: string, datasets: string[]): string {
  return eachDataset(
    project,
    datasets,
    (dataset, view) =>
      `SELECT '${dataset}' AS schema, k.table_name AS \`table\`,
         IF(c.constraint_type = 'PRIMARY KEY', 'primary', 'foreign') AS kind, k.constraint_name AS \`key\`,
         k.constraint_name AS name, k.column_name AS \`column\`, u.table_schema AS referenced_schema,
         u.table_name AS referenced_table, k.position_in_unique_constraint AS referenced_position,
         k.ordinal_position AS position
       FROM ${view('INFORMATION_SCHEMA.KEY_COLUMN_USAGE')} AS k
       JOIN ${view('INFORMATION_SCHEMA.TABLE_CONSTRAINTS')} AS c
         ON c.table_name = k.table_name AND c.constraint_name = k.constraint_name
       LEFT JOIN (SELECT constraint_name, ANY_VALUE(table_schema) AS table_schema, ANY_VALUE(table_name) AS table_name
         FROM ${view('INFORMATION_SCHEMA.CONSTRAINT_COLUMN_USAGE')} GROUP BY constraint_name) AS u
         ON c.constraint_type = 'FOREIGN KEY' AND u.constraint_name = k.constraint_name
       WHERE c.constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY')`,
    'schema, `table`, kind, `key`, position',
  );
}

/**
 * The keys, each foreign key's columns paired with those of the primary key it references, by
 * position: BigQuery's foreign keys reference primary keys. One that references a table of a
 * dataset not discovered, whose primary key is not among these rows, is left out.
 */
function bigqueryKeys(project: string): DetailSource {
  return async (datasets, run) => {
    const rows = await run(keysStatement(project, datasets));
    const primaryKeys = new Map<string, Map<number, unknown>>();
    for (const row of rows.filter((candidate) => candidate.kind === 'primary')) {
      const path = `${row.schema}.${row.table}`;
      primaryKeys.set(path, (primaryKeys.get(path) ?? new Map()).set(Number(row.position), row.column));
    }
    return rows.flatMap((row): Row[] => {
      if (row.kind === 'primary') return [row];
      const referenced = primaryKeys
        .get(`${row.referenced_schema}.${row.referenced_table}`)
        ?.get(Number(row.referenced_position));
      return referenced === undefined ? [] : [{ ...row, referenced_column: referenced }];
    });
  };
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b', f: '\f', v: '\v' };

/**
 * The text of a GoogleSQL string literal, as TABLE_OPTIONS writes an option's value
 * (`"People who order"`): its escapes read (\n, \", \\, \xhh, \uhhhh…). Anything else as it is.
 */
export function stringLiteralValue(literal: string): string {
  const quoted = /^"((?:[^"\\]|\\.)*)"$/s.exec(literal)?.[1];
  if (quoted === undefined) return literal;
  return quoted.replace(/\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/gs, (_escape, code: string) =>
    /^[xuU]./.test(code) ? String.fromCodePoint(Number.parseInt(code.slice(1), 16)) : (ESCAPES[code] ?? code),
  );
}

/** Tables' descriptions (TABLE_OPTIONS' `description`, a string literal) and top-level columns' (COLUMN_FIELD_PATHS). */
function bigqueryComments(project: string): DetailSource {
  return async (datasets, run) => {
    const rows = await run(
      eachDataset(
        project,
        datasets,
        (dataset, view) =>
          `SELECT '${dataset}' AS schema, table_name AS \`table\`, CAST(NULL AS STRING) AS \`column\`, option_value AS comment
           FROM ${view('INFORMATION_SCHEMA.TABLE_OPTIONS')} WHERE option_name = 'description'
           UNION ALL SELECT '${dataset}', table_name, column_name, description
           FROM ${view('INFORMATION_SCHEMA.COLUMN_FIELD_PATHS')} WHERE field_path = column_name AND description IS NOT NULL`,
      ),
    );
    return rows
      .map((row) => (row.column === null ? { ...row, comment: stringLiteralValue(String(row.comment)) } : row))
      .filter((row) => row.comment !== '');
  };
}

/** BigQuery's catalog of `project`'s datasets. */
export function bigqueryCatalog(
  project: string,
): Pick<Catalog, 'tables' | 'columns' | 'keys' | 'comments' | 'rowCounts'> {
  return {
    tables: (schemas) => perDataset(project, schemas, 'TABLES', 'table_name AS `table`, table_type AS type'),
    columns: (schemas) =>
      perDataset(
        project,
        schemas,
        'COLUMNS',
        'table_name AS `table`, column_name AS `column`, data_type AS type, is_nullable AS nullable',
        'ordinal_position',
      ),
    keys: bigqueryKeys(project),
    comments: bigqueryComments(project),
    // __TABLES__' row_count: the rows the table's storage holds (type 1: tables, not views or external tables).
    rowCounts: (schemas) =>
      eachDataset(
        project,
        schemas,
        (dataset, view) =>
          `SELECT '${dataset}' AS schema, table_id AS \`table\`, row_count AS \`rows\` FROM ${view('__TABLES__')} WHERE type = 1`,
      ),
  };
}
