/**
 * Databricks SQL warehouses over the Statement Execution API (POST /api/2.0/sql/statements), with
 * a personal access token: databricks://token:<token>@<workspace host>?http_path=/sql/1.0/warehouses/<id>&catalog=…&schema=….
 * @databricks/sql speaks Thrift over HTTP and brings lz4 and Thrift with it; the REST API needs nothing.
 */
import { type Driver, DriverFailure } from './driver.ts';
import { HttpError, requestJson } from './http.ts';
import { informationSchema, rowsOf, sqlSession } from './sql.ts';

interface StatementAnswer {
  status: { state: string; error?: { error_code?: string; message?: string } };
  manifest?: { schema?: { columns?: { name: string }[] } };
  result?: { data_array?: unknown[][] };
}

const STATEMENT_ERRORS: Record<string, ConstructorParameters<typeof DriverFailure>[0]> = {
  NO_SUCH_CATALOG_EXCEPTION: 'database_not_found',
  SCHEMA_NOT_FOUND: 'unknown_schema',
  PERMISSION_DENIED: 'permission_denied',
};

/** The API's answers: 401/403 for the token (expired said as such), 404 for a warehouse not found. */
function classify(error: unknown): unknown {
  if (!(error instanceof HttpError)) return error;
  const body = error.json<{ error_code?: string; message?: string }>();
  const message = body?.message ?? error.message;
  if ((error.status === 401 || error.status === 403) && /expired/i.test(message))
    return new DriverFailure('token_expired', message);
  if (error.status === 401 || (error.status === 403 && /token/i.test(message)))
    return new DriverFailure('authentication_failed', message);
  if (error.status === 403) return new DriverFailure('permission_denied', message);
  if (error.status === 404 || body?.error_code === 'RESOURCE_DOES_NOT_EXIST')
    return new DriverFailure('warehouse_not_found', message);
  return error;
}

export const databricksDriver: Driver = async ({ target, network, timeoutMs, tls }) => {
  const path = target.parameters.get('http_path') ?? '';
  const warehouse = /^\/sql\/1\.0\/(?:warehouses|endpoints)\/([^/]+)$/.exec(path)?.[1];
  if (!warehouse) {
    throw new DriverFailure('warehouse_not_found', 'http_path must name a SQL warehouse: /sql/1.0/warehouses/<id>');
  }
  const catalog = target.parameters.get('catalog') ?? undefined;
  const schema = target.parameters.get('schema') ?? undefined;
  const url = `https://${target.host}:${target.port}/api/2.0/sql/statements`;
  const headers = { authorization: `Bearer ${target.password ?? ''}` };
  const wait = `${Math.min(50, Math.max(5, Math.ceil(timeoutMs / 1000)))}s`;
  const run = async (statement: string) => {
    let answer: StatementAnswer;
    try {
      answer = await requestJson<StatementAnswer>(url, {
        network,
        timeoutMs,
        tls,
        method: 'POST',
        headers,
        body: JSON.stringify({
          statement,
          warehouse_id: warehouse,
          catalog,
          schema,
          wait_timeout: wait,
          on_wait_timeout: 'CANCEL',
          format: 'JSON_ARRAY',
          disposition: 'INLINE',
        }),
      });
    } catch (error) {
      throw classify(error);
    }
    if (answer.status.state !== 'SUCCEEDED') {
      const code = answer.status.error?.error_code ?? answer.status.state;
      const failure = STATEMENT_ERRORS[code];
      const message = `${code}: ${answer.status.error?.message ?? 'the statement did not succeed'}`;
      throw failure
        ? new DriverFailure(failure, message)
        : Object.assign(new Error(message), answer.status.state === 'CANCELED' && { code: 'ETIMEDOUT' });
    }
    return rowsOf(
      (answer.manifest?.schema?.columns ?? []).map((column) => column.name),
      answer.result?.data_array ?? [],
    );
  };
  const inCatalog = catalog ? `\`${catalog.replaceAll('`', '``')}\`.` : '';
  return sqlSession(
    run,
    {
      version: 'SELECT current_version().dbsql_version AS v',
      ...informationSchema(inCatalog, (alias) => `\`${alias}\``, 'full_data_type', 'backslash-escapes'),
    },
    async () => {},
  );
};
