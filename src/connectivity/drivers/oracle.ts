/**
 * Oracle through node-oracledb in Thin mode (pure JavaScript, no Instant Client). It opens its own
 * sockets: it reaches the database through a loopback forward of the connection's network, or over
 * TLS (`protocol=tcps`) through a loopback HTTPS proxy that opens a tunnel to the URI's host only,
 * so that TLS checks that host's name; a listener's redirect goes through the network as well. The
 * URI names the service (`oracle://user:pw@host:1521/?service_name=FREEPDB1`) or, as SQLAlchemy
 * reads a path, the SID.
 */
import type { Connection } from 'oracledb';
import type { TlsMaterial } from '../route.ts';
import { InvalidTargetError } from '../target.ts';
import { ORACLE_TYPE } from './column-types.ts';
import type { Driver } from './driver.ts';
import { withOracleNetwork } from './oracle-transport.ts';
import { type Catalog, lowerKeys, partsOf, sqlList, sqlSession } from './sql.ts';

/** ORA- and NJS- errors, classified. */
function classified(error: Error & { code?: string; errorNum?: number }): Error {
  const message = error.message ?? '';
  if (/^ORA-01017|^ORA-28000|^ORA-01005/.test(message)) return Object.assign(error, { code: '28P01' });
  if (/^ORA-12514|^ORA-12505|^NJS-518|^NJS-519/.test(message)) return Object.assign(error, { code: '3D000' });
  if (/^NJS-510|^ORA-12170|timed out/i.test(message)) return Object.assign(error, { code: 'ETIMEDOUT' });
  if (/^NJS-5(?:0[3-9]|1[0-9]).*(certificate|TLS|SSL)/is.test(message))
    return Object.assign(error, { code: 'ERR_TLS' });
  if (/^ORA-01031|^ORA-01045/.test(message)) return Object.assign(error, { code: '42501' });
  return error;
}

/** A wallet in PEM: oracledb takes a CA only with the client certificate and key beside it. */
const walletOf = (tls: TlsMaterial | null) =>
  tls?.caCertificate && tls.clientCertificate && tls.clientKey
    ? `${tls.clientKey}\n${tls.clientCertificate}\n${tls.caCertificate}`
    : undefined;

/**
 * A value as the connect descriptor takes it: plain text, none of its syntax (`(`, `)`, `=`…),
 * which would add to the descriptor, another ADDRESS among it. The URI's rules refused such
 * values already (src/dialects/uri-rules.ts); the descriptor is written from checked values only.
 */
function atom(name: string, value: string): string {
  if (!/^[A-Za-z0-9_.$:-]*$/.test(value))
    throw new InvalidTargetError(`its ${name} cannot be written into Oracle's connect descriptor`);
  return value;
}

/**
 * Oracle's dictionary: users are its schemas; tables, views and columns (their types written whole
 * from ALL_TAB_COLUMNS' parts: ./column-types.ts); primary keys (constraint type P) and foreign
 * keys (R, whose columns pair with those of the key they reference by position) from
 * ALL_CONSTRAINTS and ALL_CONS_COLUMNS; comments from ALL_TAB_COMMENTS and ALL_COL_COMMENTS;
 * ALL_TABLES.NUM_ROWS, which the last gathering of statistics wrote (null before any).
 */
export const ORACLE_CATALOG: Catalog = {
  version: null,
  schemas: `SELECT username AS name FROM all_users WHERE oracle_maintained = 'N' ORDER BY 1`,
  everySchema: 'SELECT username AS name FROM all_users',
  tables: (schemas) =>
    `SELECT owner AS "schema", table_name AS "table", 'table' AS type FROM all_tables WHERE owner IN (${sqlList(schemas)})
     UNION ALL SELECT owner, view_name, 'view' FROM all_views WHERE owner IN (${sqlList(schemas)}) ORDER BY 1, 2`,
  columns: (schemas) =>
    `SELECT owner AS "schema", table_name AS "table", column_name AS "column", data_type AS type, ${partsOf(ORACLE_TYPE)}nullable
     FROM all_tab_columns WHERE owner IN (${sqlList(schemas)}) ORDER BY owner, table_name, column_id`,
  typeInParts: ORACLE_TYPE,
  keys: (schemas) =>
    `SELECT c.owner AS "schema", c.table_name AS "table", CASE c.constraint_type WHEN 'P' THEN 'primary' ELSE 'foreign' END AS kind,
       c.constraint_name AS "key", c.constraint_name AS name, cc.column_name AS "column",
       r.owner AS referenced_schema, r.table_name AS referenced_table, rc.column_name AS referenced_column
     FROM all_constraints c
     JOIN all_cons_columns cc ON cc.owner = c.owner AND cc.constraint_name = c.constraint_name
     LEFT JOIN all_constraints r ON r.owner = c.r_owner AND r.constraint_name = c.r_constraint_name
     LEFT JOIN all_cons_columns rc ON rc.owner = r.owner AND rc.constraint_name = r.constraint_name AND rc.position = cc.position
     WHERE c.constraint_type IN ('P', 'R') AND c.owner IN (${sqlList(schemas)})
     ORDER BY 1, 2, 4, cc.position`,
  comments: (schemas) =>
    `SELECT owner AS "schema", table_name AS "table", NULL AS "column", comments AS "comment" FROM all_tab_comments
     WHERE owner IN (${sqlList(schemas)}) AND comments IS NOT NULL
     UNION ALL SELECT owner, table_name, column_name, comments FROM all_col_comments
     WHERE owner IN (${sqlList(schemas)}) AND comments IS NOT NULL`,
  rowCounts: (schemas) =>
    `SELECT owner AS "schema", table_name AS "table", num_rows AS "rows" FROM all_tables
     WHERE owner IN (${sqlList(schemas)}) AND num_rows IS NOT NULL`,
};

export const oracleDriver: Driver = async ({ target, network, timeoutMs, tlsMode, tls }) => {
  const { default: oracledb } = await import('oracledb');
  const service = target.parameters.get('service_name');
  const data = service
    ? `(SERVICE_NAME=${atom('service_name', service)})`
    : `(SID=${atom('database', target.database ?? '')})`;
  // oracledb takes a proxy only for TCPS; plain TCP goes to a loopback forward of the host.
  const tcps = tlsMode !== 'off';
  const port = tcps ? await network.proxy(target.host, target.port) : await network.forward(target.host, target.port);
  const address = tcps
    ? `(ADDRESS=(PROTOCOL=TCPS)(HOST=${atom('host', target.host)})(PORT=${target.port})(HTTPS_PROXY=127.0.0.1)(HTTPS_PROXY_PORT=${port}))`
    : `(ADDRESS=(PROTOCOL=TCP)(HOST=127.0.0.1)(PORT=${port}))`;
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  let connection: Connection;
  try {
    // A listener's REDIRECT is followed through the network too (./oracle-transport.ts).
    connection = await withOracleNetwork(network, port, () =>
      oracledb.getConnection({
        user: target.user,
        password: target.password,
        connectString: `(DESCRIPTION=(CONNECT_TIMEOUT=${seconds})${address}(CONNECT_DATA=${data}))`,
        walletContent: walletOf(tls),
      }),
    );
  } catch (error) {
    throw classified(error as Error);
  }
  connection.callTimeout = timeoutMs;
  const run = async (sql: string) => {
    try {
      const result = await connection.execute<Record<string, unknown>>(sql, [], {
        outFormat: oracledb.OUT_FORMAT_OBJECT,
      });
      return (result.rows ?? []).map(lowerKeys);
    } catch (error) {
      throw classified(error as Error);
    }
  };
  return {
    ...sqlSession(run, ORACLE_CATALOG, () => connection.close()),
    // A ping is Oracle's cheapest round trip; the version came with the login.
    async serverVersion() {
      await connection.ping();
      return connection.oracleServerVersionString ?? null;
    },
  };
};
