/** MySQL and MariaDB through mysql2. Their "schema" is the database the URI names. */
import { checkServerIdentity, type TLSSocket } from 'node:tls';
import { type Driver, groupSchemas } from './driver.ts';
import { verificationOf } from './tls.ts';

export const mysqlDriver: Driver = async ({ target, network, timeoutMs, tlsMode, tls }) => {
  const verification = verificationOf(tlsMode, tls);
  // Loaded on the first MySQL test, not at start: 6 MB of memory most instances never need.
  const { default: mysql } = await import('mysql2/promise');
  const connection = await mysql.createConnection({
    // mysql2 checks the certificate against `host`: the URI's host name. The stream it talks over
    // goes to the checked address (or through the tunnel).
    host: target.host,
    port: target.port,
    stream: await network.connect(target.host, target.port),
    user: target.user,
    password: target.password,
    database: target.database,
    ssl:
      tlsMode === 'off'
        ? undefined
        : {
            ca: tls?.caCertificate ?? undefined,
            cert: tls?.clientCertificate ?? undefined,
            key: tls?.clientKey ?? undefined,
            rejectUnauthorized: verification !== 'none',
            verifyIdentity: verification === 'full',
          },
    connectTimeout: timeoutMs,
  });
  connection.on('error', () => {});
  if (verification === 'full') {
    // mysql2 checks the name only for host names: for an IP address in the URI, it checks the
    // certificate against "localhost". Check the URI's host here, before any query.
    const socket = (connection as unknown as { connection: { stream: TLSSocket } }).connection.stream;
    const mismatch = checkServerIdentity(target.host, socket.getPeerCertificate());
    if (mismatch) {
      await connection.end().catch(() => {});
      throw mismatch;
    }
  }
  const query = async <Row>(sql: string, values: unknown[] = []) =>
    (await connection.query({ sql, values, timeout: timeoutMs }))[0] as Row[];
  const schemaNames = async () =>
    target.database
      ? [target.database]
      : (
          await query<{ name: string }>(
            `SELECT schema_name AS name FROM information_schema.schemata
           WHERE schema_name NOT IN ('information_schema', 'mysql', 'performance_schema', 'sys') ORDER BY 1`,
          )
        ).map((row) => row.name);
  return {
    serverVersion: async () => (await query<{ v: string }>('SELECT VERSION() AS v'))[0]?.v ?? '',
    async missingSchemas(names) {
      const existing = await query<{ name: string }>(
        'SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name IN (?)',
        [names],
      );
      return names.filter((name) => !existing.some((row) => row.name === name));
    },
    async introspect(schemas) {
      const names = schemas.length > 0 ? schemas : await schemaNames();
      if (names.length === 0) return [];
      const tables = await query<{ schema: string; table: string; type: string }>(
        `SELECT table_schema AS \`schema\`, table_name AS \`table\`, table_type AS type FROM information_schema.tables
         WHERE table_schema IN (?) ORDER BY 1, 2`,
        [names],
      );
      const columns = await query<{ schema: string; table: string; column: string; type: string; nullable: number }>(
        `SELECT table_schema AS \`schema\`, table_name AS \`table\`, column_name AS \`column\`, column_type AS type,
                is_nullable = 'YES' AS nullable
         FROM information_schema.columns WHERE table_schema IN (?) ORDER BY table_schema, table_name, ordinal_position`,
        [names],
      );
      return groupSchemas(
        names,
        tables,
        columns.map((column) => ({ ...column, nullable: Boolean(column.nullable) })),
      );
    },
    close: () => connection.end(),
  };
};
