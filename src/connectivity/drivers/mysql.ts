/** MySQL and MariaDB through mysql2. Their "schema" is the database the URI names. */
import { checkServerIdentity, type TLSSocket } from 'node:tls';
import { firstCharsSql } from './catalog-text.ts';
import { type ConnectOptions, type Driver, groupSchemas, type SchemaInfo } from './driver.ts';
import { readDetails } from './sql.ts';
import { type Verification, verificationOf } from './tls.ts';

/**
 * The details beyond tables and columns, from information_schema over the schemas in `?`. A
 * primary key's constraint is always named PRIMARY; key columns with a referenced table are
 * foreign keys', the others unique keys', which are left out.
 */
const KEYS = `SELECT table_schema AS \`schema\`, table_name AS \`table\`,
    IF(constraint_name = 'PRIMARY', 'primary', 'foreign') AS kind, constraint_name AS \`key\`, constraint_name AS name,
    column_name AS \`column\`, referenced_table_schema AS referenced_schema, referenced_table_name AS referenced_table,
    referenced_column_name AS referenced_column
  FROM information_schema.key_column_usage
  WHERE table_schema IN (?) AND (constraint_name = 'PRIMARY' OR referenced_table_name IS NOT NULL)
  ORDER BY table_schema, table_name, constraint_name, ordinal_position`;
// A view's TABLE_COMMENT is the word VIEW, not a comment. MySQL and MariaDB bound comments themselves
// (2,048 characters a table's, 1,024 a column's); cut all the same, as every dialect's.
const COMMENTS = `SELECT table_schema AS \`schema\`, table_name AS \`table\`, NULL AS \`column\`, ${firstCharsSql('table_comment')} AS \`comment\`
  FROM information_schema.tables WHERE table_schema IN (?) AND table_type <> 'VIEW' AND table_comment <> ''
  UNION ALL
  SELECT table_schema, table_name, column_name, ${firstCharsSql('column_comment')}
  FROM information_schema.columns WHERE table_schema IN (?) AND column_comment <> ''`;
// TABLE_ROWS is the storage engine's estimate (InnoDB's from sampled pages; MySQL 8 caches it up to a day).
const ROW_COUNTS = `SELECT table_schema AS \`schema\`, table_name AS \`table\`, table_rows AS \`rows\`
  FROM information_schema.tables WHERE table_schema IN (?) AND table_type = 'BASE TABLE'`;

/** COLUMN_TYPE spells out every value of an ENUM or SET: cut in the query (SUBSTR counts characters). */
const ENUM_SAFE_TYPE = firstCharsSql('column_type');

type Connection = Awaited<ReturnType<typeof import('mysql2/promise').createConnection>>;
type Query = <Row>(sql: string, values?: unknown[]) => Promise<Row[]>;

export const mysqlDriver: Driver = async (options) => {
  const { target, timeoutMs } = options;
  const connection = await connect(options);
  const query: Query = async <Row>(sql: string, values: unknown[] = []) =>
    (await connection.query({ sql, values, timeout: timeoutMs }))[0] as Row[];
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
      const names = schemas.length > 0 ? schemas : await schemaNames(query, target.database);
      return names.length === 0 ? [] : await introspect(query, names);
    },
    close: () => connection.end(),
  };
};

/** A connection whose server has shown the certificate `tlsMode` asks for. */
async function connect({ target, network, timeoutMs, tlsMode, tls }: ConnectOptions): Promise<Connection> {
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
  await checkHostName(connection, target.host, verification);
  return connection;
}

/**
 * mysql2 checks the name only for host names: for an IP address in the URI, it checks the
 * certificate against "localhost". Checks the URI's host here, before any query; ends the
 * connection when the certificate is not its.
 */
async function checkHostName(connection: Connection, host: string, verification: Verification) {
  if (verification !== 'full') return;
  const socket = (connection as unknown as { connection: { stream: TLSSocket } }).connection.stream;
  const mismatch = checkServerIdentity(host, socket.getPeerCertificate());
  if (mismatch) {
    await connection.end().catch(() => {});
    throw mismatch;
  }
}

/** The database the URI names, or every one but the system's. */
async function schemaNames(query: Query, database: string | undefined): Promise<string[]> {
  if (database) return [database];
  const rows = await query<{ name: string }>(
    `SELECT schema_name AS name FROM information_schema.schemata
     WHERE schema_name NOT IN ('information_schema', 'mysql', 'performance_schema', 'sys') ORDER BY 1`,
  );
  return rows.map((row) => row.name);
}

async function introspect(query: Query, names: string[]): Promise<SchemaInfo[]> {
  const tables = await query<{ schema: string; table: string; type: string }>(
    `SELECT table_schema AS \`schema\`, table_name AS \`table\`, table_type AS type FROM information_schema.tables
     WHERE table_schema IN (?) ORDER BY 1, 2`,
    [names],
  );
  const columns = await query<{ schema: string; table: string; column: string; type: string; nullable: number }>(
    `SELECT table_schema AS \`schema\`, table_name AS \`table\`, column_name AS \`column\`, ${ENUM_SAFE_TYPE} AS type,
            is_nullable = 'YES' AS nullable
     FROM information_schema.columns WHERE table_schema IN (?) ORDER BY table_schema, table_name, ordinal_position`,
    [names],
  );
  const details = await readDetails({
    keys: () => query(KEYS, [names]),
    comments: () => query(COMMENTS, [names, names]),
    rowCounts: () => query(ROW_COUNTS, [names]),
  });
  return groupSchemas(
    names,
    tables,
    columns.map((column) => ({ ...column, nullable: Boolean(column.nullable) })),
    details,
  );
}
