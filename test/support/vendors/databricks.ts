/**
 * The Databricks SQL Statement Execution API (POST /api/2.0/sql/statements), with its documented
 * answers: a statement's state and error, results as JSON arrays of strings, and the HTTP errors
 * of tokens and warehouses.
 */
import { answerSql, type Handler } from './server.ts';

export const DATABRICKS_VERSION = '2025.35';

/** Token dapi-good works, dapi-expired has expired; warehouse abc123 exists. */
export const databricksHandler: Handler = (request) => {
  const token = /^Bearer (.*)$/.exec(request.headers.authorization ?? '')?.[1];
  if (token === 'dapi-expired') return { status: 403, body: { error_code: '403', message: 'Token is expired.' } };
  if (token !== 'dapi-good') return { status: 403, body: { error_code: '403', message: 'Invalid access token.' } };
  if (request.path !== '/api/2.0/sql/statements')
    return { status: 404, body: { error_code: 'ENDPOINT_NOT_FOUND', message: 'No API found' } };
  const { statement, warehouse_id: warehouse, catalog } = JSON.parse(request.body);
  if (warehouse !== 'abc123') {
    return {
      status: 404,
      body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: `SQL warehouse ${warehouse} does not exist.` },
    };
  }
  const failed = (error_code: string, message: string) => ({
    body: { statement_id: 's-1', status: { state: 'FAILED', error: { error_code, message } } },
  });
  if (catalog === 'nocat')
    return failed('NO_SUCH_CATALOG_EXCEPTION', "[NO_SUCH_CATALOG_EXCEPTION] Catalog 'nocat' was not found.");
  const answer = answerSql(statement, DATABRICKS_VERSION);
  if (!answer) return failed('PARSE_SYNTAX_ERROR', '[PARSE_SYNTAX_ERROR] Syntax error');
  return {
    body: {
      statement_id: 's-1',
      status: { state: 'SUCCEEDED' },
      manifest: {
        format: 'JSON_ARRAY',
        schema: {
          column_count: answer.columns.length,
          columns: answer.columns.map((name, position) => ({ name, position })),
        },
      },
      result: { data_array: answer.rows.map((row) => row.map(String)), row_count: answer.rows.length },
    },
  };
};
