/**
 * Trino through its client REST protocol (POST /v1/statement, then each nextUri until the query
 * ends): what every Trino client speaks. Its schemas are those of the URI's catalog
 * (trino://user@host:8080/catalog/schema).
 */

import { authorityOf } from '../target.ts';
import { type Driver, DriverFailure } from './driver.ts';
import { HttpError, requestJson } from './http.ts';
import { type DetailSource, informationSchema, rowsOf, sqlList, sqlSession, sqlString } from './sql.ts';

interface TrinoAnswer {
  nextUri?: string;
  columns?: { name: string }[];
  data?: unknown[][];
  error?: { message: string; errorName: string; errorType: string };
}

const FAILURES: Record<string, 'database_not_found' | 'unknown_schema' | 'permission_denied'> = {
  CATALOG_NOT_FOUND: 'database_not_found',
  SCHEMA_NOT_FOUND: 'unknown_schema',
  PERMISSION_DENIED: 'permission_denied',
};

/** How this service names itself to Trino: its query history's source, and the user agent. */
const CLIENT_NAME = 'database-connection-api';

function classify(error: NonNullable<TrinoAnswer['error']>): Error {
  const failure = FAILURES[error.errorName];
  return failure ? new DriverFailure(failure, error.message) : new Error(`${error.errorName}: ${error.message}`);
}

export const trinoDriver: Driver = async ({ target, network, timeoutMs, tlsMode, tls }) => {
  const [catalog, schema] = (target.database ?? '').split('/');
  const https = tlsMode !== 'off';
  const base = `${https ? 'https' : 'http'}://${authorityOf(target.host, target.port)}`;
  const headers: Record<string, string> = {
    'user-agent': CLIENT_NAME,
    'x-trino-user': target.user ?? CLIENT_NAME,
    'x-trino-source': CLIENT_NAME,
    ...(catalog && { 'x-trino-catalog': catalog }),
    ...(schema && { 'x-trino-schema': schema }),
    // Trino takes a password only over HTTPS: over HTTP it is never sent.
    ...(https &&
      target.password !== undefined && {
        authorization: `Basic ${Buffer.from(`${target.user ?? ''}:${target.password}`).toString('base64')}`,
      }),
  };
  const options = { network, timeoutMs, tls, tlsMode, headers };
  const run = async (sql: string) => {
    // The rows of each page, kept as arrays: Trino names the columns once it has them.
    const values: unknown[][] = [];
    let columns: string[] = [];
    try {
      let answer = await requestJson<TrinoAnswer>(`${base}/v1/statement`, {
        ...options,
        method: 'POST',
        body: sql,
        // The statement as text, labelled as Trino's own client (StatementClientV1) labels it.
        headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' },
      });
      for (;;) {
        if (answer.error) throw classify(answer.error);
        if (answer.columns) columns = answer.columns.map((column) => column.name);
        for (const row of answer.data ?? []) values.push(row);
        if (!answer.nextUri) return rowsOf(columns, values);
        // The coordinator names the next page: it must stay on the same server.
        const next = new URL(answer.nextUri);
        answer = await requestJson<TrinoAnswer>(`${base}${next.pathname}${next.search}`, options);
      }
    } catch (error) {
      if (error instanceof HttpError && error.status === 401)
        throw new DriverFailure('authentication_failed', error.message);
      throw error;
    }
  };
  const catalogName = catalog || 'system';
  const quoted = `"${catalogName.replaceAll('"', '""')}"`;
  return sqlSession(
    run,
    {
      // Trino resolves a catalog when a statement names it (one only in X-Trino-Catalog may go
      // unchecked): naming it makes a test fail, as discovery would, when it is missing or denied.
      version: `SELECT version() AS v FROM ${quoted}.information_schema.schemata LIMIT 1`,
      // Without a catalog in the URI, the schemas are those of Trino's own `system` catalog.
      ...informationSchema(`${quoted}.`, (alias) => `"${alias}"`),
      comments: trinoComments(catalogName, quoted),
    },
    async () => {},
  );
};

/**
 * The comments the catalog's connector exposes: the tables' in Trino's system.metadata.table_comments,
 * the columns' in the catalog's information_schema.columns (its `comment` column); an empty one is
 * none. Trino's information_schema has no constraints and no statistics: keys and row estimates are
 * not told.
 */
function trinoComments(catalog: string, quoted: string): DetailSource {
  const told = `comment IS NOT NULL AND comment <> ''`;
  return (schemas) =>
    `SELECT schema_name AS "schema", table_name AS "table", CAST(NULL AS varchar) AS "column", comment AS "comment"
     FROM system.metadata.table_comments
     WHERE catalog_name = ${sqlString(catalog)} AND schema_name IN (${sqlList(schemas)}) AND ${told}
     UNION ALL SELECT table_schema, table_name, column_name, comment FROM ${quoted}.information_schema.columns
     WHERE table_schema IN (${sqlList(schemas)}) AND ${told}`;
}
