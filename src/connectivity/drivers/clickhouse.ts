/**
 * ClickHouse over its HTTP interface (port 8123, or 8443 with `secure=true`): the interface every
 * ClickHouse client but the native one uses, and the only one a guarded, tunnelled connection
 * needs no further library for. Its "schemas" are its databases.
 */

import { authorityOf } from '../target.ts';
import { firstCharsSql } from './catalog-text.ts';
import { type Driver, DriverFailure } from './driver.ts';
import { HttpError, requestJson } from './http.ts';
import { lowerKeys, sqlList, sqlSession, sqlString } from './sql.ts';

/** ClickHouse's substring that counts characters (its `substring` counts bytes): for comments and type names. */
const UTF8 = 'substringUTF8';

const SYSTEM_DATABASES = "('system', 'INFORMATION_SCHEMA', 'information_schema')";

/** ClickHouse's exception codes: unknown database, unknown user, wrong password, authentication, access. */
function classify(error: HttpError): DriverFailure | HttpError {
  const code = Number(/Code: (\d+)/.exec(error.body)?.[1]);
  const message = error.body.replace(/\s+/g, ' ').trim().slice(0, 300);
  if (code === 81) return new DriverFailure('database_not_found', message);
  if ([192, 193, 194, 516].includes(code)) return new DriverFailure('authentication_failed', message);
  if (code === 497) return new DriverFailure('permission_denied', message);
  return error;
}

export const clickhouseDriver: Driver = async ({ target, network, timeoutMs, tlsMode, tls }) => {
  const base = `${tlsMode === 'off' ? 'http' : 'https'}://${authorityOf(target.host, target.port)}/`;
  const database = target.database ?? 'default';
  const headers = {
    'x-clickhouse-user': target.user ?? 'default',
    ...(target.password !== undefined && { 'x-clickhouse-key': target.password }),
  };
  const run = async (sql: string) => {
    try {
      const answer = await requestJson<{ data: Record<string, unknown>[] }>(
        `${base}?database=${encodeURIComponent(database)}&max_execution_time=${Math.ceil(timeoutMs / 1000)}`,
        { network, timeoutMs, tls, tlsMode, method: 'POST', headers, body: `${sql} FORMAT JSON` },
      );
      return answer.data.map(lowerKeys);
    } catch (error) {
      throw error instanceof HttpError ? classify(error) : error;
    }
  };
  const databases = target.database
    ? `SELECT name FROM system.databases WHERE name = ${sqlString(target.database, 'backslash-escapes')}`
    : `SELECT name FROM system.databases WHERE name NOT IN ${SYSTEM_DATABASES} ORDER BY name`;
  return sqlSession(
    run,
    {
      version: 'SELECT version() AS v',
      schemas: databases,
      everySchema: 'SELECT name FROM system.databases',
      tables: (schemas) =>
        `SELECT database AS schema, name AS table, if(engine LIKE '%View', 'view', 'table') AS type
         FROM system.tables WHERE database IN (${sqlList(schemas, 'backslash-escapes')}) ORDER BY database, name`,
      // In each table's order of definition (system.columns has no position before ClickHouse 19).
      columns: (schemas) =>
        `SELECT database AS schema, table, name AS column, ${firstCharsSql('type', UTF8)} AS type, type LIKE 'Nullable(%' AS nullable
         FROM system.columns WHERE database IN (${sqlList(schemas, 'backslash-escapes')})`,
      // ClickHouse has no foreign keys, and its primary key orders and indexes rows without making
      // them unique: it is not told as one. Tables' comments (system.tables.comment) came after 18.16.
      comments: (schemas) =>
        `SELECT database AS schema, table, name AS column, ${firstCharsSql('comment', UTF8)} AS comment FROM system.columns
         WHERE database IN (${sqlList(schemas, 'backslash-escapes')}) AND comment != ''`,
      // The rows of the active parts of MergeTree tables; other engines keep no such count.
      rowCounts: (schemas) =>
        `SELECT database AS schema, table, sum(rows) AS rows FROM system.parts
         WHERE active AND database IN (${sqlList(schemas, 'backslash-escapes')}) GROUP BY database, table`,
    },
    async () => {},
  );
};
