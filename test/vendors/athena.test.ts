/**
 * Athena, vouched for as its own client would: the official Node client (@aws-sdk/client-athena)
 * reads every answer of the stand-in (test/support/vendors/athena.ts), our driver gets the same
 * answers through the service, and what our driver sends equals what the official client sends for
 * the same operations, but for the differences listed below with their reasons. The stand-in is
 * reached as Athena is, by athena.<region>.amazonaws.com on port 443 (test/support/vendors/routes.ts),
 * and checks every request's Signature Version 4 for itself.
 */
import {
  AthenaClient,
  type AthenaClientConfig,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  InvalidRequestException,
  ListDatabasesCommand,
  ListTableMetadataCommand,
  ListWorkGroupsCommand,
  MetadataException,
  paginateGetQueryResults,
  paginateListDatabases,
  paginateListTableMetadata,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ATHENA_KEY_ID,
  ATHENA_SECRET,
  ATHENA_WAREHOUSE,
  type AthenaOptions,
  athenaHandler,
  CATALOG,
  DENIED_DATABASE,
  DENIED_KEY_ID,
  EXPIRED_SESSION,
} from '../support/vendors/athena.ts';
import {
  CHANGED_DETAILS,
  changesFound,
  DETAILED_WAREHOUSE,
  detailChanges,
  discoveredSchema,
} from '../support/vendors/catalog-details.ts';
import { bigWarehouse, type Received } from '../support/vendors/server.ts';
import {
  discoverUri,
  type RecordedVendor,
  startRecordedVendor,
  useStandInAndService,
} from '../support/vendors/suite.ts';

const PATH = '/api/v1/database-connections';
const REGION = 'eu-west-1';
const HOST = `athena.${REGION}.amazonaws.com`;
const athenaUri = (path = '/sales', keyId = ATHENA_KEY_ID, secret = ATHENA_SECRET, query = '') =>
  `awsathena+rest://${keyId}:${encodeURIComponent(secret)}@${HOST}${path}${query}`;

/** The stand-in where Athena's names lead, recording what it answers. */
const startAthena = (options: AthenaOptions = {}) => startRecordedVendor('athena', athenaHandler(options));

/** The official client as its documentation shows it: a region, and credentials given to it (none from the environment). */
const officialClient = (config: Partial<AthenaClientConfig> = {}) =>
  new AthenaClient({
    region: REGION,
    credentials: { accessKeyId: ATHENA_KEY_ID, secretAccessKey: ATHENA_SECRET },
    maxAttempts: 1,
    ...config,
  });

/** Every item of every page a paginator gives. */
async function all<Page, Item>(pages: AsyncIterable<Page>, items: (page: Page) => Item[] | undefined) {
  const found: Item[] = [];
  for await (const page of pages) found.push(...(items(page) ?? []));
  return found;
}

/** The error a call rejects with. */
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('the call succeeded'),
    (error: Error & { $metadata: { httpStatusCode?: number } }) => error,
  );

/** Inside a describe block: the stand-in with `options` and a service of its own with `settings`, for all its tests. */
const useAthenaAndService = (settings: Record<string, string>, options: AthenaOptions = {}) =>
  useStandInAndService(() => startAthena(options), settings);

/**
 * What discovery finds in the stand-in's `sales`: Glue's types, the partition key last, every
 * column nullable. Matched as a subset (toMatchObject): what discovery tells beyond names, types
 * and nullability is not the driver's to check here.
 */
const DISCOVERED_SALES = {
  name: 'sales',
  tables: [
    {
      name: 'orders',
      type: 'table',
      columns: [
        { name: 'id', type: 'int', nullable: true },
        { name: 'note', type: 'string', nullable: true },
        { name: 'day', type: 'date', nullable: true },
      ],
    },
    { name: 'recent', type: 'view', columns: [{ name: 'id', type: 'int', nullable: true }] },
  ],
};

describe('@aws-sdk/client-athena, the official client, reads every answer of the stand-in', () => {
  let athena: RecordedVendor;
  beforeAll(async () => {
    athena = await startAthena({ pageSize: 1, resultRows: 2 });
  });
  afterAll(async () => {
    await athena?.close();
  });
  beforeEach(() => {
    athena.answers.length = 0;
  });

  it('a signed request: the databases of the catalog, a page at a time, each NextToken followed', async () => {
    const databases = await all(paginateListDatabases({ client: officialClient() }, { CatalogName: CATALOG }), (page) =>
      page.DatabaseList?.map((database) => database.Name),
    );
    expect(databases).toEqual(['sales', 'staging', DENIED_DATABASE]);
    expect(athena.answers.map(({ request }) => JSON.parse(request.body).NextToken === undefined)).toEqual([
      true,
      false,
      false,
    ]);
  });

  it('the tables of a database over several pages: columns, partition keys, views', async () => {
    const tables = await all(
      paginateListTableMetadata({ client: officialClient() }, { CatalogName: CATALOG, DatabaseName: 'sales' }),
      (page) => page.TableMetadataList,
    );
    expect(tables).toEqual([
      expect.objectContaining({
        Name: 'orders',
        TableType: 'EXTERNAL_TABLE',
        CreateTime: expect.any(Date),
        Columns: [
          { Name: 'id', Type: 'int' },
          { Name: 'note', Type: 'string' },
        ],
        PartitionKeys: [{ Name: 'day', Type: 'date' }],
      }),
      expect.objectContaining({ Name: 'recent', TableType: 'VIRTUAL_VIEW', Columns: [{ Name: 'id', Type: 'int' }] }),
    ]);
    expect(athena.answers.length).toBe(2);
  });

  it('a query: QUEUED, RUNNING, then SUCCEEDED; its rows over several pages, the first row the columns’ names', async () => {
    const client = officialClient();
    const { QueryExecutionId } = await client.send(
      new StartQueryExecutionCommand({
        QueryString: `SELECT table_schema, table_name, column_name, data_type, is_nullable
          FROM information_schema.columns WHERE table_schema IN ('sales')`,
        QueryExecutionContext: { Catalog: CATALOG, Database: 'sales' },
      }),
    );
    const states: string[] = [];
    for (let state = ''; state !== 'SUCCEEDED'; ) {
      // Rows are refused until the query has finished, as Athena refuses them.
      const early = await failureOf(client.send(new GetQueryResultsCommand({ QueryExecutionId })));
      expect(early).toBeInstanceOf(InvalidRequestException);
      expect(early.message).toBe(`Query has not yet finished. Current state: ${state || 'QUEUED'}`);
      const { QueryExecution } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId }));
      state = QueryExecution?.Status?.State ?? '';
      states.push(state);
      expect(QueryExecution?.Status?.SubmissionDateTime).toBeInstanceOf(Date);
    }
    expect(states).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    const pages = [];
    for await (const page of paginateGetQueryResults({ client }, { QueryExecutionId })) pages.push(page);
    const rows = pages.flatMap((page) => page.ResultSet?.Rows?.map((row) => row.Data?.map((d) => d.VarCharValue)));
    const sales = ATHENA_WAREHOUSE.columns.filter(([database]) => database === 'sales');
    expect(rows).toEqual([['SCHEMA', 'TABLE', 'COLUMN', 'TYPE', 'NULLABLE'], ...sales]);
    expect(pages.length).toBe(3);
    expect(pages[0]?.ResultSet?.ResultSetMetadata?.ColumnInfo?.map((column) => column.Name)).toEqual(
      rows[0] as string[],
    );
  });

  it('a query that fails: FAILED, its reason and its AthenaError', async () => {
    const client = officialClient();
    const { QueryExecutionId } = await client.send(
      new StartQueryExecutionCommand({ QueryString: 'SELECT * FROM sales.nope' }),
    );
    let status: { State?: string; StateChangeReason?: string; AthenaError?: object } | undefined;
    do {
      status = (await client.send(new GetQueryExecutionCommand({ QueryExecutionId }))).QueryExecution?.Status;
    } while (status?.State === 'QUEUED' || status?.State === 'RUNNING');
    expect(status).toMatchObject({
      State: 'FAILED',
      StateChangeReason: "TABLE_NOT_FOUND: line 1:15: Table 'sales.nope' does not exist",
      AthenaError: { ErrorCategory: 2, ErrorType: 1000, Retryable: false },
    });
    const rows = await failureOf(client.send(new GetQueryResultsCommand({ QueryExecutionId })));
    expect(rows).toMatchObject({ name: 'InvalidRequestException', message: status?.StateChangeReason });
  });

  it.each([
    [
      'InvalidRequestException with its AthenaErrorCode: a statement Athena cannot parse',
      () => officialClient().send(new StartQueryExecutionCommand({ QueryString: 'SELEC 1' })),
      { name: 'InvalidRequestException', AthenaErrorCode: 'MALFORMED_QUERY', message: /^line 1:1: mismatched input/ },
    ],
    [
      'InvalidRequestException: a catalog Athena does not have',
      () => officialClient().send(new ListDatabasesCommand({ CatalogName: 'nocatalog' })),
      { name: 'InvalidRequestException', message: 'DataCatalog nocatalog was not found.' },
    ],
    [
      'MetadataException from Glue: a database that does not exist',
      () => officialClient().send(new ListTableMetadataCommand({ CatalogName: CATALOG, DatabaseName: 'nope' })),
      { name: 'MetadataException', message: /^Database nope not found\. .*Error Code: EntityNotFoundException/ },
    ],
    [
      'MetadataException from Glue: a database whose tables Glue lets no one read',
      () =>
        officialClient().send(new ListTableMetadataCommand({ CatalogName: CATALOG, DatabaseName: DENIED_DATABASE })),
      { name: 'MetadataException', message: /glue:GetTables .*Error Code: AccessDeniedException/ },
    ],
    [
      'AccessDeniedException: a key IAM lets do nothing in Athena',
      () =>
        officialClient({ credentials: { accessKeyId: DENIED_KEY_ID, secretAccessKey: ATHENA_SECRET } }).send(
          new ListDatabasesCommand({ CatalogName: CATALOG }),
        ),
      { name: 'AccessDeniedException', message: /^You are not authorized to perform: athena:ListDatabases/ },
    ],
    [
      'UnrecognizedClientException: a key AWS does not know',
      () =>
        officialClient({ credentials: { accessKeyId: 'AKIDOTHER', secretAccessKey: ATHENA_SECRET } }).send(
          new ListDatabasesCommand({ CatalogName: CATALOG }),
        ),
      { name: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' },
    ],
    [
      'InvalidSignatureException: the wrong secret',
      () =>
        officialClient({ credentials: { accessKeyId: ATHENA_KEY_ID, secretAccessKey: 'wrong-secret' } }).send(
          new ListDatabasesCommand({ CatalogName: CATALOG }),
        ),
      { name: 'InvalidSignatureException', message: /^The request signature we calculated does not match/ },
    ],
    [
      'InvalidSignatureException: a signature scoped to another region than the host’s',
      () =>
        officialClient({ region: 'us-east-1', endpoint: `https://${HOST}` }).send(
          new ListDatabasesCommand({ CatalogName: CATALOG }),
        ),
      { name: 'InvalidSignatureException', message: "Credential should be scoped to a valid region, not 'us-east-1'." },
    ],
    [
      'ExpiredTokenException: temporary credentials whose session has ended',
      () =>
        officialClient({
          credentials: { accessKeyId: ATHENA_KEY_ID, secretAccessKey: ATHENA_SECRET, sessionToken: EXPIRED_SESSION },
        }).send(new ListDatabasesCommand({ CatalogName: CATALOG })),
      { name: 'ExpiredTokenException', message: 'The security token included in the request is expired' },
    ],
    [
      'InvalidRequestException: a page of more than MaxResults allows',
      () => officialClient().send(new ListDatabasesCommand({ CatalogName: CATALOG, MaxResults: 51 })),
      { name: 'InvalidRequestException', message: 'MaxResults must be between 1 and 50.' },
    ],
    [
      'InvalidRequestException: a NextToken of another listing',
      async () => {
        const first = await officialClient().send(new ListDatabasesCommand({ CatalogName: CATALOG }));
        return officialClient().send(
          new ListTableMetadataCommand({ CatalogName: CATALOG, DatabaseName: 'sales', NextToken: first.NextToken }),
        );
      },
      { name: 'InvalidRequestException', message: 'The NextToken is not valid.' },
    ],
    [
      'InvalidRequestException: a query execution Athena does not have',
      () => officialClient().send(new GetQueryExecutionCommand({ QueryExecutionId: 'no-such-query' })),
      { name: 'InvalidRequestException', message: 'QueryExecution no-such-query was not found' },
    ],
    [
      'UnknownOperationException: an action the stand-in does not answer',
      () => officialClient().send(new ListWorkGroupsCommand({})),
      { name: 'UnknownOperationException', message: 'Athena has no operation ListWorkGroups.' },
    ],
  ])('%s', async (_case, call, expected) => {
    const error = await failureOf(call());
    const { message, ...fields } = expected;
    expect(error).toMatchObject({ ...fields, $metadata: { httpStatusCode: 400 } });
    expect(error.message).toMatch(message);
  });

  it('reads the errors of Athena’s model as their own classes', async () => {
    const parse = new StartQueryExecutionCommand({ QueryString: 'SELEC 1' });
    expect(await failureOf(officialClient().send(parse))).toBeInstanceOf(InvalidRequestException);
    const missing = new ListTableMetadataCommand({ CatalogName: CATALOG, DatabaseName: 'nope' });
    expect(await failureOf(officialClient().send(missing))).toBeInstanceOf(MetadataException);
  });

  describe('checks each signature for itself', () => {
    /** The official client with `change` made to each request after it was signed. */
    const tampered = (change: (request: { headers: Record<string, string>; body: string }) => void) => {
      const client = officialClient();
      client.middlewareStack.addRelativeTo(
        // A middleware of the finalizeRequest step (the SDK types the parameter for every step at once).
        (next: any) => async (args: any) => {
          const request = args.request as { headers: Record<string, string>; body: string | Uint8Array };
          const body = typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body);
          const signed = { headers: request.headers, body };
          change(signed);
          request.body = signed.body;
          return next(args);
        },
        { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'tamper' },
      );
      return client.send(new ListDatabasesCommand({ CatalogName: CATALOG }));
    };

    it('a body changed after signing: InvalidSignatureException', async () => {
      const error = await failureOf(
        tampered((request) => {
          request.body = request.body.replace(CATALOG, CATALOG.toLowerCase());
        }),
      );
      expect(error).toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 400 } });
    });

    it('an Authorization header without its signature: IncompleteSignatureException', async () => {
      const error = await failureOf(
        tampered((request) => {
          request.headers.authorization = request.headers.authorization?.replace(/, Signature=\w+$/, '') ?? '';
        }),
      );
      expect(error).toMatchObject({ name: 'IncompleteSignatureException', $metadata: { httpStatusCode: 400 } });
    });
  });
});

describe('our driver, through the service, against the stand-in', () => {
  const fixture = useAthenaAndService({ CONNECTION_TEST_TIMEOUT_MS: '5000' }, { pageSize: 1 });
  const testUri = (connection_uri: string) => fixture.api.request('POST', `${PATH}/test`, { connection_uri });
  const discover = async (alias: string, connection_uri: string) => {
    const created = await fixture.api.request('POST', PATH, { alias, connection_uri });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return fixture.api.request('GET', `${PATH}/${created.body.id}/schemas`);
  };

  it('tests the URI’s database and discovers its tables, views and partition keys over every page', async () => {
    expect((await testUri(athenaUri())).body).toEqual({
      ok: true,
      latency_ms: expect.any(Number),
      server_version: null,
      error: null,
    });
    const discovered = await discover('athena', athenaUri());
    expect(discovered.body.schemas).toMatchObject([DISCOVERED_SALES]);
  });

  it('reads the URI’s database as Athena does, in lower case: `SALES` is the database `sales`', async () => {
    expect((await testUri(athenaUri('/SALES'))).body).toMatchObject({ ok: true, error: null });
    const discovered = await discover('athena-upper', athenaUri('/SALES'));
    expect(discovered.body.schemas).toMatchObject([DISCOVERED_SALES]);
  });

  it('without a database: the test reads the catalog; discovery fails on a database Glue refuses, rather than leave it out', async () => {
    expect((await testUri(athenaUri(''))).body).toMatchObject({ ok: true });
    // Glue refuses the tables of one database: discovery says so rather than leave it out.
    const refused = await discover('athena-all', athenaUri(''));
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'connection_failed', reason: { code: 'permission_denied' } });
    expect(refused.body.reason.message).toMatch(
      /not authorized to perform: glue:GetTables on resource: .*database\/secret/,
    );
  });

  it.each([
    ['a database that does not exist', 'database_not_found', athenaUri('/nope'), /Database nope not found/],
    [
      'a database whose tables Glue will not show',
      'permission_denied',
      athenaUri(`/${DENIED_DATABASE}`),
      /glue:GetTables/,
    ],
    ['a key AWS does not know', 'authentication_failed', athenaUri('/sales', 'AKIDOTHER'), /UnrecognizedClient/],
    [
      'the wrong secret',
      'authentication_failed',
      athenaUri('/sales', ATHENA_KEY_ID, 'wrong-Secret-9'),
      /InvalidSignature/,
    ],
    ['a key IAM denies Athena', 'permission_denied', athenaUri('/sales', DENIED_KEY_ID), /athena:ListTableMetadata/],
    [
      'an expired session token',
      'token_expired',
      athenaUri('/sales', ATHENA_KEY_ID, ATHENA_SECRET, `?aws_session_token=${EXPIRED_SESSION}`),
      /ExpiredToken/,
    ],
    [
      'a catalog Athena does not have',
      'connection_failed',
      athenaUri('/sales', ATHENA_KEY_ID, ATHENA_SECRET, '?catalog_name=nocatalog'),
      /\(InvalidRequestException: DataCatalog nocatalog was not found\.\)$/,
    ],
  ])('%s is %s', async (_case, code, uri, message) => {
    const result = await testUri(uri);
    expect(result.body).toMatchObject({ ok: false, error: { code } });
    expect(result.body.error.message).toMatch(message);
    expect(result.body.error.message).not.toMatch(/Secret-(key|9)|athena-Secret/);
  });
});

describe('the keys are the URI’s alone', () => {
  const fixture = useAthenaAndService({ CONNECTION_TEST_TIMEOUT_MS: '5000' });
  const AWS_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
  const saved = AWS_KEYS.map((name) => process.env[name]);
  afterEach(() => {
    AWS_KEYS.forEach((name, i) => {
      if (saved[i] === undefined) delete process.env[name];
      else process.env[name] = saved[i];
    });
  });

  it('a URI without keys sends nothing, though this process holds AWS keys of its own', async () => {
    // The keys AWS's tools would take from the environment: the service must not sign with them.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: ATHENA_KEY_ID, AWS_SECRET_ACCESS_KEY: ATHENA_SECRET });
    const before = fixture.standIn.connections();
    const result = await fixture.api.request('POST', `${PATH}/test`, {
      connection_uri: `awsathena+rest://${HOST}/sales`,
    });
    expect(result.body).toMatchObject({ ok: false, error: { code: 'credentials_invalid' } });
    expect(fixture.standIn.connections()).toBe(before);
  });
});

/**
 * The headers where our driver differs from the official client on purpose: what ours are, and why.
 * Every other header (Host, Content-Type, Content-Length, X-Amz-Target, X-Amz-Security-Token,
 * X-Amz-Date's form, the Authorization's algorithm, credential scope and the headers it signs,
 * these excepted), the method, the path and the body's fields must be the same as the client's.
 */
const DELIBERATE: Record<string, { ours: string | undefined; why: string }> = {
  connection: {
    ours: 'close',
    why: 'one connection per request, each made through the network guard (http.ts); the SDK keeps its connections alive',
  },
  accept: {
    ours: 'application/json',
    why: 'asked by the drivers’ one JSON reader (http.ts), which refuses an answer that is no JSON; the SDK sends none, and AWS answers JSON 1.1 either way',
  },
  'user-agent': {
    ours: 'database-connection-api',
    why: 'names this service in CloudTrail’s userAgent, as the Trino driver names it; the SDK names itself (aws-sdk-js/3.x …)',
  },
  'x-amz-user-agent': {
    ours: undefined,
    why: 'the SDK’s own metrics of itself (its version, its features), in a header of their own',
  },
  'amz-sdk-invocation-id': {
    ours: undefined,
    why: 'the SDK’s retry bookkeeping: one id for every attempt of a call; the driver makes one attempt',
  },
  'amz-sdk-request': {
    ours: undefined,
    why: 'the SDK’s retry bookkeeping: which attempt of how many (attempt=1; max=…)',
  },
};

/** What Athena, or a gateway in front of it, can notice of a request, but for DELIBERATE. */
function noticed(request: Received) {
  const { authorization = '', 'x-amz-date': date, ...headers } = request.headers;
  const kept = Object.fromEntries(Object.entries(headers).filter(([name]) => !(name in DELIBERATE)));
  const [, credential, signedHeaders] =
    /^(AWS4-HMAC-SHA256 Credential=\S+), SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$/.exec(authorization) ?? [];
  return {
    method: request.method,
    path: request.path,
    body: JSON.parse(request.body),
    headers: kept,
    // The time of signing is each request's own; its form is not.
    date: /^\d{8}T\d{6}Z$/.test(String(date)),
    credential,
    signed: signedHeaders?.split(';').filter((name) => !(name in DELIBERATE)),
  };
}

describe('our requests equal the official client’s for the same operations, but for the differences listed', () => {
  const SESSION = 'session-Token-1';
  const fixture = useAthenaAndService(
    {},
    { pageSize: 1, warehouse: { ...ATHENA_WAREHOUSE, schemas: ['sales', 'staging'] } },
  );
  const client = () =>
    officialClient({
      credentials: { accessKeyId: ATHENA_KEY_ID, secretAccessKey: ATHENA_SECRET, sessionToken: SESSION },
    });
  const uri = (path: string) => athenaUri(path, ATHENA_KEY_ID, ATHENA_SECRET, `?aws_session_token=${SESSION}`);

  /** Runs `ours` through the service, then `theirs` with the official client; compares the requests each sent. */
  async function compare(ours: () => Promise<unknown>, theirs: () => Promise<unknown>) {
    fixture.standIn.received.length = 0;
    await ours();
    const sentByUs = fixture.standIn.received.splice(0);
    await theirs();
    const sentByThem = fixture.standIn.received.splice(0);
    expect(sentByUs.length).toBeGreaterThan(0);
    expect(sentByUs.map(noticed)).toEqual(sentByThem.map(noticed));
    for (const request of sentByUs) {
      for (const [name, { ours: value }] of Object.entries(DELIBERATE)) expect(request.headers[name]).toBe(value);
    }
    return sentByUs;
  }
  const test = (connection_uri: string) => async () => {
    const result = await fixture.api.request('POST', `${PATH}/test`, { connection_uri });
    expect(result.body, JSON.stringify(result.body)).toMatchObject({ ok: true });
  };
  const discovery = (alias: string, connection_uri: string, expected: object[]) => async () => {
    const created = await fixture.api.request('POST', PATH, { alias, connection_uri });
    const discovered = await fixture.api.request('GET', `${PATH}/${created.body.id}/schemas`);
    expect(discovered.body.schemas).toMatchObject(expected);
  };
  const tablesOf = (DatabaseName: string) =>
    all(paginateListTableMetadata({ client: client(), pageSize: 50 }, { CatalogName: CATALOG, DatabaseName }), (p) =>
      p.TableMetadataList?.map((table) => table.Name),
    );

  it('connecting to a database: one table of it', async () => {
    const sent = await compare(test(uri('/sales')), () =>
      client().send(new ListTableMetadataCommand({ CatalogName: CATALOG, DatabaseName: 'sales', MaxResults: 1 })),
    );
    expect(sent.map((request) => request.headers['x-amz-target'])).toEqual(['AmazonAthena.ListTableMetadata']);
  });

  it('connecting to the catalog: one database of it', async () => {
    await compare(test(uri('')), () =>
      client().send(new ListDatabasesCommand({ CatalogName: CATALOG, MaxResults: 1 })),
    );
  });

  it('discovering a database: every page of its tables', async () => {
    const sent = await compare(discovery('compared-sales', uri('/sales'), [DISCOVERED_SALES]), () => tablesOf('sales'));
    expect(sent.length).toBe(2);
  });

  it('discovering the catalog: every page of its databases, then of each one’s tables', async () => {
    const expected = [DISCOVERED_SALES, { name: 'staging', tables: [] }];
    const sent = await compare(discovery('compared-all', uri(''), expected), async () => {
      const databases = await all(
        paginateListDatabases({ client: client(), pageSize: 50 }, { CatalogName: CATALOG }),
        (page) => page.DatabaseList?.map((database) => database.Name ?? ''),
      );
      for (const database of databases) await tablesOf(database);
    });
    expect(sent.map((request) => request.headers['x-amz-target'])).toEqual([
      'AmazonAthena.ListDatabases',
      'AmazonAthena.ListDatabases',
      'AmazonAthena.ListTableMetadata',
      'AmazonAthena.ListTableMetadata',
      'AmazonAthena.ListTableMetadata',
    ]);
  });
});

describe('comments and row estimates: the Glue catalog’s tables, read as they are listed', () => {
  const warehouse = structuredClone(DETAILED_WAREHOUSE);
  const fixture = useAthenaAndService({ CONNECTION_TEST_TIMEOUT_MS: '5000' }, { warehouse, partitionKeys: {} });
  beforeEach(() => {
    warehouse.details = structuredClone(DETAILED_WAREHOUSE.details);
  });
  /** Glue keeps no keys; a crawler's recordCount is the estimate of rows. */
  const TOLD = { keys: false, rowCounts: true };
  const discover = () => discoverUri(fixture.api, athenaUri());

  it('tells the tables’ comments, the columns’ Comment and recordCount; keys stay null, and nothing more is asked', async () => {
    fixture.standIn.received.length = 0;
    expect((await discover()).body.schemas).toEqual([discoveredSchema(DETAILED_WAREHOUSE, 'sales', TOLD, true)]);
    expect(fixture.standIn.received.map((request) => request.headers['x-amz-target'])).toEqual([
      'AmazonAthena.ListTableMetadata',
    ]);
  });

  it('the official client reads the comments and the parameters as Glue keeps them', async () => {
    const tables = await all(
      paginateListTableMetadata({ client: officialClient() }, { CatalogName: CATALOG, DatabaseName: 'sales' }),
      (page) => page.TableMetadataList,
    );
    expect(tables.map(({ Name, Parameters }) => ({ Name, Parameters }))).toEqual([
      { Name: 'customers', Parameters: { classification: 'parquet', comment: 'People who order', recordCount: '3' } },
      { Name: 'orders', Parameters: { classification: 'parquet', recordCount: '5' } },
      { Name: 'recent', Parameters: { comment: 'Presto View', presto_view: 'true' } },
    ]);
    expect(tables[1]?.Columns).toContainEqual({ Name: 'customer_id', Type: 'NUMBER', Comment: 'Who ordered' });
  });

  it('a second scan, after a comment was rewritten, finds it (keys are not told: no key change)', async () => {
    const changes = await changesFound(fixture.api, athenaUri(), () => {
      warehouse.details = structuredClone(CHANGED_DETAILS);
    });
    expect(changes).toEqual(detailChanges(false));
  });

  it.each([
    ['not a number', 'many'],
    ['negative', '-1'],
  ])('a recordCount that is %s is no estimate: null', async (_case, recordCount) => {
    fixture.standIn.rewrite = (answer) => {
      const body = answer.body as { TableMetadataList?: { Parameters?: Record<string, string> }[] };
      for (const table of body.TableMetadataList ?? [])
        if (table.Parameters?.recordCount) table.Parameters.recordCount = recordCount;
      return answer;
    };
    try {
      const [sales] = (await discover()).body.schemas;
      expect(sales.tables.map((table: { estimated_row_count: unknown }) => table.estimated_row_count)).toEqual([
        null,
        null,
        null,
      ]);
    } finally {
      fixture.standIn.rewrite = undefined;
    }
  });
});

describe('a big catalog, whole', () => {
  const warehouse = bigWarehouse(5_000, 20);
  const fixture = useAthenaAndService({ CONNECTION_TEST_TIMEOUT_MS: '60000' }, { warehouse });

  it('discovers every one of 5,000 tables of 20 columns, in order, read over 100 pages of 50', async () => {
    const created = await fixture.api.request('POST', PATH, { alias: 'big', connection_uri: athenaUri('/big') });
    const discovered = await fixture.api.request('GET', `${PATH}/${created.body.id}/schemas`);
    expect(discovered.status).toBe(200);
    // Every table of the warehouse with every one of its columns, as Glue lists them.
    const columnsOf = new Map<string, { name: string; type: string; nullable: boolean }[]>();
    for (const [, table, name, type] of warehouse.columns) {
      columnsOf.set(table, [...(columnsOf.get(table) ?? []), { name, type, nullable: true }]);
    }
    const expected = warehouse.tables.map(([, table]) => ({
      name: table,
      type: 'table',
      columns: columnsOf.get(table),
    }));
    expect(discovered.body.schemas).toMatchObject([{ name: 'big', tables: expected }]);
    const pages = fixture.standIn.answers.filter(
      ({ request }) => request.headers['x-amz-target'] === 'AmazonAthena.ListTableMetadata',
    );
    expect(pages.length).toBe(100);
  }, 120_000);
});
