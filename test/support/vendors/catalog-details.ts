/**
 * A catalog with keys, comments and row counts for the warehouses' stand-ins, what discovery must
 * answer of it where a vendor tells each of them, and a second version of its details for the
 * schema history to find changed.
 */
import { expect } from 'vitest';
import type { Client } from '../service.ts';
import type { Warehouse, WarehouseDetails } from './server.ts';

const PATH = '/api/v1/database-connections';

/**
 * Schema `sales`: customers with a composite primary key (id, region) and a comment on the table
 * and on `region`; orders whose (customer_id, region) references them, with a comment on
 * `customer_id`; the catalog's row counts of both; and a view, `recent`, with none of these.
 */
export const DETAILED_WAREHOUSE: Warehouse = {
  schemas: ['sales', 'information_schema'],
  tables: [
    ['sales', 'customers', 'BASE TABLE'],
    ['sales', 'orders', 'BASE TABLE'],
    ['sales', 'recent', 'VIEW'],
  ],
  columns: [
    ['sales', 'customers', 'id', 'NUMBER', 'NO'],
    ['sales', 'customers', 'region', 'TEXT', 'NO'],
    ['sales', 'orders', 'id', 'NUMBER', 'NO'],
    ['sales', 'orders', 'customer_id', 'NUMBER', 'YES'],
    ['sales', 'orders', 'region', 'TEXT', 'YES'],
    ['sales', 'recent', 'id', 'NUMBER', 'YES'],
  ],
  details: {
    primaryKeys: [
      ['sales', 'customers', 'customers_pk', ['id', 'region']],
      ['sales', 'orders', 'orders_pk', ['id']],
    ],
    foreignKeys: [
      {
        schema: 'sales',
        table: 'orders',
        name: 'orders_customer_fk',
        columns: ['customer_id', 'region'],
        referencedSchema: 'sales',
        referencedTable: 'customers',
        referencedColumns: ['id', 'region'],
      },
    ],
    comments: [
      ['sales', 'customers', null, 'People who order'],
      ['sales', 'customers', 'region', 'Where they live'],
      ['sales', 'orders', 'customer_id', 'Who ordered'],
    ],
    rowCounts: [
      ['sales', 'customers', 3],
      ['sales', 'orders', 5],
    ],
  },
};

/** The same catalog after its owner dropped the foreign key and rewrote the customers' comment. */
export const CHANGED_DETAILS: WarehouseDetails = {
  ...(DETAILED_WAREHOUSE.details as WarehouseDetails),
  foreignKeys: [],
  comments: [
    ['sales', 'customers', null, 'People who buy'],
    ['sales', 'customers', 'region', 'Where they live'],
    ['sales', 'orders', 'customer_id', 'Who ordered'],
  ],
};

/** The changes a scan of CHANGED_DETAILS finds after one of DETAILED_WAREHOUSE, where the vendor tells keys or not. */
export function detailChanges(keysTold: boolean, named = (name: string) => name) {
  const [sales, customers, orders] = ['sales', 'customers', 'orders'].map(named);
  const keyChange = {
    kind: 'key_changed',
    path: `${sales}.${orders}`,
    before: `FOREIGN KEY ${named('orders_customer_fk')} (${named('customer_id')}, ${named('region')}) REFERENCES ${sales}.${customers} (${named('id')}, ${named('region')})`,
    after: null,
  };
  const commentChange = {
    kind: 'comment_changed',
    path: `${sales}.${customers}`,
    before: 'People who order',
    after: 'People who buy',
  };
  return keysTold ? [commentChange, keyChange] : [commentChange];
}

/** What a vendor's catalog tells beyond tables and columns: keys (else null), row counts (else null). */
export interface Told {
  keys: boolean;
  rowCounts: boolean;
}

/**
 * Schema `schema` of `warehouse` as discovery answers it where the vendor tells what `told` says:
 * tables in name order, columns in the table's order, every column nullable where the vendor's
 * columns all are (`everyColumnNullable`: Athena).
 */
export function discoveredSchema(warehouse: Warehouse, schema: string, told: Told, everyColumnNullable = false) {
  const details = warehouse.details ?? { primaryKeys: [], foreignKeys: [], comments: [], rowCounts: [] };
  const comment = (table: string, column: string | null) =>
    details.comments.find(([s, t, c]) => s === schema && t === table && c === column)?.[3] ?? null;
  const tables = warehouse.tables
    .filter(([s]) => s === schema)
    .sort(([, a], [, b]) => (a < b ? -1 : 1))
    .map(([, table, type]) => {
      const isView = /view/i.test(type);
      const ofTable = <T extends { schema: string; table: string }>(row: T) =>
        row.schema === schema && row.table === table;
      return {
        name: table,
        type: isView ? 'view' : 'table',
        comment: comment(table, null),
        estimated_row_count:
          told.rowCounts && !isView
            ? (details.rowCounts.find(([s, t]) => s === schema && t === table)?.[2] ?? null)
            : null,
        primary_key: told.keys ? (details.primaryKeys.find(([s, t]) => s === schema && t === table)?.[3] ?? []) : null,
        foreign_keys: told.keys
          ? details.foreignKeys.filter(ofTable).map((key) => ({
              name: key.name,
              columns: key.columns,
              referenced_schema: key.referencedSchema,
              referenced_table: key.referencedTable,
              referenced_columns: key.referencedColumns,
            }))
          : null,
        columns: warehouse.columns
          .filter(([s, t]) => s === schema && t === table)
          .map(([, , column, columnType, nullable]) => ({
            name: column,
            type: columnType,
            nullable: everyColumnNullable || nullable === 'YES',
            comment: comment(table, column),
          })),
      };
    });
  return { name: schema, tables };
}

type Discovered = ReturnType<typeof discoveredSchema>;

/** `schema` where the database would not tell these kinds (it refused their statements): each of them null. */
export function untoldIn(schema: Discovered, untold: Partial<Record<'keys' | 'comments' | 'rowCounts', false>>) {
  return {
    ...schema,
    tables: schema.tables.map((table) => ({
      ...table,
      ...(untold.keys === false && { primary_key: null, foreign_keys: null }),
      ...(untold.rowCounts === false && { estimated_row_count: null }),
      ...(untold.comments === false && {
        comment: null,
        columns: table.columns.map((column) => ({ ...column, comment: null })),
      }),
    })),
  };
}

/**
 * That discovery answered `expected` (one schema), told whole, and in it the orders' foreign key of
 * DETAILED_WAREHOUSE as written here, each name as `named` writes it: what the expectation is
 * made of is checked too.
 */
export function expectDetailsTold(schemas: unknown, expected: Discovered, named = (name: string) => name) {
  expect(schemas).toEqual([expected]);
  const orders = expected.tables.find((table) => table.name === named('orders'));
  expect(orders?.foreign_keys).toEqual([
    {
      name: named('orders_customer_fk'),
      columns: ['customer_id', 'region'].map(named),
      referenced_schema: named('sales'),
      referenced_table: named('customers'),
      referenced_columns: ['id', 'region'].map(named),
    },
  ]);
}

/**
 * Discovers `uri` (its schemas `schemas`), lets `change` change the stand-in's catalog, scans
 * again (`?refresh=true`) and answers the changes the second scan found, as schema-changes lists
 * them, by path and kind (as detailChanges gives them).
 */
export async function changesFound(api: Client, uri: string, change: () => void, schemas?: string[]) {
  const created = await api.request('POST', PATH, { alias: `history-${Date.now()}`, connection_uri: uri, schemas });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const first = await api.request('GET', `${PATH}/${created.body.id}/schemas`);
  expect(first.status, JSON.stringify(first.body)).toBe(200);
  change();
  const second = await api.request('GET', `${PATH}/${created.body.id}/schemas?refresh=true`);
  expect(second.status, JSON.stringify(second.body)).toBe(200);
  const listed = await api.request('GET', `${PATH}/${created.body.id}/schema-changes`);
  expect(listed.status).toBe(200);
  const byPathAndKind = (a: { path: string; kind: string }, b: { path: string; kind: string }) =>
    `${a.path} ${a.kind}` < `${b.path} ${b.kind}` ? -1 : 1;
  return listed.body
    .map(({ detected_at: _, ...found }: { detected_at: string; path: string; kind: string }) => found)
    .sort(byPathAndKind);
}
