/** Schemas as discovery answers them, from the names, types and nullability a test writes down. */

interface PlainSchema {
  name: string;
  tables: { name: string; type: string; columns: { name: string; type: string; nullable: unknown }[] }[];
}

/** Every table and column given the details discovery adds: no comments, these keys, `tableRows` for tables. */
function withDetails(
  schema: PlainSchema,
  keys: { primary_key: [] | null; foreign_keys: [] | null },
  tableRows: number | null = null,
) {
  return {
    name: schema.name,
    tables: schema.tables.map((table) => ({
      ...table,
      comment: null,
      estimated_row_count: table.type === 'table' ? tableRows : null,
      ...keys,
      columns: table.columns.map((column) => ({ ...column, comment: null })),
    })),
  };
}

/** Where the dialect's catalog tells no keys, comments or row counts (or the tables have none): all null. */
export const untold = (schema: PlainSchema) => withDetails(schema, { primary_key: null, foreign_keys: null });

/**
 * Where the dialect tells keys and the tables have none: empty lists; no comments; `tableRows` the
 * estimate of each table (0 where the catalog knows them empty, null where it has no statistics yet).
 */
export const keyless = (schema: PlainSchema, tableRows: number | null = null) =>
  withDetails(schema, { primary_key: [], foreign_keys: [] }, tableRows);
