/**
 * Google's OAuth token endpoint (a service account's JWT grant) and BigQuery's REST API v2
 * (jobs.query, datasets.list), with Google's documented error bodies.
 */
import { createPublicKey, verify } from 'node:crypto';
import { answerSql, type Handler, WAREHOUSE } from './server.ts';

const ACCESS_TOKEN = 'ya29.test-token';

const googleError = (status: number, message: string, reason: string) => ({
  status,
  body: {
    error: { code: status, message, errors: [{ message, domain: 'global', reason }], status: reason.toUpperCase() },
  },
});

/** Project `analytics` exists; tokens are granted to JWTs signed by `publicKeyPem`. */
export function bigqueryHandler(publicKeyPem: string): Handler {
  return (request) => {
    const url = new URL(request.path, 'http://x');
    if (url.pathname === '/token') {
      const assertion = new URLSearchParams(request.body).get('assertion') ?? '';
      const [header, payload, signature] = assertion.split('.');
      const valid =
        header &&
        payload &&
        signature &&
        verify(
          'RSA-SHA256',
          Buffer.from(`${header}.${payload}`),
          createPublicKey(publicKeyPem),
          Buffer.from(signature, 'base64url'),
        );
      return valid
        ? { body: { access_token: ACCESS_TOKEN, expires_in: 3599, token_type: 'Bearer' } }
        : { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } };
    }
    if (request.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) {
      return googleError(401, 'Request had invalid authentication credentials.', 'unauthenticated');
    }
    const project = /^\/bigquery\/v2\/projects\/([^/]+)\//.exec(url.pathname)?.[1];
    if (project === 'locked')
      return googleError(
        403,
        'Access Denied: Project locked: User does not have bigquery.jobs.create permission.',
        'accessDenied',
      );
    if (project !== 'analytics') return googleError(404, `Not found: Project ${project}`, 'notFound');
    if (url.pathname.endsWith('/datasets')) {
      // Two pages, as datasets.list pages them: an empty "staging" first, then "sales".
      const second = url.searchParams.get('pageToken') === 'page-2';
      return {
        body: {
          kind: 'bigquery#datasetList',
          datasets: [{ datasetReference: { projectId: project, datasetId: second ? 'sales' : 'staging' } }],
          ...(!second && { nextPageToken: 'page-2' }),
        },
      };
    }
    if (url.pathname.endsWith('/queries')) {
      const sql: string = JSON.parse(request.body).query;
      const rows = /INFORMATION_SCHEMA\.TABLES/.test(sql)
        ? { columns: ['schema', 'table', 'type', 'position'], rows: WAREHOUSE.tables.map((row) => [...row, row[1]]) }
        : /INFORMATION_SCHEMA\.COLUMNS/.test(sql)
          ? {
              columns: ['schema', 'table', 'column', 'type', 'nullable', 'position'],
              rows: WAREHOUSE.columns.map((row, i) => [...row, i]),
            }
          : answerSql(sql, '');
      if (!rows) return googleError(400, 'Syntax error', 'invalidQuery');
      return {
        body: {
          kind: 'bigquery#queryResponse',
          jobComplete: true,
          schema: { fields: rows.columns.map((name) => ({ name, type: 'STRING' })) },
          rows: rows.rows.map((row) => ({ f: row.map((v) => ({ v: String(v) })) })),
          totalRows: String(rows.rows.length),
        },
      };
    }
    return googleError(404, 'Not found', 'notFound');
  };
}
