/** What the service needs from a database driver to test a connection and list what it holds. */
import type { TlsMode } from '../../dialects/registry.ts';
import type { TestFailureCode } from '../errors.ts';
import type { Network } from '../network.ts';
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
