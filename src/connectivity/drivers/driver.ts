/** What the service needs from a database driver to test a connection and list what it holds. */
import type { TlsMode } from '../../dialects/registry.ts';
import type { TestFailureCode } from '../errors.ts';
import type { Network } from '../network.ts';
import type { TlsMaterial } from '../route.ts';
import type { Target } from '../target.ts';
import { boundedText, CATALOG_TEXT_MAX, CUT_MARKER } from './catalog-text.ts';

export interface ColumnInfo {
  name: string;
  type: string;
  nullable: boolean;
  /** The database's comment on the column: null when it has none or the dialect's catalog keeps none. */
  comment: string | null;
}

/** A foreign key: its columns, in the key's order, and the columns they reference, in the same order. */
export interface ForeignKeyInfo {
  /** The constraint's name; null where the catalog names none (SQLite). */
  name: string | null;
  columns: string[];
  referencedSchema: string;
  referencedTable: string;
  referencedColumns: string[];
}

export interface TableInfo {
  name: string;
  type: 'table' | 'view';
  columns: ColumnInfo[];
  /** The database's comment on the table or view; null when it has none or the catalog keeps none. */
  comment: string | null;
  /** The number of rows by the catalog's statistics (never counted): null where it keeps none. */
  estimatedRowCount: number | null;
  /** The primary key's columns in its order: empty when there is none, null where the catalog tells none. */
  primaryKey: string[] | null;
  /** Empty when there are none, null where the catalog tells none. */
  foreignKeys: ForeignKeyInfo[] | null;
}

/**
 * A whole number with commas between its thousands, as toLocaleString('en-US') writes it, without
 * it: at the start of every process, that call alone loads ICU's number formats (about 5 MB of RSS).
 */
const withCommas = (value: number) => String(value).replace(/\B(?=(\d{3})+$)/g, ',');

/** What a text discovery cuts says of the cut. */
const CUT = `cut to its first ${withCommas(CATALOG_TEXT_MAX - 1)} characters and "${CUT_MARKER}" when over ${withCommas(CATALOG_TEXT_MAX)}`;

/** What the fields discovery adds mean, for GraphQL's and the OpenAPI document's descriptions. */
export const DISCOVERY_FIELDS = {
  columnType: `The column's type as the database writes it, with its length, precision and scale where its catalog tells them (character varying(10), numeric(10,2), integer[]), ${CUT}.`,
  columnComment: `The database's comment on the column, ${CUT}; null when it has none or its dialect keeps none.`,
  tableComment: `The database's comment on the table or view, ${CUT}; null when it has none or its dialect keeps none.`,
  estimatedRowCount:
    "The table's rows by the database's statistics, which may lag behind it (never counted); " +
    'null for views and where the database keeps no estimate.',
  primaryKey: "The primary key's columns in its order: empty when there is none, null where the dialect tells none.",
  foreignKeys: 'Empty when there are none, null where the dialect tells none.',
  foreignKey: 'A foreign key: its columns reference those of another table, the n-th the n-th.',
  foreignKeyName: "The constraint's name; null where the database names none.",
  foreignKeyColumns: 'In the order of the key.',
  referencedColumns: 'In the order of `columns`.',
} as const;

export interface SchemaInfo {
  name: string;
  tables: TableInfo[];
}

export interface DriverSession {
  /** Null where the vendor tells no version. */
  serverVersion(): Promise<string | null>;
  /**
   * Those of these schemas the database does not have. System schemas count as schemas: what
   * discovery can list, a test accepts.
   */
  missingSchemas(names: string[]): Promise<string[]>;
  /** Tables, views and columns of these schemas (every schema when empty). */
  introspect(schemas: string[]): Promise<SchemaInfo[]>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** The URI's host, port, credentials, database and parameters (a file database's are its path's). */
  target: Target;
  /** How to reach every host the driver connects to: through the guard, and the bastion when there is one. */
  network: Network;
  /** For the connection and for each statement. */
  timeoutMs: number;
  /** What the URI asks of TLS, and the certificates to use. */
  tlsMode: TlsMode;
  tls: TlsMaterial | null;
  /** For a file database: the checked path of its file. */
  file?: string;
  /** The base URL of the vendor's API, in place of its public one (VENDOR_ENDPOINTS). */
  endpoint?: string;
}

/** A failure a driver classified itself, with one of the test failure codes. */
export class DriverFailure extends Error {
  constructor(
    readonly failure: TestFailureCode,
    message: string,
  ) {
    super(message);
  }
}

export type Driver = (options: ConnectOptions) => Promise<DriverSession>;

export interface TableRow {
  schema: string;
  table: string;
  type: string;
}

export interface ColumnRow {
  schema: string;
  table: string;
  column: string;
  type: string;
  nullable: boolean;
}

/** One column of a primary or foreign key, the rows of one key in the key's order. */
export interface KeyRow {
  schema: string;
  table: string;
  kind: 'primary' | 'foreign';
  /** What tells one foreign key of a table from another: its name, or the catalog's number for it. */
  key: string;
  name: string | null;
  column: string;
  /** The column it references (foreign keys only). */
  referencedSchema: string | null;
  referencedTable: string | null;
  referencedColumn: string | null;
}

/** A comment on a table (`column` null) or on one of its columns. */
export interface CommentRow {
  schema: string;
  table: string;
  column: string | null;
  comment: string;
}

export interface RowCountRow {
  schema: string;
  table: string;
  rows: number;
}

/** What a dialect's catalog tells beyond tables and columns: a kind left out is one it does not tell. */
export interface CatalogDetails {
  keys?: KeyRow[];
  comments?: CommentRow[];
  rowCounts?: RowCountRow[];
}

/**
 * Groups rows of tables, columns and their details into schemas, in one pass over each. Every
 * driver's catalog goes through here: comments and type names are cut to CATALOG_TEXT_MAX here,
 * whatever the driver's SQL cut already.
 */
export function groupSchemas(
  schemaNames: string[],
  tables: TableRow[],
  columns: ColumnRow[],
  details: CatalogDetails = {},
): SchemaInfo[] {
  const bySchema = new Map<string, Map<string, TableInfo>>(schemaNames.map((name) => [name, new Map()]));
  const tableOf = (row: { schema: string; table: string }) => bySchema.get(row.schema)?.get(row.table);
  for (const row of tables) {
    bySchema.get(row.schema)?.set(row.table, {
      name: row.table,
      type: /view/i.test(row.type) ? 'view' : 'table',
      columns: [],
      comment: null,
      estimatedRowCount: null,
      primaryKey: details.keys ? [] : null,
      foreignKeys: details.keys ? [] : null,
    });
  }
  for (const row of columns)
    tableOf(row)?.columns.push({
      name: row.column,
      type: boundedText(row.type),
      nullable: row.nullable,
      comment: null,
    });
  addKeys(tableOf, details.keys ?? []);
  for (const row of details.comments ?? []) {
    const table = tableOf(row);
    if (!table) continue;
    const comment = boundedText(row.comment);
    if (row.column === null) table.comment = comment;
    else {
      const column = table.columns.find((candidate) => candidate.name === row.column);
      if (column) column.comment = comment;
    }
  }
  for (const row of details.rowCounts ?? []) {
    const table = tableOf(row);
    if (table) table.estimatedRowCount = row.rows;
  }
  return [...bySchema].map(([name, tableMap]) => ({ name, tables: [...tableMap.values()] }));
}

/** Each key row onto its table: a primary key's columns in order, a foreign key's gathered by its key. */
function addKeys(tableOf: (row: KeyRow) => TableInfo | undefined, keys: KeyRow[]): void {
  const foreignKeys = new Map<TableInfo, Map<string, ForeignKeyInfo>>();
  for (const row of keys) {
    const table = tableOf(row);
    if (!table) continue;
    if (row.kind === 'primary') {
      table.primaryKey?.push(row.column);
      continue;
    }
    const ofTable = foreignKeys.get(table) ?? new Map<string, ForeignKeyInfo>();
    foreignKeys.set(table, ofTable);
    let foreignKey = ofTable.get(row.key);
    if (!foreignKey) {
      foreignKey = {
        name: row.name,
        columns: [],
        referencedSchema: row.referencedSchema ?? row.schema,
        referencedTable: row.referencedTable ?? '',
        referencedColumns: [],
      };
      ofTable.set(row.key, foreignKey);
      table.foreignKeys?.push(foreignKey);
    }
    foreignKey.columns.push(row.column);
    foreignKey.referencedColumns.push(row.referencedColumn ?? '');
  }
}
