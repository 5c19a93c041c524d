/**
 * SQL Server through tedious (Microsoft's own TDS driver for Node.js). tedious opens its own
 * sockets, each through a loopback forward of the connection's network, and checks the
 * certificate against the URI's host (`serverName`).
 */
import { connect, type Socket } from 'node:net';
import type { Connection, ConnectionConfiguration } from 'tedious';
import type { Network } from '../network.ts';
import { MSSQL_TYPE } from './column-types.ts';
import type { Driver } from './driver.ts';
import { type Catalog, informationSchema, lowerKeys, sqlList, sqlSession } from './sql.ts';
import { verificationOf } from './tls.ts';

/** tedious's errors, classified: its login failures carry SQL Server's error number. */
function classified(error: Error & { code?: string; number?: number }): Error {
  const message = error.message ?? '';
  if (error.code === 'ELOGIN' && /Cannot open database/i.test(message)) return Object.assign(error, { code: '3D000' });
  if (error.code === 'ELOGIN' || error.number === 18456) return Object.assign(error, { code: '28P01' });
  if (error.code === 'ETIMEOUT') return Object.assign(error, { code: 'ETIMEDOUT' });
  return error;
}

const inSchemas = (schemas: string[]) => `s.name IN (${sqlList(schemas)})`;

/**
 * What SQL Server's catalog views tell beyond information_schema: primary keys (sys.key_constraints
 * and the columns of their index), foreign keys (sys.foreign_keys, sys.foreign_key_columns), the
 * comments tools write as MS_Description extended properties, and each table's rows as
 * sys.partitions keeps them (its heap or clustered index, every partition).
 */
const MSSQL_DETAILS: Pick<Catalog, 'keys' | 'comments' | 'rowCounts'> = {
  keys: (schemas) =>
    `SELECT s.name AS [schema], t.name AS [table], 'primary' AS kind, k.name AS [key], k.name AS name, c.name AS [column],
       NULL AS referenced_schema, NULL AS referenced_table, NULL AS referenced_column, ic.key_ordinal AS position
     FROM sys.key_constraints AS k
     JOIN sys.tables AS t ON t.object_id = k.parent_object_id
     JOIN sys.schemas AS s ON s.schema_id = t.schema_id
     JOIN sys.index_columns AS ic ON ic.object_id = k.parent_object_id AND ic.index_id = k.unique_index_id
     JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id
     WHERE k.type = 'PK' AND ${inSchemas(schemas)}
     UNION ALL
     SELECT s.name, t.name, 'foreign', f.name, f.name, c.name, rs.name, rt.name, rc.name, fc.constraint_column_id
     FROM sys.foreign_keys AS f
     JOIN sys.tables AS t ON t.object_id = f.parent_object_id
     JOIN sys.schemas AS s ON s.schema_id = t.schema_id
     JOIN sys.foreign_key_columns AS fc ON fc.constraint_object_id = f.object_id
     JOIN sys.columns AS c ON c.object_id = fc.parent_object_id AND c.column_id = fc.parent_column_id
     JOIN sys.tables AS rt ON rt.object_id = fc.referenced_object_id
     JOIN sys.schemas AS rs ON rs.schema_id = rt.schema_id
     JOIN sys.columns AS rc ON rc.object_id = fc.referenced_object_id AND rc.column_id = fc.referenced_column_id
     WHERE ${inSchemas(schemas)}
     ORDER BY 1, 2, 4, 10`,
  // class 1: an object or one of its columns (minor_id, 0 for the object itself).
  comments: (schemas) =>
    `SELECT s.name AS [schema], o.name AS [table], c.name AS [column], CAST(p.value AS nvarchar(max)) AS [comment]
     FROM sys.extended_properties AS p
     JOIN sys.objects AS o ON o.object_id = p.major_id
     JOIN sys.schemas AS s ON s.schema_id = o.schema_id
     LEFT JOIN sys.columns AS c ON c.object_id = p.major_id AND c.column_id = p.minor_id
     WHERE p.class = 1 AND p.name = 'MS_Description' AND o.type IN ('U', 'V') AND ${inSchemas(schemas)}`,
  rowCounts: (schemas) =>
    `SELECT s.name AS [schema], t.name AS [table], SUM(p.rows) AS [rows]
     FROM sys.tables AS t
     JOIN sys.schemas AS s ON s.schema_id = t.schema_id
     JOIN sys.partitions AS p ON p.object_id = t.object_id AND p.index_id IN (0, 1)
     WHERE ${inSchemas(schemas)} GROUP BY s.name, t.name`,
};

/**
 * How tedious opens a socket: to the host and port it is told, the URI's at first, then those a
 * server's routing answer names (Azure SQL's redirection, an availability group's read-only
 * routing), which tedious follows on its own. Each goes through a loopback forward of the network,
 * so the guard (or the bastion) judges every address, a routed one too.
 */
function connectorOf(network: Network) {
  const connector = async ({ host, port }: { host: string; port: number }): Promise<Socket> => {
    const forward = await network.forward(host, port);
    return new Promise((resolve, reject) => {
      const socket = connect(forward, '127.0.0.1', () => resolve(socket)).once('error', reject);
    });
  };
  // tedious passes the address to its connector, which its typings leave out.
  return connector as unknown as NonNullable<ConnectionConfiguration['options']>['connector'];
}

export const mssqlDriver: Driver = async ({ target, network, timeoutMs, tlsMode, tls }) => {
  const tedious = await import('tedious');
  const verification = verificationOf(tlsMode, tls);
  const trust = /^(yes|true)$/i.test(target.parameters.get('trustservercertificate') ?? '');
  const config: ConnectionConfiguration = {
    server: target.host,
    authentication: { type: 'default', options: { userName: target.user, password: target.password } },
    options: {
      port: target.port,
      connector: connectorOf(network),
      database: target.database,
      encrypt: tlsMode !== 'off',
      trustServerCertificate: tlsMode !== 'off' && (trust || verification === 'none'),
      serverName: target.host,
      ...(tls?.caCertificate && { cryptoCredentialsDetails: { ca: tls.caCertificate } }),
      connectTimeout: timeoutMs,
      requestTimeout: timeoutMs,
      appName: 'database-connection-api',
    },
  };
  const connection: Connection = await new Promise((resolve, reject) => {
    const opened = new tedious.Connection(config);
    opened.on('error', () => {});
    opened.connect((error) => (error ? reject(classified(error)) : resolve(opened)));
  });
  const run = (sql: string) =>
    new Promise<Record<string, unknown>[]>((resolve, reject) => {
      const rows: Record<string, unknown>[] = [];
      const request = new tedious.Request(sql, (error) => (error ? reject(classified(error)) : resolve(rows)));
      request.on('row', (columns: { metadata: { colName: string }; value: unknown }[]) =>
        rows.push(lowerKeys(Object.fromEntries(columns.map((column) => [column.metadata.colName, column.value])))),
      );
      connection.execSql(request);
    });
  return sqlSession(
    run,
    {
      version: "SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS v",
      // DATA_TYPE is the bare name: the type is written from its parts (./column-types.ts).
      ...informationSchema('', (alias) => `[${alias}]`, 'data_type', 'standard', MSSQL_TYPE),
      // After the spread: SQL Server lists its own schemas (sys, guest, the db_ roles) beside the user's.
      schemas: `SELECT name FROM sys.schemas WHERE schema_id < 16384 AND name NOT IN ('sys', 'INFORMATION_SCHEMA', 'guest') ORDER BY name`,
      everySchema: 'SELECT name FROM sys.schemas',
      ...MSSQL_DETAILS,
    },
    async () => {
      connection.close();
    },
  );
};
