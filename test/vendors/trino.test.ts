/**
 * Trino, vouched for as its own client would: the official Node client (trino-client) reads every
 * answer of the stand-in (test/support/vendors/trino.ts), our driver gets the same answers through
 * the service, and what our driver sends equals what trino-client sends, but for the differences
 * listed below with their reasons. The stand-in is reached as Starburst Galaxy is, by its name on
 * port 443 (test/support/vendors/routes.ts), and as a self-hosted coordinator, over HTTP on a port.
 */
import { BasicAuth, type QueryResult, Trino } from 'trino-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CHANGED_DETAILS,
  changesFound,
  DETAILED_WAREHOUSE,
  detailChanges,
  discoveredSchema,
  untoldIn,
} from '../support/vendors/catalog-details.ts';
import {
  bigWarehouse,
  DISCOVERED_SALES,
  type Received,
  startVendorServer,
  WAREHOUSE,
} from '../support/vendors/server.ts';
import {
  discoverUri,
  expectWholeBigCatalog,
  type RecordedVendor,
  startRecordedVendor,
  useStandInAndService,
} from '../support/vendors/suite.ts';
import { TRINO_VERSION, trinoHandler } from '../support/vendors/trino.ts';

const PATH = '/api/v1/database-connections';
const GALAXY = 'acme-free.trino.galaxy.starburst.io';
const PASSWORD = 'ana-Secret-pw-7';
const galaxyUri = (catalog = 'hive', password = PASSWORD) =>
  `trino://ana:${password}@${GALAXY}:443/${catalog}?http_scheme=https`;

const startGalaxy = (options: Parameters<typeof trinoHandler>[0] = {}) =>
  startRecordedVendor('trino', trinoHandler({ passwords: { ana: PASSWORD }, ...options }));

/** trino-client as its README shows it, against Galaxy's name, trusting the CA as a public one. */
const officialClient = (options: { password?: string; catalog?: string; schema?: string } = {}) =>
  Trino.create({
    server: `https://${GALAXY}`,
    catalog: options.catalog ?? 'hive',
    schema: options.schema,
    auth: new BasicAuth('ana', options.password ?? PASSWORD),
  });

/** Every QueryResult trino-client gives for a statement, to the last. */
async function readAll(sql: string, client = officialClient()): Promise<QueryResult[]> {
  const results: QueryResult[] = [];
  for await (const result of await client.query(sql)) results.push(result);
  return results;
}

const rowsOf = (results: QueryResult[]) => results.flatMap((result) => result.data ?? []);

/** Inside a describe block: the stand-in as Galaxy and a service of its own, for all its tests. */
const useGalaxyAndService = (settings: Record<string, string>, options: Parameters<typeof trinoHandler>[0] = {}) =>
  useStandInAndService(() => startGalaxy(options), settings);

describe('trino-client, the official client, reads every answer of the stand-in', () => {
  let galaxy: RecordedVendor;
  beforeAll(async () => {
    galaxy = await startGalaxy();
  });
  afterAll(async () => {
    await galaxy?.close();
  });
  beforeEach(() => {
    galaxy.answers.length = 0;
  });

  it('a query: its columns and its row', async () => {
    const results = await readAll('SELECT version()');
    expect(rowsOf(results)).toEqual([[TRINO_VERSION]]);
    expect(results.at(-1)).toMatchObject({ columns: [{ name: 'V', type: 'varchar' }], stats: { state: 'FINISHED' } });
  });

  it('an answer in progress: QUEUED and RUNNING with no data, then the rows, then FINISHED', async () => {
    const results = await readAll('SELECT version()');
    const states = galaxy.answers.map(({ answer }) => {
      const body = answer.body as QueryResult;
      return `${body.stats?.state}${body.data ? ' with data' : ''}${body.nextUri ? '' : ', last'}`;
    });
    expect(states).toEqual(['QUEUED', 'QUEUED', 'RUNNING', 'RUNNING with data', 'FINISHED, last']);
    // The client went through all of them: it read the row and the end.
    expect(rowsOf(results)).toEqual([[TRINO_VERSION]]);
  });

  it('a result over several pages: the client follows each nextUri and reads every row once', async () => {
    const sql = `SELECT table_schema, table_name, column_name, data_type, is_nullable
      FROM "hive".information_schema.columns WHERE table_schema IN ('sales')`;
    const results = await readAll(sql);
    expect(rowsOf(results)).toEqual(WAREHOUSE.columns);
    expect(results.filter((result) => result.data?.length).length).toBe(2);
    // Each request after the first went where the answer before it said.
    const asked = galaxy.answers.map(({ request }) => `https://${GALAXY}${request.path}`);
    const told = galaxy.answers.map(({ answer }) => (answer.body as QueryResult).nextUri);
    expect(asked.slice(1)).toEqual(told.slice(0, -1));
  });

  it.each([
    [
      'CATALOG_NOT_FOUND',
      44,
      'SELECT schema_name FROM "nocat".information_schema.schemata',
      /Catalog 'nocat' not found/,
    ],
    ['SCHEMA_NOT_FOUND', 45, 'SELECT * FROM hive.nope.orders', /^line 1:15: Schema 'nope' does not exist$/],
    ['PERMISSION_DENIED', 4, 'SELECT * FROM "secret".information_schema.tables', /Cannot access catalog secret/],
  ])('%s: a failed query, with its QueryError', async (errorName, errorCode, sql, message) => {
    const last = (await readAll(sql)).at(-1);
    expect(last?.stats?.state).toBe('FAILED');
    expect(last?.nextUri).toBeUndefined();
    expect(last?.error).toMatchObject({
      errorName,
      errorCode,
      errorType: 'USER_ERROR',
      message: expect.stringMatching(message),
    });
  });

  it.each([
    ['a wrong password', officialClient({ password: 'wrong-password' }), 'Access Denied: Invalid credentials'],
    ['no password at all', Trino.create({ server: `https://${GALAXY}`, catalog: 'hive' }), 'Unauthorized'],
  ])('%s: HTTP 401 with Trino’s challenge, which the client raises', async (_case, client, message) => {
    const failure = await readAll('SELECT 1', client).catch((error) => error);
    // axios's error, as trino-client lets it through.
    expect(failure.name).toBe('AxiosError');
    expect(failure.response.status).toBe(401);
    expect(failure.response.headers['www-authenticate']).toBe('Basic realm="Trino"');
    expect(failure.response.data).toBe(message);
  });
});

describe('our driver, through the service, against the stand-in', () => {
  const fixture = useGalaxyAndService({ CONNECTION_TEST_TIMEOUT_MS: '5000' });
  const testUri = (connection_uri: string, extra: Record<string, unknown> = {}) =>
    fixture.api.request('POST', `${PATH}/test`, { connection_uri, ...extra });
  const discover = async (alias: string, connection_uri: string, extra: Record<string, unknown> = {}) => {
    const created = await fixture.api.request('POST', PATH, { alias, connection_uri, ...extra });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return fixture.api.request('GET', `${PATH}/${created.body.id}/schemas`);
  };

  it('Starburst Galaxy (HTTPS on 443, a password): tests, tells the version, checks schemas, discovers', async () => {
    expect((await testUri(galaxyUri(), { schemas: ['sales'] })).body).toEqual({
      ok: true,
      latency_ms: expect.any(Number),
      server_version: TRINO_VERSION,
      error: null,
    });
    expect((await testUri(galaxyUri(), { schemas: ['nope'] })).body.error.code).toBe('unknown_schema');
    expect((await discover('galaxy', galaxyUri())).body.schemas).toEqual([DISCOVERED_SALES]);
  });

  it.each([
    ['a catalog that does not exist', 'database_not_found', galaxyUri('nocat')],
    ['a catalog the user may not read', 'permission_denied', galaxyUri('secret')],
    ['a wrong password', 'authentication_failed', galaxyUri('hive', 'wrong-pw-123')],
  ])('%s is %s', async (_case, code, uri) => {
    const result = await testUri(uri);
    expect(result.body).toMatchObject({ ok: false, error: { code } });
    expect(result.body.error.message).not.toMatch(/wrong-pw-123|Secret-pw/);
  });

  it('a self-hosted coordinator over HTTP on its port: Host names the port, and no password is sent', async () => {
    const coordinator = await startVendorServer(trinoHandler());
    try {
      const uri = `trino://ana:never-sent@127.0.0.1:${coordinator.port}/hive`;
      expect((await testUri(uri)).body).toMatchObject({ ok: true, server_version: TRINO_VERSION });
      expect((await discover('self-hosted', uri)).body.schemas).toEqual([DISCOVERED_SALES]);
      expect(new Set(coordinator.received.map((request) => request.headers.host))).toEqual(
        new Set([`127.0.0.1:${coordinator.port}`]),
      );
      expect(coordinator.received.filter((request) => request.headers.authorization)).toEqual([]);
    } finally {
      await coordinator.close();
    }
  });
});

/**
 * The headers where our driver differs from trino-client on purpose: what ours are, and why.
 * Every other header, the method, the path and the body must be the same as trino-client's.
 */
const DELIBERATE: Record<string, { ours: (request: Received) => string | undefined; why: string }> = {
  'x-trino-source': {
    ours: () => 'database-connection-api',
    why: 'names this service in Trino’s query history, where trino-client names itself (trino-js-client)',
  },
  'user-agent': {
    ours: () => 'database-connection-api',
    why: 'names this service, as Trino’s own client names itself (StatementClientV1/…); trino-client sends axios’s',
  },
  'content-type': {
    ours: (request) => (request.method === 'POST' ? 'text/plain; charset=utf-8' : undefined),
    why: 'the statement is text, labelled as Trino’s own client labels it; axios labels a string application/x-www-form-urlencoded, which it is not',
  },
  accept: {
    ours: () => 'application/json',
    why: 'the one type Trino answers with; axios asks for application/json, text/plain, */*',
  },
  'accept-encoding': {
    ours: () => undefined,
    why: 'answers are read as they come and bounded in bytes (64 MiB) with no decompression in between; axios asks for gzip, compress, deflate, br',
  },
};

/** What a coordinator, or a gateway in front of it, can notice of a request, but for DELIBERATE. */
function noticed(request: Received) {
  const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !(name in DELIBERATE)));
  // The query's id and slug are the coordinator's, new for each query: the rest of the path must match.
  const path = request.path.replace(/^(\/v1\/statement\/\w+)\/[^/]+\/[^/]+\//, '$1/{id}/{slug}/');
  return { method: request.method, path, body: request.body, headers };
}

describe('our requests equal trino-client’s for the same operation, but for the differences listed', () => {
  const fixture = useGalaxyAndService({});

  /** Runs `operation` with our driver, then each statement it sent with trino-client; compares the requests. */
  async function compare(operation: () => Promise<unknown>) {
    fixture.standIn.received.length = 0;
    await operation();
    const ours = fixture.standIn.received.splice(0);
    const statements = ours.filter((request) => request.method === 'POST').map((request) => request.body);
    expect(statements.length).toBeGreaterThan(0);
    for (const sql of statements) await readAll(sql, officialClient({ schema: 'sales' }));
    const theirs = fixture.standIn.received.splice(0);
    expect(ours.map(noticed)).toEqual(theirs.map(noticed));
    for (const request of ours) {
      for (const [name, { ours: value }] of Object.entries(DELIBERATE))
        expect(request.headers[name]).toBe(value(request));
    }
    return ours;
  }

  it('connecting and asking the version', async () => {
    const ours = await compare(async () => {
      expect(
        (await fixture.api.request('POST', `${PATH}/test`, { connection_uri: galaxyUri('hive/sales') })).body.ok,
      ).toBe(true);
    });
    expect(ours[0]?.body).toMatch(/^SELECT version\(\)/);
  });

  it('listing the catalog: its schemas, tables and columns', async () => {
    const created = await fixture.api.request('POST', PATH, {
      alias: 'compared',
      connection_uri: galaxyUri('hive/sales'),
    });
    const ours = await compare(async () => {
      expect((await fixture.api.request('GET', `${PATH}/${created.body.id}/schemas`)).body.schemas).toEqual([
        DISCOVERED_SALES,
      ]);
    });
    expect(ours.filter((request) => request.method === 'POST').map((request) => request.body)).toEqual([
      expect.stringContaining('information_schema.schemata'),
      expect.stringContaining('information_schema.tables'),
      expect.stringContaining('information_schema.columns'),
      expect.stringContaining('system.metadata.table_comments'),
    ]);
  });
});

describe('comments: system.metadata.table_comments and information_schema.columns', () => {
  const warehouse = structuredClone(DETAILED_WAREHOUSE);
  const fixture = useGalaxyAndService({ CONNECTION_TEST_TIMEOUT_MS: '5000' }, { warehouse });
  beforeEach(() => {
    warehouse.details = structuredClone(DETAILED_WAREHOUSE.details);
    fixture.standIn.received.length = 0;
  });
  /** Trino tells neither keys nor row estimates. */
  const TOLD = { keys: false, rowCounts: false };
  const discover = (uri = galaxyUri()) => discoverUri(fixture.api, uri);

  it('tells the comments of tables and columns; keys and row estimates stay null', async () => {
    expect((await discover()).body.schemas).toEqual([discoveredSchema(DETAILED_WAREHOUSE, 'sales', TOLD)]);
  });

  it('trino-client reads the answer to the comments’ statement', async () => {
    await discover();
    const sql = fixture.standIn.received.find((request) => request.body.includes('table_comments'))?.body ?? '';
    const results = await readAll(sql);
    expect(results.at(-1)?.columns?.map((column) => column.name)).toEqual(['schema', 'table', 'column', 'comment']);
    expect(rowsOf(results)).toEqual([
      ['sales', 'customers', null, 'People who order'],
      ['sales', 'customers', 'region', 'Where they live'],
      ['sales', 'orders', 'customer_id', 'Who ordered'],
    ]);
  });

  it('a second scan, after a comment was rewritten, finds it (keys are not told: no key change)', async () => {
    const changes = await changesFound(fixture.api, galaxyUri(), () => {
      warehouse.details = structuredClone(CHANGED_DETAILS);
    });
    expect(changes).toEqual(detailChanges(false));
  });

  it('system.metadata.table_comments denied (PERMISSION_DENIED): no comments told, the rest discovered', async () => {
    const coordinator = await startVendorServer(
      trinoHandler({ warehouse: DETAILED_WAREHOUSE, deniedTables: /^system\.metadata\.table_comments$/ }),
    );
    try {
      const discovered = await discover(`trino://ana@127.0.0.1:${coordinator.port}/hive`);
      expect(discovered.status, JSON.stringify(discovered.body)).toBe(200);
      const everything = discoveredSchema(DETAILED_WAREHOUSE, 'sales', TOLD);
      expect(discovered.body.schemas).toEqual([untoldIn(everything, { comments: false })]);
      const denied = coordinator.received.find((request) => request.body.includes('table_comments'));
      expect(denied).toBeDefined();
    } finally {
      await coordinator.close();
    }
  });
});

describe('a big catalog, whole', () => {
  const fixture = useGalaxyAndService(
    { CONNECTION_TEST_TIMEOUT_MS: '60000' },
    { warehouse: bigWarehouse(5_000, 20), pageRows: 1_000 },
  );

  it('discovers every one of 5,000 tables of 20 columns, read over 105 pages', async () => {
    await expectWholeBigCatalog(fixture.api, galaxyUri(), 5_000, 20);
    // 5 pages of tables and 100 of columns, each on a request of its own.
    const pages = fixture.standIn.answers.filter(({ answer }) => (answer.body as QueryResult).data?.length);
    expect(pages.length).toBe(105);
  }, 120_000);
});
