/** PostgreSQL through pg. */
import pg from 'pg';
import { firstCharsSql } from './catalog-text.ts';
import { type ConnectOptions, type Driver, groupSchemas, type SchemaInfo } from './driver.ts';
import { readDetails } from './sql.ts';
import { tlsOptions } from './tls.ts';

const SYSTEM_SCHEMAS = `schema_name NOT IN ('information_schema', 'pg_catalog', 'pg_toast') AND schema_name NOT LIKE 'pg_temp_%' AND schema_name NOT LIKE 'pg_toast_temp_%'`;

/**
 * The details beyond tables and columns, read from pg_catalog over the schemas in $1. Only what
 * PostgreSQL 8.0 already had (Redshift's leader node answers catalog queries as 8.0 did): no
 * unnest or LATERAL; a key's n-th column is conkey[n], n from a series up to 32, PostgreSQL's
 * most columns in a key (INDEX_MAX_KEYS).
 */
const KEYS = `SELECT n.nspname AS schema, t.relname AS table, CASE c.contype WHEN 'p' THEN 'primary' ELSE 'foreign' END AS kind,
    c.conname AS key, c.conname AS name, a.attname AS column,
    rn.nspname AS referenced_schema, rt.relname AS referenced_table, ra.attname AS referenced_column
  FROM pg_catalog.pg_constraint c
  JOIN pg_catalog.pg_class t ON t.oid = c.conrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
  JOIN generate_series(1, 32) AS k(i) ON k.i <= array_upper(c.conkey, 1)
  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[k.i]
  LEFT JOIN pg_catalog.pg_class rt ON rt.oid = c.confrelid
  LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rt.relnamespace
  LEFT JOIN pg_catalog.pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[k.i]
  WHERE c.contype IN ('p', 'f') AND n.nspname = ANY($1)
  ORDER BY 1, 2, 4, k.i`;
/**
 * The columns information_schema lists (those of tables the user may use), each with its type as
 * PostgreSQL writes it: format_type of pg_attribute's type and modifier (`character varying(10)`,
 * `numeric(10,2)`, `integer[]`, an enum by its name), where information_schema's data_type says
 * only `character varying`, `numeric`, `ARRAY`, `USER-DEFINED`. A column's ordinal_position is its attnum;
 * format_type is as old as PostgreSQL 7.1, and Redshift has it.
 */
const COLUMNS = `SELECT c.table_schema AS schema, c.table_name AS table, c.column_name AS column,
    ${firstCharsSql('pg_catalog.format_type(a.atttypid, a.atttypmod)')} AS type, c.is_nullable = 'YES' AS nullable
  FROM information_schema.columns c
  JOIN pg_catalog.pg_namespace n ON n.nspname = c.table_schema
  JOIN pg_catalog.pg_class t ON t.relnamespace = n.oid AND t.relname = c.table_name
  JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum = c.ordinal_position
  WHERE c.table_schema = ANY($1) ORDER BY c.table_schema, c.table_name, c.ordinal_position`;
// objsubid is the column's number, 0 for the table's own comment. A comment is cut in the query (substr
// counts characters, and PostgreSQL 8.0 had it): a 10 MB one stays in the database.
const COMMENTS = `SELECT n.nspname AS schema, t.relname AS table, a.attname AS column, ${firstCharsSql('d.description')} AS comment
  FROM pg_catalog.pg_description d
  JOIN pg_catalog.pg_class t ON t.oid = d.objoid
  JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
  LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.objsubid AND d.objsubid > 0
  WHERE d.classoid = 'pg_catalog.pg_class'::regclass AND n.nspname = ANY($1)`;
// reltuples is what the last VACUUM or ANALYZE saw; -1 (PostgreSQL 14 and later) for never, which reads as unknown.
const ROW_COUNTS = `SELECT n.nspname AS schema, t.relname AS table, t.reltuples AS rows
  FROM pg_catalog.pg_class t JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
  WHERE t.relkind IN ('r', 'p', 'm', 'f') AND n.nspname = ANY($1)`;

/** PostgreSQL, and Redshift (whose protocol is PostgreSQL's). */
export const postgresqlDriver: Driver = async (options) => {
  const client = await connect(options);
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
    introspect: async (schemas) => introspect(client, schemas.length > 0 ? schemas : await schemaNames(client)),
    close: () => client.end(),
  };
};

async function connect({ target, network, timeoutMs, tlsMode, tls }: ConnectOptions): Promise<pg.Client> {
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
  return client;
}

/** Every schema but the system's. */
async function schemaNames(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT schema_name AS name FROM information_schema.schemata WHERE ${SYSTEM_SCHEMAS} ORDER BY 1`,
  );
  return rows.map((row) => row.name);
}

async function introspect(client: pg.Client, names: string[]): Promise<SchemaInfo[]> {
  const tables = await client.query(
    `SELECT table_schema AS schema, table_name AS table, table_type AS type FROM information_schema.tables
     WHERE table_schema = ANY($1) ORDER BY 1, 2`,
    [names],
  );
  const columns = await client.query(COLUMNS, [names]);
  const rowsOf = async (sql: string) => (await client.query(sql, [names])).rows;
  const details = await readDetails({
    keys: () => rowsOf(KEYS),
    comments: () => rowsOf(COMMENTS),
    rowCounts: () => rowsOf(ROW_COUNTS),
  });
  return groupSchemas(names, tables.rows, columns.rows, details);
}
