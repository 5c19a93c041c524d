/**
 * HTTP(S) servers of the tests' own that stand in for vendors' APIs no server of which can run on
 * this machine: each answers as the vendor documents, and records what it was sent.
 */
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Issued } from '../certificates.ts';
import { untold } from '../discovery.ts';

export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** How it came: the stand-ins write their own URLs (Trino's nextUri) from this and the Host header. */
  scheme: 'http' | 'https';
}

export interface Answer {
  status?: number;
  /** JSON, text, or bytes sent as they are (a gzipped chunk of results). */
  body: unknown;
  type?: string;
  headers?: Record<string, string>;
}

export type Handler = (request: Received) => Answer | Promise<Answer>;

export interface VendorServer {
  url: string;
  port: number;
  received: Received[];
  /** TCP connections accepted so far, TLS handshakes that failed included. */
  connections(): number;
  close(): Promise<void>;
}

/** Listens on `address` (loopback), a port of its own; over TLS with `tls`'s certificate. */
export async function startVendorServer(handler: Handler, tls?: Issued, address = '127.0.0.1'): Promise<VendorServer> {
  const received: Received[] = [];
  const listener = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const entry = {
      method: request.method ?? '',
      path: request.url ?? '',
      headers: request.headers,
      body: Buffer.concat(chunks).toString(),
      scheme: tls ? ('https' as const) : ('http' as const),
    };
    received.push(entry);
    const answer = await handler(entry);
    const body =
      typeof answer.body === 'string' || Buffer.isBuffer(answer.body) ? answer.body : JSON.stringify(answer.body);
    response.writeHead(answer.status ?? 200, { 'content-type': answer.type ?? 'application/json', ...answer.headers });
    response.end(body);
  };
  const server = tls ? createHttps({ cert: tls.certificate, key: tls.key }, listener) : createHttp(listener);
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://${address}:${port}`,
    port,
    received,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A foreign key of a stand-in's catalog: its columns reference those of another table, the n-th the n-th. */
export interface WarehouseForeignKey {
  schema: string;
  table: string;
  name: string;
  columns: string[];
  referencedSchema: string;
  referencedTable: string;
  referencedColumns: string[];
}

/**
 * What a catalog keeps beyond tables and columns, each stand-in answering it in its vendor's
 * views: primary keys (schema, table, the constraint's name, its columns in order), foreign keys,
 * comments (schema, table, column or null for the table's own, comment) and row counts.
 */
export interface WarehouseDetails {
  primaryKeys: [string, string, string, string[]][];
  foreignKeys: WarehouseForeignKey[];
  comments: [string, string, string | null, string][];
  rowCounts: [string, string, number][];
}

/**
 * A warehouse's catalog: its schemas, its tables (schema, table, type) and their columns (schema,
 * table, column, type, nullable), and what it keeps beyond them (none unless given). A stand-in
 * reads it at each request: a test that changes it changes what the next scan finds.
 */
export interface Warehouse {
  schemas: string[];
  tables: [string, string, string][];
  columns: [string, string, string, string, 'YES' | 'NO'][];
  details?: WarehouseDetails;
}

/**
 * The one small warehouse every stand-in holds unless told otherwise: schema "sales" with a table
 * "orders" (id not null, note nullable) and a view "recent".
 */
export const WAREHOUSE: Warehouse = {
  schemas: ['sales', 'information_schema'],
  tables: [
    ['sales', 'orders', 'BASE TABLE'],
    ['sales', 'recent', 'VIEW'],
  ],
  columns: [
    ['sales', 'orders', 'id', 'NUMBER', 'NO'],
    ['sales', 'orders', 'note', 'TEXT', 'YES'],
    ['sales', 'recent', 'id', 'NUMBER', 'YES'],
  ],
};

/** A big catalog: schema "big" with `tables` tables t00001… of `columns` columns c01… each. */
export function bigWarehouse(tables: number, columns: number): Warehouse {
  const name = (prefix: string, i: number, width: number) => `${prefix}${String(i + 1).padStart(width, '0')}`;
  const tableNames = Array.from({ length: tables }, (_, i) => name('t', i, 5));
  return {
    schemas: ['big', 'information_schema'],
    tables: tableNames.map((table) => ['big', table, 'BASE TABLE']),
    columns: tableNames.flatMap((table) =>
      Array.from({ length: columns }, (_, i): Warehouse['columns'][number] => {
        return ['big', table, name('c', i, 2), i % 2 ? 'varchar' : 'bigint', 'YES'];
      }),
    ),
  };
}

export interface SqlAnswer {
  columns: string[];
  rows: unknown[][];
}

/**
 * A catalog's keys, a row for each column of each: schema, table, kind (primary or foreign), the
 * key's name twice (what tells it apart, and its name), the column, and the schema, table and
 * column it references (null for a primary key's); by schema, table, kind and key, each key's
 * columns in its order.
 */
export function keyColumnRows(details: WarehouseDetails | undefined): (string | null)[][] {
  const primary = (details?.primaryKeys ?? []).flatMap(([schema, table, name, columns]) =>
    columns.map((column) => [schema, table, 'primary', name, name, column, null, null, null]),
  );
  const foreign = (details?.foreignKeys ?? []).flatMap((key) =>
    key.columns.map((column, i) => [
      ...[key.schema, key.table, 'foreign', key.name, key.name, column],
      ...[key.referencedSchema, key.referencedTable, key.referencedColumns[i] ?? null],
    ]),
  );
  const order = (row: (string | null)[]) => row.slice(0, 4).join('\u0000');
  // Stable: each key's columns keep their order.
  return [...primary, ...foreign].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

/** A catalog's comments: schema, table, column (null for the table's own), comment; the tables' first, then the columns'. */
export function commentRows(details: WarehouseDetails | undefined): (string | null)[][] {
  const comments = details?.comments ?? [];
  return [...comments.filter(([, , column]) => column === null), ...comments.filter(([, , column]) => column !== null)];
}

/** The columns of the keys' and the comments' statements, as the drivers alias them. */
const KEY_COLUMNS = [
  ...['schema', 'table', 'kind', 'key', 'name', 'column'],
  ...['referenced_schema', 'referenced_table', 'referenced_column'],
];
const COMMENT_COLUMNS = ['schema', 'table', 'column', 'comment'];

/**
 * The rows a vendor's catalog gives for the statements the drivers send, recognised by what they
 * read; undefined for any other. Keys (information_schema's TABLE_CONSTRAINTS and the views
 * beside it) and comments (TABLES' and COLUMNS' comment column, or Trino's
 * system.metadata.table_comments and COLUMNS') come from the warehouse's details.
 */
export function answerSql(sql: string, version: string, warehouse: Warehouse = WAREHOUSE): SqlAnswer | undefined {
  const text = sql.toLowerCase();
  const inSchemas = (rows: unknown[][]) => rows.filter((row) => text.includes(`'${row[0]}'`));
  if (/^select 1\b/.test(text)) return { columns: ['1'], rows: [[1]] };
  if (text.includes('version()')) return { columns: ['V'], rows: [[version]] };
  if (text.includes('information_schema.schemata'))
    return { columns: ['NAME'], rows: warehouse.schemas.filter((s) => !text.includes(`<> '${s}'`)).map((s) => [s]) };
  if (text.includes('information_schema.table_constraints'))
    return { columns: KEY_COLUMNS, rows: inSchemas(keyColumnRows(warehouse.details)) };
  if (text.includes('metadata.table_comments') || /\bcomment\b.*information_schema\.tables/s.test(text))
    return { columns: COMMENT_COLUMNS, rows: inSchemas(commentRows(warehouse.details)) };
  if (text.includes('information_schema.tables'))
    return { columns: ['SCHEMA', 'TABLE', 'TYPE'], rows: inSchemas(warehouse.tables) };
  if (text.includes('information_schema.columns'))
    return { columns: ['SCHEMA', 'TABLE', 'COLUMN', 'TYPE', 'NULLABLE'], rows: inSchemas(warehouse.columns) };
  return undefined;
}

/** What discovery must find in that warehouse, in the API's shape. */
export const DISCOVERED_SALES = untold({
  name: 'sales',
  tables: [
    {
      name: 'orders',
      type: 'table',
      columns: [
        { name: 'id', type: 'NUMBER', nullable: false },
        { name: 'note', type: 'TEXT', nullable: true },
      ],
    },
    { name: 'recent', type: 'view', columns: [{ name: 'id', type: 'NUMBER', nullable: true }] },
  ],
});
