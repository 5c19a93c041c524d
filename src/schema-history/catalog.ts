/**
 * A discovered catalog in canonical form: schemas and tables by name, foreign keys by what they
 * say, columns and key columns in the database's own order (which means something), every object's
 * fields in one order. Equal catalogs give the same JSON, and so the same hash, whatever order a
 * driver listed them in.
 *
 * Row estimates are kept apart: they move with every insert, and a catalog whose rows moved has
 * not changed. The hash covers the structure only; the estimates travel beside it, one per table
 * in canonical order.
 */
import { createHash } from 'node:crypto';
import type { ColumnInfo, ForeignKeyInfo, SchemaInfo, TableInfo } from '../connectivity/drivers/driver.ts';

export type CatalogTable = Omit<TableInfo, 'estimatedRowCount'>;

export interface CatalogSchema {
  name: string;
  tables: CatalogTable[];
}

/** A catalog's structure, canonical: what a snapshot keeps and a diff compares. */
export type Catalog = CatalogSchema[];

export interface CanonicalCatalog {
  catalog: Catalog;
  /** The catalog's JSON, as hashed. */
  json: string;
  /** SHA-256 of `json`, hex. */
  hash: string;
  /** Each table's row estimate, in the catalog's order of schemas and tables. */
  rowCounts: (number | null)[];
}

/** Code-unit order: the same on every machine and locale, and fast. */
export const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byName = <T extends { name: string }>(a: T, b: T) => byCodeUnits(a.name, b.name);

const canonicalColumn = ({ name, type, nullable, comment }: ColumnInfo): ColumnInfo => ({
  name,
  type,
  nullable,
  comment,
});

const canonicalForeignKey = (key: ForeignKeyInfo): ForeignKeyInfo => ({
  name: key.name,
  columns: [...key.columns],
  referencedSchema: key.referencedSchema,
  referencedTable: key.referencedTable,
  referencedColumns: [...key.referencedColumns],
});

/** Foreign keys in an order that depends on what they are only. */
const foreignKeysInOrder = (keys: ForeignKeyInfo[]) =>
  keys
    .map(canonicalForeignKey)
    .map((key) => ({ key, order: JSON.stringify(key) }))
    .sort((a, b) => byCodeUnits(a.order, b.order))
    .map(({ key }) => key);

const canonicalTable = (table: TableInfo): CatalogTable => ({
  name: table.name,
  type: table.type,
  comment: table.comment,
  primaryKey: table.primaryKey && [...table.primaryKey],
  foreignKeys: table.foreignKeys && foreignKeysInOrder(table.foreignKeys),
  columns: table.columns.map(canonicalColumn),
});

export function canonicalCatalog(schemas: SchemaInfo[]): CanonicalCatalog {
  const catalog: Catalog = [];
  const rowCounts: (number | null)[] = [];
  for (const schema of [...schemas].sort(byName)) {
    const tables = [...schema.tables].sort(byName);
    for (const table of tables) rowCounts.push(table.estimatedRowCount);
    catalog.push({ name: schema.name, tables: tables.map(canonicalTable) });
  }
  const json = JSON.stringify(catalog);
  return { catalog, json, hash: createHash('sha256').update(json).digest('hex'), rowCounts };
}

/** The catalog as discovery answers it: its structure with the estimates of `rowCounts` (null past its end). */
export function withRowCounts(catalog: Catalog, rowCounts: (number | null)[]): SchemaInfo[] {
  let index = 0;
  return catalog.map((schema) => ({
    name: schema.name,
    tables: schema.tables.map((table) => ({ ...table, estimatedRowCount: rowCounts[index++] ?? null })),
  }));
}

/** How many tables and columns the catalog holds. */
export function catalogSize(catalog: Catalog): { tableCount: number; columnCount: number } {
  let tableCount = 0;
  let columnCount = 0;
  for (const schema of catalog) {
    tableCount += schema.tables.length;
    for (const table of schema.tables) columnCount += table.columns.length;
  }
  return { tableCount, columnCount };
}
