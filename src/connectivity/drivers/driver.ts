/** What the service needs from a database driver to test a connection and list what it holds. */
import type { Duplex } from 'node:stream';
import type { TlsMode } from '../../dialects/registry.ts';
import type { TlsMaterial } from '../route.ts';
import type { Target } from '../target.ts';

export interface ColumnInfo {
  name: string;
  type: string;
  nullable: boolean;
}

export interface TableInfo {
  name: string;
  type: 'table' | 'view';
  columns: ColumnInfo[];
}

export interface SchemaInfo {
  name: string;
  tables: TableInfo[];
}

export interface DriverSession {
  serverVersion(): Promise<string>;
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
  target: Target;
  /** The checked IP address to connect to, in place of the host name. */
  address: string;
  /** For the connection and for each statement. */
  timeoutMs: number;
  /** What the URI asks of TLS, and the certificates to use. */
  tlsMode: TlsMode;
  tls: TlsMaterial | null;
  /** A stream already connected to the database (an SSH channel), in place of a TCP connection to `address`. */
  stream?: Duplex;
}

export type Driver = (options: ConnectOptions) => Promise<DriverSession>;

/** Groups rows of (schema, table, type) and (schema, table, column…) into schemas. */
export function groupSchemas(
  schemaNames: string[],
  tables: { schema: string; table: string; type: string }[],
  columns: { schema: string; table: string; column: string; type: string; nullable: boolean }[],
): SchemaInfo[] {
  const bySchema = new Map<string, Map<string, TableInfo>>(schemaNames.map((name) => [name, new Map()]));
  for (const row of tables) {
    bySchema.get(row.schema)?.set(row.table, {
      name: row.table,
      type: /view/i.test(row.type) ? 'view' : 'table',
      columns: [],
    });
  }
  for (const row of columns) {
    bySchema
      .get(row.schema)
      ?.get(row.table)
      ?.columns.push({ name: row.column, type: row.type, nullable: row.nullable });
  }
  return [...bySchema].map(([name, tableMap]) => ({ name, tables: [...tableMap.values()] }));
}
