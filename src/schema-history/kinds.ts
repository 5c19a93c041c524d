/**
 * The kinds of schema change a diff of two catalogs finds, each with what its `before` and `after`
 * hold: the one list the GraphQL enum, REST's schema and the docs' table derive from.
 *
 * A rename is a removal and an addition: catalogs tell no identity beyond names, so a table or
 * column renamed is `table_removed` (or `column_removed`) of the old name and `table_added`
 * (`column_added`) of the new one.
 */
export const SCHEMA_CHANGE_KINDS = {
  table_added: 'A table or view appeared. `after`: `table` or `view`.',
  table_removed: 'A table or view is gone (a rename is a removal and an addition). `before`: `table` or `view`.',
  column_added: 'A column appeared. `after`: its type, followed by ` NOT NULL` when it takes no nulls.',
  column_removed:
    'A column is gone (a rename is a removal and an addition). `before`: its type, followed by ` NOT NULL` when it took no nulls.',
  type_changed: "A column's type changed, or a table became a view (or the reverse). `before`, `after`: the types.",
  nullability_changed: 'A column started or stopped taking nulls. `before`, `after`: `NULL` or `NOT NULL`.',
  key_changed:
    'A primary key or a foreign key appeared, went or changed, on the path of its table. `before`, `after`: ' +
    'the key as SQL writes it (`PRIMARY KEY (a, b)`, `FOREIGN KEY name (a) REFERENCES schema.table (b)`), null when there was none.',
  comment_changed: "A table's or a column's comment was set, changed or removed. `before`, `after`: the comments.",
} as const;

export type SchemaChangeKind = keyof typeof SCHEMA_CHANGE_KINDS;

/** The kinds in their order of the list above. */
export const SCHEMA_CHANGE_KIND_NAMES = Object.keys(SCHEMA_CHANGE_KINDS) as SchemaChangeKind[];

/** What a diff finds: a change without the time and scan it was detected at. */
export interface SchemaChangeFound {
  kind: SchemaChangeKind;
  /** `schema.table` or `schema.table.column` (see pathOf). */
  path: string;
  before: string | null;
  after: string | null;
}
