/**
 * SQL Server through tedious (Microsoft's own TDS driver for Node.js). tedious opens its own
 * socket: it connects to a loopback forward of the connection's network, and checks the
 * certificate against the URI's host (`serverName`).
 */
import type { Connection, ConnectionConfiguration } from 'tedious';
import type { Driver } from './driver.ts';
import { informationSchema, lowerKeys, sqlSession } from './sql.ts';
import { verificationOf } from './tls.ts';

/** tedious's errors, classified: its login failures carry SQL Server's error number. */
function classified(error: Error & { code?: string; number?: number }): Error {
  const message = error.message ?? '';
  if (error.code === 'ELOGIN' && /Cannot open database/i.test(message)) return Object.assign(error, { code: '3D000' });
  if (error.code === 'ELOGIN' || error.number === 18456) return Object.assign(error, { code: '28P01' });
  if (error.code === 'ETIMEOUT') return Object.assign(error, { code: 'ETIMEDOUT' });
  return error;
}

export const mssqlDriver: Driver = async ({ target, network, timeoutMs, tlsMode, tls }) => {
  const tedious = await import('tedious');
  const port = await network.forward(target.host, target.port);
  const verification = verificationOf(tlsMode, tls);
  const trust = /^(yes|true)$/i.test(target.parameters.get('trustservercertificate') ?? '');
  const config: ConnectionConfiguration = {
    server: '127.0.0.1',
    authentication: { type: 'default', options: { userName: target.user, password: target.password } },
    options: {
      port,
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
      ...informationSchema('', (alias) => `[${alias}]`),
      // After the spread: SQL Server lists its own schemas (sys, guest, the db_ roles) beside the user's.
      schemas: `SELECT name FROM sys.schemas WHERE schema_id < 16384 AND name NOT IN ('sys', 'INFORMATION_SCHEMA', 'guest') ORDER BY name`,
      everySchema: 'SELECT name FROM sys.schemas',
    },
    async () => {
      connection.close();
    },
  );
};
