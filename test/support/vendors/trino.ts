/**
 * Trino's client REST protocol: POST /v1/statement answers a queued query with a nextUri, and
 * GET on it the columns and rows (or the query's error), as the coordinator does.
 */
import { answerSql, type Handler } from './server.ts';

export const TRINO_VERSION = '476';

export function trinoHandler(baseUrl: () => string): Handler {
  const queries = new Map<string, { sql: string; catalog?: string }>();
  return (request) => {
    if (request.method === 'POST' && request.path === '/v1/statement') {
      const id = `q${queries.size + 1}`;
      queries.set(id, { sql: request.body, catalog: request.headers['x-trino-catalog'] as string | undefined });
      return { body: { id, nextUri: `${baseUrl()}/v1/statement/queued/${id}/1`, stats: { state: 'QUEUED' } } };
    }
    const query = queries.get(/\/v1\/statement\/queued\/([^/]+)\//.exec(request.path)?.[1] ?? '');
    if (!query) return { status: 404, body: 'not found', type: 'text/plain' };
    const error = (errorName: string, message: string) => ({
      body: {
        id: 'q',
        stats: { state: 'FAILED' },
        error: { message, errorName, errorType: 'USER_ERROR', errorCode: 44 },
      },
    });
    if (query.catalog === 'nocat') return error('CATALOG_NOT_FOUND', "line 1:15: Catalog 'nocat' not found");
    if (query.catalog === 'secret') return error('PERMISSION_DENIED', 'Access Denied: Cannot access catalog secret');
    const answer = answerSql(query.sql, TRINO_VERSION);
    if (!answer) return error('SYNTAX_ERROR', 'line 1:1: mismatched input');
    return {
      body: {
        id: 'q',
        stats: { state: 'FINISHED' },
        columns: answer.columns.map((name) => ({ name, type: 'varchar' })),
        data: answer.rows,
      },
    };
  };
}
