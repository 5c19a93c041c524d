/**
 * Databricks, vouched for as its own client would: the official SDK for JavaScript
 * (@databricks/sdk-experimental, whose statementExecution speaks the same SQL Statement Execution
 * API as our driver) reads every answer of the stand-in (test/support/vendors/databricks.ts), our
 * driver gets the same answers through the service, and what our driver sends equals what the SDK
 * sends, but for the differences listed below with their reasons. The stand-in is reached as a
 * workspace is, by its name on port 443 (test/support/vendors/routes.ts).
 *
 * @databricks/sql, the SQL driver, cannot judge it: it speaks Thrift (TCLIService over HTTP to the
 * warehouse's http_path), another protocol than the REST API our driver and the stand-in speak.
 */
import { ApiError, type sql, WorkspaceClient } from '@databricks/sdk-experimental';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCertificateAuthority } from '../support/certificates.ts';
import {
  CHANGED_DETAILS,
  changesFound,
  DETAILED_WAREHOUSE,
  detailChanges,
  discoveredSchema,
  expectDetailsTold,
  untoldIn,
} from '../support/vendors/catalog-details.ts';
import {
  DATABRICKS_TOKEN,
  DATABRICKS_VERSION,
  type DatabricksOptions,
  databricksHandler,
  EXPIRED_TOKEN,
  WAREHOUSE_ID,
} from '../support/vendors/databricks.ts';
import { type Answer, bigWarehouse, type Received, startVendorServer, WAREHOUSE } from '../support/vendors/server.ts';
import {
  discoverUri,
  expectWholeBigCatalog,
  type RecordedVendor,
  startRecordedVendor,
  useStandInAndService,
} from '../support/vendors/suite.ts';

const PATH = '/api/v1/database-connections';
const WORKSPACE = 'dbc-1234.cloud.databricks.com';
const HTTP_PATH = `/sql/1.0/warehouses/${WAREHOUSE_ID}`;
const workspaceUri = (extra = '', token = DATABRICKS_TOKEN) =>
  `databricks://token:${token}@${WORKSPACE}?http_path=${HTTP_PATH}${extra}`;

const startWorkspace = (options: DatabricksOptions = {}) =>
  startRecordedVendor('databricks', databricksHandler(options));

async function withWorkspace(options: DatabricksOptions, use: (workspace: RecordedVendor) => Promise<void>) {
  const workspace = await startWorkspace(options);
  try {
    await use(workspace);
  } finally {
    await workspace.close();
  }
}

/** The SDK with a personal access token (its `pat` credentials), verifying TLS, which it does only when told. */
const officialClient = (token = DATABRICKS_TOKEN) =>
  new WorkspaceClient({
    host: `https://${WORKSPACE}`,
    token,
    authType: 'pat',
    skipVerify: false,
    retryTimeoutSeconds: 5,
  });

const bodyOf = (answer: Answer) => answer.body as sql.StatementResponse;

/** A statement as an SDK user reads it whole: executed, polled while in progress, then each chunk by index. */
async function readAll(request: Omit<sql.ExecuteStatementRequest, 'warehouse_id'>, client = officialClient()) {
  const execution = client.statementExecution;
  const responses = [await execution.executeStatement({ warehouse_id: WAREHOUSE_ID, ...request })];
  let last = responses[0] as sql.StatementResponse;
  const statement_id = last.statement_id ?? '';
  while (last.status?.state === 'PENDING' || last.status?.state === 'RUNNING') {
    last = await execution.getStatement({ statement_id });
    responses.push(last);
  }
  const chunks = last.result ? [last.result] : [];
  for (let next = last.result?.next_chunk_index; next !== undefined; next = chunks.at(-1)?.next_chunk_index) {
    chunks.push(await execution.getStatementResultChunkN({ statement_id, chunk_index: next }));
  }
  return { responses, last, chunks, rows: chunks.flatMap((chunk) => chunk.data_array ?? []) };
}

/** What Unity Catalog's information_schema tells beyond tables and columns: keys and comments, no row counts. */
const TOLD = { keys: true, rowCounts: false };

/** The small warehouse as discovery finds it in `main`: no keys, no comments. */
const DISCOVERED_SALES = discoveredSchema(WAREHOUSE, 'sales', TOLD);

const COLUMNS_SQL = `SELECT table_schema, table_name, column_name, full_data_type, is_nullable
  FROM information_schema.columns WHERE table_schema IN ('sales')`;

describe('the official SDK reads every answer of the stand-in', () => {
  let workspace: RecordedVendor;
  beforeAll(async () => {
    workspace = await startWorkspace();
  });
  afterAll(async () => {
    await workspace?.close();
  });
  beforeEach(() => {
    workspace.answers.length = 0;
    workspace.received.length = 0;
  });

  it('a query, with the token as the SDK’s pat credentials send it: its manifest and its row', async () => {
    const { last, rows } = await readAll({ statement: 'SELECT current_version().dbsql_version AS v' });
    expect(last).toMatchObject({
      status: { state: 'SUCCEEDED' },
      manifest: { format: 'JSON_ARRAY', schema: { column_count: 1, columns: [{ name: 'V', position: 0 }] } },
    });
    expect(rows).toEqual([[DATABRICKS_VERSION]]);
    expect(workspace.received[0]?.headers.authorization).toBe(`Bearer ${DATABRICKS_TOKEN}`);
  });

  it('a result in several chunks: the SDK reads each by its index, every row once, as the links name them', async () => {
    const { last, chunks, rows } = await readAll({ statement: COLUMNS_SQL });
    expect(rows).toEqual(WAREHOUSE.columns);
    expect(last.manifest).toMatchObject({ total_chunk_count: 2, total_row_count: 3 });
    expect(chunks.map((chunk) => [chunk.chunk_index, chunk.row_offset, chunk.row_count])).toEqual([
      [0, 0, 2],
      [1, 2, 1],
    ]);
    // The path the SDK asked for the next chunk is the link the answer before it gave.
    const asked = workspace.received.slice(1).map((request) => request.path);
    expect(asked).toEqual([chunks[0]?.next_chunk_internal_link]);
    expect(chunks.at(-1)?.next_chunk_internal_link).toBeUndefined();
  });

  it.each([
    ['NO_SUCH_CATALOG_EXCEPTION', { catalog: 'nocat' }, /^\[NO_SUCH_CATALOG_EXCEPTION\] Catalog 'nocat' was not found/],
    ['SCHEMA_NOT_FOUND', { catalog: 'main', schema: 'nope' }, /^\[SCHEMA_NOT_FOUND\] The schema `main`\.`nope`/],
    ['INSUFFICIENT_PERMISSIONS', { catalog: 'secret' }, /^\[INSUFFICIENT_PERMISSIONS\] Insufficient privileges/],
    ['PARSE_SYNTAX_ERROR', { statement: 'SELEC 1' }, /^\[PARSE_SYNTAX_ERROR\] Syntax error at or near/],
  ])(
    '%s: a failed statement, HTTP 200, its condition at the head of the message',
    async (_condition, session, message) => {
      const { last } = await readAll({ statement: 'SELECT 1', ...session });
      expect(last.status).toEqual({
        state: 'FAILED',
        error: { error_code: 'BAD_REQUEST', message: expect.stringMatching(message) },
        sql_state: expect.stringMatching(/^42/),
      });
      expect(last.manifest).toBeUndefined();
    },
  );

  it.each([
    ['a token it does not know', 'dapi-other', 403, 403, 'Invalid access token.'],
    ['an expired token', EXPIRED_TOKEN, 401, 401, 'Token is expired.'],
  ])('%s: the SDK raises the API’s error', async (_case, token, statusCode, errorCode, message) => {
    const failure = await readAll({ statement: 'SELECT 1' }, officialClient(token)).catch((error) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ statusCode, errorCode, message });
  });

  it('a warehouse that does not exist, a statement it does not hold: the SDK raises 404 with their codes', async () => {
    const execution = officialClient().statementExecution;
    const warehouse = await execution
      .executeStatement({ warehouse_id: 'gone', statement: 'SELECT 1' })
      .catch((error) => error);
    expect(warehouse).toMatchObject({ statusCode: 404, errorCode: 'RESOURCE_DOES_NOT_EXIST' });
    const statement = await execution.getStatement({ statement_id: 'no-such-statement' }).catch((error) => error);
    expect(statement).toMatchObject({ statusCode: 404, errorCode: 'NOT_FOUND' });
  });

  it('a statement request without its statement: the SDK raises 400 INVALID_PARAMETER_VALUE', async () => {
    const request = { warehouse_id: WAREHOUSE_ID } as sql.ExecuteStatementRequest;
    const failure = await officialClient()
      .statementExecution.executeStatement(request)
      .catch((error) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ statusCode: 400, errorCode: 'INVALID_PARAMETER_VALUE' });
  });

  it('a chunk asked for before the statement has a result, or past its last: the SDK raises 400 with their codes', async () => {
    await withWorkspace({ inProgress: 2 }, async () => {
      const execution = officialClient().statementExecution;
      const started = await execution.executeStatement({
        warehouse_id: WAREHOUSE_ID,
        statement: COLUMNS_SQL,
        wait_timeout: '0s',
      });
      expect(started.status).toEqual({ state: 'PENDING' });
      const statement_id = started.statement_id ?? '';
      const early = await execution.getStatementResultChunkN({ statement_id, chunk_index: 1 }).catch((error) => error);
      expect(early).toMatchObject({ statusCode: 400, errorCode: 'BAD_REQUEST' });
      expect((await execution.getStatement({ statement_id })).status).toEqual({ state: 'RUNNING' });
      expect((await execution.getStatement({ statement_id })).status).toEqual({ state: 'SUCCEEDED' });
      const past = await execution.getStatementResultChunkN({ statement_id, chunk_index: 2 }).catch((error) => error);
      expect(past).toMatchObject({ statusCode: 400, errorCode: 'INVALID_PARAMETER_VALUE' });
    });
  });
});

describe('the official SDK reads answers in progress', () => {
  it('a statement that outlasts its wait: PENDING, then RUNNING, polled until it SUCCEEDED', async () => {
    await withWorkspace({ inProgress: 2 }, async (workspace) => {
      const { responses, rows } = await readAll({ statement: COLUMNS_SQL, on_wait_timeout: 'CONTINUE' });
      expect(responses.map((response) => response.status?.state)).toEqual(['PENDING', 'RUNNING', 'SUCCEEDED']);
      expect(rows).toEqual(WAREHOUSE.columns);
      const id = responses[0]?.statement_id;
      expect(workspace.received.map((request) => `${request.method} ${request.path}`)).toEqual([
        'POST /api/2.0/sql/statements',
        `GET /api/2.0/sql/statements/${id}`,
        `GET /api/2.0/sql/statements/${id}`,
        `GET /api/2.0/sql/statements/${id}/result/chunks/1`,
      ]);
    });
  });

  it('asynchronous (wait_timeout 0s): answered at once, in progress; canceled, it says CANCELED', async () => {
    await withWorkspace({ inProgress: 3 }, async () => {
      const execution = officialClient().statementExecution;
      const started = await execution.executeStatement({
        warehouse_id: WAREHOUSE_ID,
        statement: 'SELECT 1',
        wait_timeout: '0s',
      });
      expect(started.status).toEqual({ state: 'PENDING' });
      const statement_id = started.statement_id ?? '';
      expect(await execution.cancelExecution({ statement_id })).toEqual({});
      expect((await execution.getStatement({ statement_id })).status).toEqual({ state: 'CANCELED' });
    });
  });

  it('on_wait_timeout CANCEL: a statement still running when the wait ends is CANCELED', async () => {
    await withWorkspace({ inProgress: 1 }, async () => {
      const { last } = await readAll({ statement: 'SELECT 1', wait_timeout: '5s', on_wait_timeout: 'CANCEL' });
      expect(last.status).toEqual({ state: 'CANCELED' });
    });
  });
});

/** Inside a describe block: a stand-in with `options` and a service of its own, for all its tests. */
const useWorkspaceAndService = (settings: Record<string, string>, options: DatabricksOptions = {}) =>
  useStandInAndService(() => startWorkspace(options), settings);

/** The statement of a request our driver sent, for reading what it asked. */
const statementOf = (request: Received) => (request.method === 'POST' ? JSON.parse(request.body).statement : '');

describe('our driver, through the service, against the stand-in', () => {
  const fixture = useWorkspaceAndService({ CONNECTION_TEST_TIMEOUT_MS: '5000' });
  const testUri = (connection_uri: string, extra: Record<string, unknown> = {}) =>
    fixture.api.request('POST', `${PATH}/test`, { connection_uri, ...extra });
  const discover = async (alias: string, connection_uri: string, extra: Record<string, unknown> = {}) => {
    const created = await fixture.api.request('POST', PATH, { alias, connection_uri, ...extra });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return fixture.api.request('GET', `${PATH}/${created.body.id}/schemas`);
  };
  beforeEach(() => {
    fixture.standIn.answers.length = 0;
    fixture.standIn.received.length = 0;
    fixture.standIn.rewrite = undefined;
  });

  it('tests, tells the version, checks schemas, and discovers the catalog, reading every chunk', async () => {
    expect((await testUri(workspaceUri('&catalog=main'), { schemas: ['sales'] })).body).toEqual({
      ok: true,
      latency_ms: expect.any(Number),
      server_version: DATABRICKS_VERSION,
      error: null,
    });
    expect((await testUri(workspaceUri('&catalog=main'), { schemas: ['nope'] })).body.error.code).toBe(
      'unknown_schema',
    );
    fixture.standIn.received.length = 0;
    expect((await discover('dbx', workspaceUri('&catalog=main'))).body.schemas).toEqual([DISCOVERED_SALES]);
    // The columns' second chunk was read by the link the first named.
    const chunkReads = fixture.standIn.received.filter((request) => request.path.includes('/result/chunks/'));
    expect(chunkReads.map((request) => request.path)).toEqual([
      expect.stringMatching(/^\/api\/2\.0\/sql\/statements\/[\w-]+\/result\/chunks\/1$/),
    ]);
  });

  it.each([
    ['a catalog that does not exist (NO_SUCH_CATALOG_EXCEPTION)', 'database_not_found', workspaceUri('&catalog=nocat')],
    ['a catalog the user may not use (INSUFFICIENT_PERMISSIONS)', 'permission_denied', workspaceUri('&catalog=secret')],
    ['a schema that does not exist (SCHEMA_NOT_FOUND)', 'unknown_schema', workspaceUri('&catalog=main&schema=nope')],
    ['an expired token', 'token_expired', workspaceUri('', EXPIRED_TOKEN)],
    ['a token it does not know', 'authentication_failed', workspaceUri('', 'dapi-other-secret')],
    ['no token', 'authentication_failed', workspaceUri().replace('token:dapi-good@', 'token@')],
    ['a warehouse that does not exist', 'warehouse_not_found', workspaceUri().replace(WAREHOUSE_ID, 'gone')],
    [
      'a cluster path in place of a warehouse',
      'warehouse_not_found',
      workspaceUri().replace(HTTP_PATH, '/sql/protocolv1/o/1/0123-abc'),
    ],
  ])('%s is %s', async (_case, code, uri) => {
    const result = await testUri(uri);
    expect(result.body).toMatchObject({ ok: false, error: { code } });
    expect(result.body.error.message).not.toMatch(/dapi-other-secret|dapi-expired|dapi-good/);
  });

  it('writes a schema name as one string literal, as Databricks reads a backslash in it', async () => {
    // With quotes only doubled, `\'` would end the literal and the rest of the name be read as SQL.
    const hostile = "sales\\') OR 1=1 OR table_schema IN ('";
    await discover('dbx-hostile', workspaceUri(), { schemas: [hostile] });
    const statements = fixture.standIn.received.map(statementOf).filter(Boolean);
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements.filter((text: string) => text.includes('table_schema IN')))
      expect(statement).toContain(`IN ('sales\\\\\\') OR 1=1 OR table_schema IN (\\'')`);
  });

  it.each([
    ['another host', 'dbx-link-host', (port: number, path: string) => `https://127.0.0.1:${port}${path}`],
    ['a protocol-relative URL', 'dbx-link-relative', (port: number, path: string) => `//127.0.0.1:${port}${path}`],
  ])(
    'a next chunk linked to %s is read from the workspace: the link’s host is never reached',
    async (_case, alias, link) => {
      const elsewhere = await startVendorServer(() => ({ body: {} }));
      try {
        fixture.standIn.rewrite = (answer) => {
          const result = (answer.body as sql.StatementResponse | undefined)?.result;
          const path = result?.next_chunk_internal_link;
          if (!result || !path) return answer;
          return {
            ...answer,
            body: { ...bodyOf(answer), result: { ...result, next_chunk_internal_link: link(elsewhere.port, path) } },
          };
        };
        expect((await discover(alias, workspaceUri())).body.schemas).toEqual([DISCOVERED_SALES]);
        expect(elsewhere.connections()).toBe(0);
        expect(fixture.standIn.received.some((request) => request.path.endsWith('/result/chunks/1'))).toBe(true);
      } finally {
        await elsewhere.close();
      }
    },
  );

  it.each([
    ['canceled on the warehouse', { state: 'CANCELED' }, /the statement ended CANCELED/],
    [
      'failed for a condition a test does not tell apart',
      { state: 'FAILED', error: { error_code: 'BAD_REQUEST', message: '[TABLE_OR_VIEW_NOT_FOUND] The table …' } },
      /BAD_REQUEST: \[TABLE_OR_VIEW_NOT_FOUND\]/,
    ],
  ])('a statement %s is connection_failed, in the warehouse’s words', async (_case, status, message) => {
    fixture.standIn.rewrite = (answer, request) =>
      request.method === 'POST' ? { body: { statement_id: 's-1', status } } : answer;
    const result = await testUri(workspaceUri());
    expect(result.body.error).toEqual({ code: 'connection_failed', message: expect.stringMatching(message) });
  });

  it.each([
    ['none', undefined],
    ['a path', '../../../api/2.0/clusters/list'],
  ])('a statement in progress whose id is %s is connection_failed, and nothing is polled', async (_case, id) => {
    fixture.standIn.rewrite = () => ({ body: { statement_id: id, status: { state: 'PENDING' } } });
    const result = await testUri(workspaceUri());
    expect(result.body.error).toEqual({ code: 'connection_failed', message: expect.stringMatching(/no statement id/) });
    expect(fixture.standIn.received.map((request) => request.method)).toEqual(['POST']);
  });

  it('checks the workspace’s certificate: a connection that names another CA is refused, nothing sent', async () => {
    const result = await testUri(workspaceUri(), {
      tls_settings: { ca_certificate: createCertificateAuthority('another CA').certificate },
    });
    expect(result.body.error.code).toBe('tls_error');
    expect(fixture.standIn.received).toEqual([]);
  });
});

describe('our driver polls a statement in progress until it ends', () => {
  const fixture = useWorkspaceAndService({ CONNECTION_TEST_TIMEOUT_MS: '5000' }, { inProgress: 2 });

  it('PENDING, RUNNING, then the result: the test passes and discovery is whole', async () => {
    const tested = await fixture.api.request('POST', `${PATH}/test`, { connection_uri: workspaceUri() });
    expect(tested.body).toMatchObject({ ok: true, server_version: DATABRICKS_VERSION });
    const states = fixture.standIn.answers.map(({ answer }) => bodyOf(answer).status?.state);
    expect(states).toEqual(['PENDING', 'RUNNING', 'SUCCEEDED']);
    // Each poll asked for the statement the POST started, of the workspace's host.
    const [post, ...polls] = fixture.standIn.received;
    const id = bodyOf(fixture.standIn.answers[0]?.answer as Answer).statement_id;
    expect(JSON.parse(post?.body ?? '{}')).toMatchObject({ on_wait_timeout: 'CONTINUE' });
    expect(polls.map((request) => `${request.method} ${request.path}`)).toEqual([
      `GET /api/2.0/sql/statements/${id}`,
      `GET /api/2.0/sql/statements/${id}`,
    ]);
  });
});

describe('a statement that does not end in time', () => {
  const fixture = useWorkspaceAndService({ CONNECTION_TEST_TIMEOUT_MS: '1500' }, { inProgress: 1_000_000 });

  it('is a timeout, and is canceled on the warehouse', async () => {
    const tested = await fixture.api.request('POST', `${PATH}/test`, { connection_uri: workspaceUri() });
    expect(tested.body).toMatchObject({ ok: false, error: { code: 'timeout' } });
    const id = bodyOf(fixture.standIn.answers[0]?.answer as Answer).statement_id;
    expect(fixture.standIn.received.at(-1)).toMatchObject({
      method: 'POST',
      path: `/api/2.0/sql/statements/${id}/cancel`,
    });
  });
});

/**
 * Where our driver differs from the SDK on purpose: what ours is, and why. Every other header, the
 * method, the path and the rest of the body must be the same as the SDK's.
 */
const DELIBERATE_HEADERS: Record<string, { ours: (request: Received) => string | undefined; why: string }> = {
  'user-agent': {
    ours: () => 'database-connection-api',
    why: 'names this service in the warehouse’s query history; the SDK names itself (unknown/0.0.0 databricks-sdk-js/…)',
  },
  'content-length': {
    ours: (request) => (request.method === 'POST' ? String(Buffer.byteLength(request.body)) : undefined),
    why: 'the body’s length: ours has the fields listed below too',
  },
  connection: {
    ours: () => 'close',
    why: 'one connection per request, opened through the network guard; the SDK keeps its own agent’s sockets alive',
  },
};

/** The body's fields that only our driver writes, with the API's default the SDK leaves to the server, and why. */
const DELIBERATE_FIELDS: Record<string, { ours: unknown; why: string }> = {
  wait_timeout: {
    ours: '5s',
    why: 'from the test’s timeout (5 to 50 s, a second left for the answer); the API waits 10 s',
  },
  on_wait_timeout: {
    ours: 'CONTINUE',
    why: 'the API’s default, written out: a long statement is polled, not canceled',
  },
  format: { ours: 'JSON_ARRAY', why: 'the API’s default, written out: the rows are read as JSON arrays' },
  disposition: {
    ours: 'INLINE',
    why: 'the API’s default, written out: the rows come in the answers, not as links to storage',
  },
};

/** What a workspace, or a gateway in front of it, can notice of a request, but for the deliberate differences. */
function noticed(request: Received) {
  const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !(name in DELIBERATE_HEADERS)));
  const body = request.body ? JSON.parse(request.body) : undefined;
  for (const field of Object.keys(DELIBERATE_FIELDS)) delete body?.[field];
  // A statement's id is the warehouse's, new for each statement: the rest of the path must match.
  const path = request.path.replace(/^(\/api\/2\.0\/sql\/statements\/)[\w-]+/, '$1{id}');
  return { method: request.method, path, body, headers };
}

describe('our requests equal the SDK’s for the same operation, but for the differences listed', () => {
  const fixture = useWorkspaceAndService({ CONNECTION_TEST_TIMEOUT_MS: '6000' });

  /** Runs `operation` with our driver, then each statement it sent with the SDK, as a user names it; compares the requests. */
  async function compare(operation: () => Promise<unknown>) {
    fixture.standIn.received.length = 0;
    await operation();
    const ours = fixture.standIn.received.splice(0);
    const posted = ours.filter((request) => request.method === 'POST').map((request) => JSON.parse(request.body));
    expect(posted.length).toBeGreaterThan(0);
    for (const { statement, catalog, schema } of posted) await readAll({ statement, catalog, schema });
    const theirs = fixture.standIn.received.splice(0);
    expect(ours.map(noticed)).toEqual(theirs.map(noticed));
    for (const request of ours) {
      for (const [name, { ours: value }] of Object.entries(DELIBERATE_HEADERS))
        expect(request.headers[name]).toBe(value(request));
    }
    for (const body of posted)
      for (const [field, { ours: value }] of Object.entries(DELIBERATE_FIELDS)) expect(body[field]).toBe(value);
    return ours;
  }

  it('connecting and asking the version', async () => {
    const ours = await compare(async () => {
      const tested = await fixture.api.request('POST', `${PATH}/test`, {
        connection_uri: workspaceUri('&catalog=main'),
      });
      expect(tested.body.ok).toBe(true);
    });
    expect(ours.map(statementOf)).toEqual(['SELECT current_version().dbsql_version AS v']);
  });

  it('listing the catalog: its schemas, tables and columns, a chunk after the first', async () => {
    const created = await fixture.api.request('POST', PATH, {
      alias: 'compared',
      connection_uri: workspaceUri('&catalog=main&schema=sales'),
    });
    const ours = await compare(async () => {
      expect((await fixture.api.request('GET', `${PATH}/${created.body.id}/schemas`)).body.schemas).toEqual([
        DISCOVERED_SALES,
      ]);
    });
    expect(ours.map((request) => (request.method === 'POST' ? statementOf(request) : request.path))).toEqual([
      expect.stringContaining('information_schema.schemata'),
      expect.stringContaining('information_schema.tables'),
      expect.stringContaining('information_schema.columns'),
      expect.stringMatching(/\/result\/chunks\/1$/),
      expect.stringContaining('information_schema.table_constraints'),
      expect.stringMatching(/\bcomment\b.*information_schema\.tables/s),
    ]);
  });
});

describe('keys and comments: Unity Catalog’s information_schema', () => {
  const options: DatabricksOptions = { warehouse: structuredClone(DETAILED_WAREHOUSE) };
  const fixture = useWorkspaceAndService({ CONNECTION_TEST_TIMEOUT_MS: '5000' }, options);
  beforeEach(() => {
    options.refuse = undefined;
    (options.warehouse as typeof DETAILED_WAREHOUSE).details = structuredClone(DETAILED_WAREHOUSE.details);
    fixture.standIn.received.length = 0;
  });
  const discover = () => discoverUri(fixture.api, workspaceUri('&catalog=main'));
  const everything = discoveredSchema(DETAILED_WAREHOUSE, 'sales', TOLD);

  it('tells the primary keys, the foreign key and the comments; no row counts, which it keeps in no view', async () => {
    expectDetailsTold((await discover()).body.schemas, everything);
  });

  it('the SDK reads the answers to the keys’ and the comments’ statements', async () => {
    await discover();
    const statements = fixture.standIn.received.map(statementOf).filter(Boolean);
    const keys = statements.find((statement: string) => statement.includes('table_constraints'));
    const comments = statements.find((statement: string) => /\bcomment\b/.test(statement));
    const keyRows = await readAll({ statement: keys, catalog: 'main' });
    expect(keyRows.last.manifest?.schema?.columns?.map((column) => column.name)).toEqual([
      ...['schema', 'table', 'kind', 'key', 'name', 'column'],
      ...['referenced_schema', 'referenced_table', 'referenced_column'],
    ]);
    expect(keyRows.rows).toContainEqual([
      ...['sales', 'orders', 'foreign', 'orders_customer_fk', 'orders_customer_fk', 'region'],
      ...['sales', 'customers', 'region'],
    ]);
    expect((await readAll({ statement: comments, catalog: 'main' })).rows).toContainEqual([
      'sales',
      'customers',
      null,
      'People who order',
    ]);
  });

  it('a second scan, after the foreign key was dropped and a comment rewritten, finds both changes', async () => {
    const changes = await changesFound(fixture.api, workspaceUri('&catalog=main'), () => {
      (options.warehouse as typeof DETAILED_WAREHOUSE).details = structuredClone(CHANGED_DETAILS);
    });
    expect(changes).toEqual(detailChanges(true));
  });

  it.each([
    ['the keys', /table_constraints/, { keys: false }],
    ['the comments', /\bcomment\b/, { comments: false }],
  ] as const)('%s refused (INSUFFICIENT_PERMISSIONS): not told, the rest discovered', async (_case, refuse, untold) => {
    options.refuse = refuse;
    const discovered = await discover();
    expect(discovered.status, JSON.stringify(discovered.body)).toBe(200);
    expect(discovered.body.schemas).toEqual([untoldIn(everything, untold)]);
  });

  it('the keys’ statement failing otherwise fails the discovery, in the warehouse’s words', async () => {
    fixture.standIn.rewrite = (answer, request) =>
      /table_constraints/.test(statementOf(request))
        ? {
            body: {
              statement_id: 's-keys',
              status: { state: 'FAILED', error: { error_code: 'BAD_REQUEST', message: '[INTERNAL_ERROR] x' } },
            },
          }
        : answer;
    try {
      const discovered = await discover();
      expect(discovered.body).toMatchObject({ code: 'connection_failed' });
      expect(JSON.stringify(discovered.body)).toMatch(/INTERNAL_ERROR/);
    } finally {
      fixture.standIn.rewrite = undefined;
    }
  });
});

describe('a big catalog, whole', () => {
  const fixture = useWorkspaceAndService(
    { CONNECTION_TEST_TIMEOUT_MS: '60000' },
    { warehouse: bigWarehouse(5_000, 20), chunkRows: 1_000 },
  );

  it('discovers every one of 5,000 tables of 20 columns, read over 105 chunks', async () => {
    await expectWholeBigCatalog(fixture.api, workspaceUri('&catalog=main'), 5_000, 20);
    // 5 chunks of tables and 100 of columns: the first of each in the statement's answer, the others read by link.
    const chunks = fixture.standIn.answers.filter(({ answer }) => {
      const body = answer.body as sql.StatementResponse & sql.ResultData;
      return (body.result?.data_array ?? body.data_array)?.length;
    });
    expect(chunks.length).toBe(105);
  }, 120_000);
});
