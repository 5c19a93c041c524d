/** PostgreSQL through pg. */
import pg from 'pg';
import { type Driver, groupSchemas } from './driver.ts';
import { tlsOptions } from './tls.ts';

const SYSTEM_SCHEMAS = `schema_name NOT IN ('information_schema', 'pg_catalog', 'pg_toast') AND schema_name NOT LIKE 'pg_temp_%' AND schema_name NOT LIKE 'pg_toast_temp_%'`;

/** PostgreSQL, and Redshift (whose protocol is PostgreSQL's). */
export const postgresqlDriver: Driver = async ({ target, network, timeoutMs, tlsMode, tls }) => {
  const stream = await network.connect(target.host, target.port);
  const client = new pg.Client({
    stream: () => stream as unknown as import('node:net').Socket,
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password ?? '',
    database: target.database ?? target.user,
    ssl: tlsOptions(tlsMode, tls, target.host) ?? false,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs,
    application_name: 'database-connection-api',
  });
  // A failed connection also emits 'error' later: without a listener it would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
  const schemaNames = async () =>
    (
      await client.query<{ name: string }>(
        `SELECT schema_name AS name FROM information_schema.schemata WHERE ${SYSTEM_SCHEMAS} ORDER BY 1`,
      )
    ).rows.map((row) => row.name);
  return {
    serverVersion: async () =>
      (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '',
    async missingSchemas(names) {
      const missing = await client.query<{ name: string }>(
        'SELECT name FROM unnest($1::text[]) AS name WHERE name NOT IN (SELECT nspname FROM pg_namespace)',
        [names],
      );
      return missing.rows.map((row) => row.name);
    },
    async introspect(schemas) {
      const names = schemas.length > 0 ? schemas : await schemaNames();
      const tables = await client.query(
        `SELECT table_schema AS schema, table_name AS table, table_type AS type FROM information_schema.tables
         WHERE table_schema = ANY($1) ORDER BY 1, 2`,
        [names],
      );
      const columns = await client.query(
        `SELECT table_schema AS schema, table_name AS table, column_name AS column, data_type AS type,
                is_nullable = 'YES' AS nullable
         FROM information_schema.columns WHERE table_schema = ANY($1) ORDER BY table_schema, table_name, ordinal_position`,
        [names],
      );
      return groupSchemas(names, tables.rows, columns.rows);
    },
    close: () => client.end(),
  };
};
