/**
 * What changed from one catalog to the next, as changes of the kinds kinds.ts lists. Tables and
 * columns are matched by name: a rename is a removal and an addition. A table added or removed is
 * one change (not one per column). Keys and nullability the dialect does not tell (null) are not
 * compared. The first catalog of a connection has nothing to be compared with: it is the baseline.
 */
import type { ColumnInfo, ForeignKeyInfo } from '../connectivity/drivers/driver.ts';
import { byCodeUnits, type Catalog, type CatalogTable } from './catalog.ts';
import { SCHEMA_CHANGE_KIND_NAMES, type SchemaChangeFound, type SchemaChangeKind } from './kinds.ts';

/** A name as paths and key descriptions write it: bare when it is a plain identifier, else double-quoted. */
export const nameInPath = (name: string) =>
  /^[\p{L}_][\p{L}\p{N}_$]*$/u.test(name) ? name : `"${name.replaceAll('"', '""')}"`;

/** `schema.table` or `schema.table.column`, each name as nameInPath writes it: never ambiguous. */
export const pathOf = (...names: string[]) => names.map(nameInPath).join('.');

const nameList = (names: string[]) => `(${names.map(nameInPath).join(', ')})`;

/** A column as column_added and column_removed tell it: its type, and NOT NULL when it takes no nulls. */
export const columnDefinition = (column: ColumnInfo) => `${column.type}${column.nullable ? '' : ' NOT NULL'}`;

const primaryKeyDefinition = (columns: string[]) => (columns.length > 0 ? `PRIMARY KEY ${nameList(columns)}` : null);

export const foreignKeyDefinition = (key: ForeignKeyInfo) =>
  `FOREIGN KEY ${key.name === null ? '' : `${nameInPath(key.name)} `}${nameList(key.columns)} ` +
  `REFERENCES ${pathOf(key.referencedSchema, key.referencedTable)} ${nameList(key.referencedColumns)}`;

type Changes = SchemaChangeFound[];

const change = (kind: SchemaChangeKind, path: string, before: string | null, after: string | null) => ({
  kind,
  path,
  before,
  after,
});

/** Each of a list under its key, for matching the items of two lists. */
function keyed<T>(items: T[], keyOf: (item: T) => string): Map<string, T> {
  return new Map(items.map((item) => [keyOf(item), item]));
}

function tablesOf(catalog: Catalog): Map<string, CatalogTable> {
  const tables = new Map<string, CatalogTable>();
  for (const schema of catalog) for (const table of schema.tables) tables.set(pathOf(schema.name, table.name), table);
  return tables;
}

/** Foreign keys matched by name (by what they say where the catalog names none): one change per key. */
function diffForeignKeys(path: string, before: ForeignKeyInfo[], after: ForeignKeyInfo[], out: Changes) {
  const identity = (key: ForeignKeyInfo) => key.name ?? foreignKeyDefinition(key);
  const old = keyed(before, identity);
  const now = keyed(after, identity);
  for (const [id, key] of old) if (!now.has(id)) out.push(change('key_changed', path, foreignKeyDefinition(key), null));
  for (const [id, key] of now) {
    const was = old.get(id);
    const [from, to] = [was && foreignKeyDefinition(was), foreignKeyDefinition(key)];
    if (from !== to) out.push(change('key_changed', path, from ?? null, to));
  }
}

function diffColumn(path: string, before: ColumnInfo, after: ColumnInfo, out: Changes) {
  if (before.type !== after.type) out.push(change('type_changed', path, before.type, after.type));
  if (before.nullable !== after.nullable) {
    const told = (nullable: boolean) => (nullable ? 'NULL' : 'NOT NULL');
    out.push(change('nullability_changed', path, told(before.nullable), told(after.nullable)));
  }
  if (before.comment !== after.comment) out.push(change('comment_changed', path, before.comment, after.comment));
}

function diffColumns(tablePath: string, before: ColumnInfo[], after: ColumnInfo[], out: Changes) {
  const old = keyed(before, (column) => column.name);
  const now = keyed(after, (column) => column.name);
  const pathOfColumn = (name: string) => `${tablePath}.${nameInPath(name)}`;
  for (const [name, column] of old)
    if (!now.has(name)) out.push(change('column_removed', pathOfColumn(name), columnDefinition(column), null));
  for (const [name, column] of now) {
    const was = old.get(name);
    if (was) diffColumn(pathOfColumn(name), was, column, out);
    else out.push(change('column_added', pathOfColumn(name), null, columnDefinition(column)));
  }
}

function diffTable(path: string, before: CatalogTable, after: CatalogTable, out: Changes) {
  if (before.type !== after.type) out.push(change('type_changed', path, before.type, after.type));
  if (before.comment !== after.comment) out.push(change('comment_changed', path, before.comment, after.comment));
  if (before.primaryKey && after.primaryKey) {
    const [from, to] = [primaryKeyDefinition(before.primaryKey), primaryKeyDefinition(after.primaryKey)];
    if (from !== to) out.push(change('key_changed', path, from, to));
  }
  if (before.foreignKeys && after.foreignKeys) diffForeignKeys(path, before.foreignKeys, after.foreignKeys, out);
  diffColumns(path, before.columns, after.columns, out);
}

const KIND_ORDER = new Map(SCHEMA_CHANGE_KIND_NAMES.map((kind, index) => [kind, index]));

/** The changes from `before` to `after`, by path, then in the order of the kinds' list. */
export function diffCatalogs(before: Catalog, after: Catalog): SchemaChangeFound[] {
  const old = tablesOf(before);
  const now = tablesOf(after);
  const changes: Changes = [];
  for (const [path, table] of old) if (!now.has(path)) changes.push(change('table_removed', path, table.type, null));
  for (const [path, table] of now) {
    const was = old.get(path);
    if (was) diffTable(path, was, table, changes);
    else changes.push(change('table_added', path, null, table.type));
  }
  // Stable: a table's key changes keep the order they were found in.
  return changes.sort(
    (a, b) => byCodeUnits(a.path, b.path) || (KIND_ORDER.get(a.kind) ?? 0) - (KIND_ORDER.get(b.kind) ?? 0),
  );
}
