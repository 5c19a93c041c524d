/**
 * BigQuery, vouched for as its own client would: the official Node client (@google-cloud/bigquery,
 * signing in through google-auth-library) reads every answer of the stand-in
 * (test/support/vendors/bigquery.ts), our driver gets the same answers through the service, and
 * what our driver sends equals what the official client sends, but for the differences listed
 * below with their reasons. The stand-in is reached as Google is, by oauth2.googleapis.com and
 * bigquery.googleapis.com on port 443 (test/support/vendors/routes.ts).
 */
import { generateKeyPairSync } from 'node:crypto';
import { BigQuery } from '@google-cloud/bigquery';
import { JWT, OAuth2Client } from 'google-auth-library';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringLiteralValue } from '../../src/connectivity/drivers/bigquery-catalog.ts';
import type { RunningService } from '../../src/service.ts';
import { createSqliteDatabase, type TestDatabase } from '../support/databases.ts';
import { clientFor, startTestService } from '../support/service.ts';
import {
  type BigQueryOptions,
  bigqueryHandler,
  EMPTY_DATASET,
  PROJECT,
  SERVICE_ACCOUNT,
  TOKEN_URL,
} from '../support/vendors/bigquery.ts';
import {
  CHANGED_DETAILS,
  changesFound,
  DETAILED_WAREHOUSE,
  detailChanges,
  discoveredSchema,
  expectDetailsTold,
  untoldIn,
} from '../support/vendors/catalog-details.ts';
import { startRoutedVendor } from '../support/vendors/routes.ts';
import {
  type Answer,
  bigWarehouse,
  type Handler,
  type Received,
  startVendorServer,
  type VendorServer,
  WAREHOUSE,
  type Warehouse,
} from '../support/vendors/server.ts';
import { discoverUri, expectWholeBigCatalog, useStandInAndService } from '../support/vendors/suite.ts';

const PATH = '/api/v1/database-connections';
const API_HOST = 'bigquery.googleapis.com';
const TOKEN_HOST = 'oauth2.googleapis.com';

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privateKeyPem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicKeyPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
/** A key of no account Google knows. */
const strangerKeyPem = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

/** A service account key file as Google issues it, in base64 (what credentials_base64 holds). */
const serviceAccount = (privateKey = privateKeyPem) =>
  Buffer.from(
    JSON.stringify({
      type: 'service_account',
      project_id: PROJECT,
      private_key: privateKey,
      client_email: SERVICE_ACCOUNT,
      token_uri: TOKEN_URL,
    }),
  ).toString('base64');
const bigqueryUri = (path = `${PROJECT}/sales`, key = serviceAccount()) =>
  `bigquery://${path}?credentials_base64=${key}`;

/** What BigQuery's INFORMATION_SCHEMA and __TABLES__ tell beyond tables and columns: keys, descriptions, row counts. */
const TOLD = { keys: true, rowCounts: true };

/** The small warehouse's `sales` as discovery finds it: no keys, descriptions or counts. */
const DISCOVERED_SALES = discoveredSchema(WAREHOUSE, 'sales', TOLD);

/** The SQL our driver sends for one dataset's tables and columns, for the official client to run. */
const tablesSql = (dataset: string) =>
  `SELECT '${dataset}' AS schema, table_name AS \`table\`, table_type AS type, table_name AS position FROM \`${PROJECT}.${dataset}.INFORMATION_SCHEMA.TABLES\` ORDER BY schema, \`table\`, position`;
const columnsSql = (dataset: string) =>
  `SELECT '${dataset}' AS schema, table_name AS \`table\`, column_name AS \`column\`, data_type AS type, is_nullable AS nullable, ordinal_position AS position FROM \`${PROJECT}.${dataset}.INFORMATION_SCHEMA.COLUMNS\` ORDER BY schema, \`table\`, position`;

/** The stand-in, and each answer it gave, beside the request it answered. */
interface Recorded extends VendorServer {
  answers: { request: Received; answer: Answer }[];
  /** Its state (tokens granted, jobs), for a second server to share. */
  handler: Handler;
}

async function startGoogle(options: BigQueryOptions = {}): Promise<Recorded> {
  const handler = bigqueryHandler(publicKeyPem, options);
  const answers: Recorded['answers'] = [];
  const server = await startRoutedVendor('bigquery', async (request) => {
    const answer = await handler(request);
    answers.push({ request, answer });
    return answer;
  });
  return { ...server, answers, handler };
}

/** @google-cloud/bigquery as its README shows it, with the key's fields, trusting the CA as a public one. */
const officialClient = (projectId = PROJECT) =>
  new BigQuery({ projectId, credentials: { client_email: SERVICE_ACCOUNT, private_key: privateKeyPem } });

/** What the client rejects with, for the assertions on it. */
const failureOf = (work: Promise<unknown>) =>
  work.then(
    () => {
      throw new Error('expected the official client to fail');
    },
    (error) => error,
  );

/** Inside a describe block: the stand-in as Google and a service of its own, for all its tests. */
function useGoogleAndService(settings: Record<string, string>, options: BigQueryOptions = {}) {
  return useStandInAndService(() => startGoogle(options), settings);
}

describe('@google-cloud/bigquery, the official client, reads every answer of the stand-in', () => {
  let google: Recorded;
  beforeAll(async () => {
    // Every statement answers "not complete" three times before its first page.
    google = await startGoogle({ pendingAnswers: 3 });
  });
  afterAll(async () => {
    await google?.close();
  });
  beforeEach(() => {
    google.answers.length = 0;
  });
  const bodies = () => google.answers.map(({ answer }) => answer.body as Record<string, unknown>);

  it('signs in with the JWT grant, and a query gives its row', async () => {
    const [rows] = await officialClient().query('SELECT 1');
    expect(rows).toEqual([{ f0_: 1 }]);
    const [grant] = google.answers;
    expect(grant?.request).toMatchObject({ method: 'POST', path: '/token', headers: { host: TOKEN_HOST } });
    expect(grant?.answer.body).toMatchObject({ access_token: expect.stringMatching(/^ya29\./), token_type: 'Bearer' });
  });

  it('an answer in progress: jobComplete false until the job is done, then its rows', async () => {
    const [rows] = await officialClient().query('SELECT 1');
    expect(rows).toEqual([{ f0_: 1 }]);
    const states = google.answers
      .filter(({ request }) => request.headers.host === API_HOST)
      .map(({ answer }) => (answer.body as { jobComplete: boolean }).jobComplete);
    expect(states).toEqual([false, false, false, true]);
  });

  it('a result over several pages: the client follows each pageToken and reads every row once', async () => {
    const [rows] = await officialClient().query(columnsSql('sales'));
    expect(rows.map((row) => [row.schema, row.table, row.column, row.type, row.nullable])).toEqual(WAREHOUSE.columns);
    // Each request after the first page asked for the page the answer before it named.
    const pages = google.answers.filter(({ answer }) => (answer.body as { rows?: unknown }).rows);
    expect(pages.length).toBe(2);
    const told = bodies().map((body) => body.pageToken);
    const asked = google.answers.map(({ request }) => new URL(request.path, 'https://x').searchParams.get('pageToken'));
    expect(asked.at(-1)).toBe(told.at(-2));
  });

  it('the datasets over several pages of datasets.list', async () => {
    const [datasets] = await officialClient().getDatasets();
    expect(datasets.map((dataset) => dataset.id)).toEqual([EMPTY_DATASET, 'sales']);
    expect(bodies().filter((body) => body.kind === 'bigquery#datasetList').length).toBe(2);
  });

  it('a key Google does not know: the token endpoint’s invalid_grant, which the client raises', async () => {
    const client = new BigQuery({
      projectId: PROJECT,
      credentials: { client_email: SERVICE_ACCOUNT, private_key: strangerKeyPem },
    });
    const failure = await failureOf(client.query('SELECT 1'));
    expect(failure.message).toBe('invalid_grant: Invalid JWT Signature.');
    expect(failure.response.status).toBe(400);
  });

  it('an access token Google does not know: 401 UNAUTHENTICATED, which the client raises', async () => {
    const revoked = new OAuth2Client();
    revoked.setCredentials({ access_token: 'ya29.revoked', expiry_date: Date.now() + 3_600_000 });
    const failure = await failureOf(new BigQuery({ projectId: PROJECT, authClient: revoked }).query('SELECT 1'));
    expect(failure).toMatchObject({ code: 401, errors: [{ reason: 'authError' }] });
    expect(failure.message).toMatch(/^Request had invalid authentication credentials/);
  });

  it('a token for a scope BigQuery does not take (bigquery.readonly): 403 ACCESS_TOKEN_SCOPE_INSUFFICIENT', async () => {
    const readonly = new JWT({
      email: SERVICE_ACCOUNT,
      key: privateKeyPem,
      scopes: ['https://www.googleapis.com/auth/bigquery.readonly'],
    });
    const failure = await failureOf(new BigQuery({ projectId: PROJECT, authClient: readonly }).query('SELECT 1'));
    expect(failure).toMatchObject({
      code: 403,
      message: 'Request had insufficient authentication scopes.',
      errors: [{ reason: 'insufficientPermissions' }],
    });
    expect(failure.response.headers['www-authenticate']).toMatch(/error="insufficient_scope"/);
  });

  it.each([
    ['a project the account may not use', 'locked', 'SELECT 1', 403, 'accessDenied', /^Access Denied: Project locked/],
    ['a project that does not exist', 'elsewhere', 'SELECT 1', 404, 'notFound', /^Not found: Project elsewhere$/],
    [
      'a dataset that does not exist',
      PROJECT,
      tablesSql('nope'),
      404,
      'notFound',
      /^Not found: Dataset analytics:nope/,
    ],
    ['a statement BigQuery cannot read', PROJECT, 'SELEC 1', 400, 'invalidQuery', /^Syntax error/],
  ])('%s: Google’s error object, which the client raises', async (_case, project, sql, code, reason, message) => {
    const failure = await failureOf(officialClient(project).query(sql));
    expect(failure).toMatchObject({ code, errors: [{ reason, domain: 'global' }] });
    expect(failure.message).toMatch(message);
  });

  it('a page token BigQuery did not hand out, of a result or of the datasets: 400 invalid, which the client raises', async () => {
    await officialClient().query('SELECT 1');
    const { jobId, location } = (bodies().at(-1) as { jobReference: { jobId: string; location: string } }).jobReference;
    const job = officialClient().job(jobId, { location });
    const rows = await failureOf(job.getQueryResults({ pageToken: 'forged', autoPaginate: false }));
    expect(rows).toMatchObject({ code: 400, errors: [{ reason: 'invalid' }], message: 'Invalid page token: forged' });
    const datasets = await failureOf(officialClient().getDatasets({ pageToken: 'forged', autoPaginate: false }));
    expect(datasets).toMatchObject({
      code: 400,
      errors: [{ reason: 'invalid' }],
      message: 'Invalid page token: forged',
    });
  });

  it('a job asked for outside its location: 404, which the client raises', async () => {
    await officialClient().query('SELECT 1');
    const { jobId, location } = (bodies().at(-1) as { jobReference: { jobId: string; location: string } }).jobReference;
    expect(location).not.toBe('US');
    const failure = await failureOf(officialClient().job(jobId, { location: 'US' }).getQueryResults());
    expect(failure).toMatchObject({ code: 404, message: `Not found: Job ${PROJECT}:US.${jobId}` });
  });
});

describe('our driver, through the service, against the stand-in', () => {
  const fixture = useGoogleAndService({ CONNECTION_TEST_TIMEOUT_MS: '5000' });
  const testUri = (connection_uri: string, extra: Record<string, unknown> = {}) =>
    fixture.api.request('POST', `${PATH}/test`, { connection_uri, ...extra });
  const create = async (alias: string, connection_uri: string) => {
    const created = await fixture.api.request('POST', PATH, { alias, connection_uri });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body;
  };
  const discover = async (alias: string, connection_uri: string) =>
    fixture.api.request('GET', `${PATH}/${(await create(alias, connection_uri)).id}/schemas`);
  const sent = () => fixture.standIn.received.splice(0);

  it('signs in with the key, runs a statement, checks datasets, discovers each', async () => {
    expect((await testUri(bigqueryUri(), { schemas: ['sales'] })).body).toEqual({
      ok: true,
      latency_ms: expect.any(Number),
      server_version: null,
      error: null,
    });
    expect((await testUri(bigqueryUri(), { schemas: ['nope'] })).body.error.code).toBe('unknown_schema');
    // Without a dataset in the URI: every dataset of the project, over both pages of the list (in name order).
    expect((await discover('bq-all', bigqueryUri(PROJECT))).body.schemas).toEqual([
      DISCOVERED_SALES,
      { name: EMPTY_DATASET, tables: [] },
    ]);
    const created = await create('bq', bigqueryUri());
    // The key is a secret: masked in what the API answers.
    expect(created.connection_uri).toBe(`bigquery://${PROJECT}/sales?credentials_base64=****`);
    expect((await fixture.api.request('GET', `${PATH}/${created.id}/schemas`)).body.schemas).toEqual([
      DISCOVERED_SALES,
    ]);
  });

  it('asks for its token with the scope BigQuery’s methods take, in a JWT signed with the key', async () => {
    sent();
    expect((await testUri(bigqueryUri())).body.ok).toBe(true);
    const [grant] = sent();
    expect(grant).toMatchObject({ method: 'POST', path: '/token', headers: { host: TOKEN_HOST } });
    const assertion = new URLSearchParams(grant?.body).get('assertion') ?? '';
    expect(decodeProtectedHeader(assertion)).toEqual({ alg: 'RS256' });
    expect(decodeJwt(assertion)).toEqual({
      iss: SERVICE_ACCOUNT,
      scope: 'https://www.googleapis.com/auth/bigquery',
      aud: TOKEN_URL,
      iat: expect.any(Number),
      exp: expect.any(Number),
    });
  });

  it('waits for a statement in progress and reads every page of its result', async () => {
    sent();
    const { schemas } = (await discover('bq-pages', bigqueryUri())).body;
    expect(schemas).toEqual([DISCOVERED_SALES]);
    const reads = sent()
      .filter((request) => request.method === 'GET')
      .map((request) => new URL(request.path, 'https://x').searchParams);
    // Each of the five statements' jobs (tables, columns, keys, descriptions, row counts) read once while in
    // progress; the columns (3 rows) have a second page.
    expect(reads.filter((search) => search.has('timeoutMs')).length).toBe(5);
    expect(reads.filter((search) => search.has('pageToken')).length).toBe(1);
    expect(reads.every((search) => search.get('location') === 'europe-west1')).toBe(true);
  });

  it('takes the key by reference, kept as written and read only to connect', async () => {
    process.env.DCAPI_SECRET_BQ_KEY = serviceAccount();
    try {
      const uri = `bigquery://${PROJECT}/sales?credentials_base64=\${env:DCAPI_SECRET_BQ_KEY}`;
      const created = await fixture.api.request('POST', `${PATH}?test=true`, { alias: 'bq-ref', connection_uri: uri });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.connection_uri).toBe(uri);
      const misplaced = await fixture.api.request('POST', PATH, {
        alias: 'bq-bad',
        connection_uri: 'bigquery://${env:DCAPI_SECRET_BQ_KEY}/x',
      });
      expect(misplaced.status).toBe(400);
    } finally {
      delete process.env.DCAPI_SECRET_BQ_KEY;
    }
  });

  it.each([
    ['no key at all', 'credentials_invalid', `bigquery://${PROJECT}/sales`],
    [
      'a key that is not a service account key',
      'credentials_invalid',
      bigqueryUri(PROJECT, Buffer.from('{"x":1}').toString('base64')),
    ],
    ['a private key that does not parse', 'credentials_invalid', bigqueryUri(PROJECT, serviceAccount('not-a-key'))],
    ['a key Google does not accept', 'authentication_failed', bigqueryUri(PROJECT, serviceAccount(strangerKeyPem))],
    ['a project that does not exist', 'project_not_found', bigqueryUri('elsewhere')],
    ['a project the account may not use', 'permission_denied', bigqueryUri('locked')],
  ])('%s is %s, and nothing of the key is told', async (_case, code, uri) => {
    const result = await testUri(uri);
    expect(result.body).toMatchObject({ ok: false, error: { code } });
    // Neither the key's JSON nor its base64.
    expect(result.body.error.message).not.toMatch(/PRIVATE KEY|service_account/);
    expect(result.body.error.message).not.toContain(serviceAccount().slice(0, 24));
  });

  it('a dataset in the URI that does not exist: discovery says unknown_schema', async () => {
    const discovered = await discover('bq-nope', bigqueryUri(`${PROJECT}/nope`));
    expect(discovered.status).toBe(400);
    expect(discovered.body).toMatchObject({ code: 'unknown_schema' });
    expect(JSON.stringify(discovered.body)).toMatch(/Not found: Dataset analytics:nope/);
  });

  it('VENDOR_ENDPOINTS: the API at a private endpoint, the token from Google', async () => {
    // The same BigQuery behind another address: plain HTTP on loopback, as an emulator would be.
    const endpoint = await startVendorServer(fixture.standIn.handler);
    const service = await startTestService(fixture.database.url, {
      VENDOR_ENDPOINTS: `bigquery=http://127.0.0.1:${endpoint.port}`,
    });
    try {
      sent();
      const result = await clientFor(service.url).request('POST', `${PATH}/test`, { connection_uri: bigqueryUri() });
      expect(result.body).toMatchObject({ ok: true });
      expect(sent().map((request) => `${request.headers.host} ${request.path}`)).toEqual([`${TOKEN_HOST} /token`]);
      expect(endpoint.received.map((request) => request.headers.host)).toEqual([
        `127.0.0.1:${endpoint.port}`,
        `127.0.0.1:${endpoint.port}`,
      ]);
    } finally {
      await service.stop();
      await endpoint.close();
    }
  });
});

describe('what an answer names stays where it belongs', () => {
  /** How the stand-in's answers are altered, test by test: a token, a job reference. */
  let alter: (request: Received, body: Record<string, unknown>) => void = () => {};
  let google: VendorServer;
  let database: TestDatabase;
  let service: RunningService;
  beforeAll(async () => {
    const handler = bigqueryHandler(publicKeyPem);
    google = await startRoutedVendor('bigquery', async (request) => {
      const answer = await handler(request);
      alter(request, answer.body as Record<string, unknown>);
      return answer;
    });
    database = createSqliteDatabase();
    service = await startTestService(database.url, { CONNECTION_TEST_TIMEOUT_MS: '5000' });
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
    await google?.close();
  });
  const testUri = async () =>
    (await clientFor(service.url).request('POST', `${PATH}/test`, { connection_uri: bigqueryUri() })).body;

  it('a job reference with a path and a query in it: read at its own path of the same API, encoded', async () => {
    alter = (request, body) => {
      if (request.method === 'POST' && body.jobReference)
        body.jobReference = { projectId: PROJECT, jobId: '../../../../token', location: 'US&pageToken=x#y' };
    };
    google.received.length = 0;
    expect(await testUri()).toMatchObject({ ok: false });
    const [read] = google.received.filter((request) => request.method === 'GET');
    expect(read?.headers.host).toBe(API_HOST);
    expect(read?.path).toMatch(/^\/bigquery\/v2\/projects\/analytics\/queries\/\.\.%2F\.\.%2F\.\.%2F\.\.%2Ftoken\?/);
    expect(new URL(read?.path ?? '', 'https://x').searchParams.get('location')).toBe('US&pageToken=x#y');
    expect(google.received.filter((request) => request.path === '/token').length).toBe(1);
  });

  it('an access token that would add a header: refused before any request carries it', async () => {
    alter = (request, body) => {
      if (request.path === '/token') body.access_token = 'ya29.x\r\nX-Injected: 1';
    };
    google.received.length = 0;
    expect(await testUri()).toMatchObject({ ok: false, error: { code: 'connection_failed' } });
    expect(google.received.map((request) => request.path)).toEqual(['/token']);
  });
});

describe('a statement that does not complete in time', () => {
  const fixture = useGoogleAndService(
    { CONNECTION_TEST_TIMEOUT_MS: '600' },
    { pendingAnswers: Number.POSITIVE_INFINITY },
  );

  it('is a timeout: the job is read until the statement’s time is up, then no more', async () => {
    const result = await fixture.api.request('POST', `${PATH}/test`, { connection_uri: bigqueryUri() });
    expect(result.body).toMatchObject({ ok: false, error: { code: 'timeout' } });
    const reads = fixture.standIn.received.filter((request) => request.method === 'GET').length;
    expect(reads).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fixture.standIn.received.filter((request) => request.method === 'GET').length).toBe(reads);
  });
});

/** The comparison's service's CONNECTION_TEST_TIMEOUT_MS, half of which BigQuery is asked to hold an answer. */
const COMPARED_TIMEOUT_MS = 5_000;

/**
 * Where our driver differs from @google-cloud/bigquery on purpose: what ours sends, and why. Every
 * other header, query parameter, body field and claim of the grant, the method, the path and the
 * order of the requests must be the same as the official client's.
 */
const DELIBERATE = {
  headers: {
    'user-agent': {
      ours: () => 'database-connection-api',
      why: 'names this service, where Google’s libraries name themselves (gcloud-node-bigquery/…, google-api-nodejs-client/…)',
    },
    'x-goog-api-client': {
      ours: () => undefined,
      why: 'the telemetry of Google’s client libraries (gl-node/… gccl/…): this service is not one of them',
    },
    accept: {
      ours: () => 'application/json',
      why: 'the one type Google answers with; @google-cloud/bigquery asks for */*',
    },
    'accept-encoding': {
      ours: () => undefined,
      why: 'answers are read as they come and bounded in bytes (64 MiB) with no decompression in between; gaxios asks for gzip, deflate, br',
    },
    connection: {
      ours: () => 'close',
      why: 'a connection per request, each through the network guard (and the SSH tunnel); the official client keeps connections alive',
    },
    'content-length': {
      ours: (request: Received) => (request.body ? String(Buffer.byteLength(request.body)) : undefined),
      why: 'follows the body, whose fields differ as listed below',
    },
  },
  query: {
    timeoutMs: {
      ours: (request: Received) =>
        request.path.includes('/queries/') && !request.path.includes('pageToken')
          ? String(COMPARED_TIMEOUT_MS / 2)
          : undefined,
      why: 'BigQuery holds an answer up to 10 s unless told: half our time-out, so it says "not complete yet" before our request gives up',
    },
    maxResults: {
      ours: (request: Received) => (request.path.includes('/datasets') ? '1000' : undefined),
      why: 'datasets in pages of up to 1,000, so a project with many takes fewer requests',
    },
  },
  body: {
    timeoutMs: {
      ours: (request: Received) =>
        request.method === 'POST' && request.path.includes('/queries') ? COMPARED_TIMEOUT_MS / 2 : undefined,
      why: 'as the query parameter timeoutMs',
    },
  },
  claims: {
    exp: {
      ours: (claims: Record<string, number>) => (claims.exp ?? 0) - (claims.iat ?? 0),
      value: 600,
      why: 'the grant’s JWT is used at once: ten minutes rather than Google’s libraries’ hour leaves less to replay',
    },
  },
} as const;

/** The grant's JWT as a service reads it: its header, and its claims but the times (iat, and exp as DELIBERATE says). */
function grantOf(body: string) {
  const form = Object.fromEntries(new URLSearchParams(body));
  const { iat, exp, ...claims } = decodeJwt(form.assertion ?? '');
  return { ...form, assertion: { header: decodeProtectedHeader(form.assertion ?? ''), claims, iat: typeof iat } };
}

/** What Google can notice of a request, but for DELIBERATE, the ids the service hands out, and the ones clients make up. */
function noticed(request: Received, granted: string) {
  const url = new URL(request.path, 'https://x');
  const headers = Object.fromEntries(
    Object.entries(request.headers)
      .filter(([name]) => !(name in DELIBERATE.headers))
      // The access token is the stand-in's, new for each grant: it must be the one granted.
      .map(([name, value]) => [
        name,
        name === 'authorization' && value === `Bearer ${granted}` ? 'Bearer {granted}' : value,
      ]),
  );
  const query = Object.fromEntries(
    [...url.searchParams]
      .filter(([name]) => !(name in DELIBERATE.query))
      // Page tokens are BigQuery's, new for each job: whether one was sent must match.
      .map(([name, value]) => [name, name === 'pageToken' ? '{token}' : value]),
  );
  const path = url.pathname.replace(/\/queries\/job_[\w-]+$/, '/queries/{job}');
  let body: unknown = request.body;
  if (url.pathname === '/token') body = grantOf(request.body);
  else if (request.body) {
    const { requestId, ...fields } = JSON.parse(request.body);
    for (const name of Object.keys(DELIBERATE.body)) delete fields[name];
    // Made up by each client for each statement: both send one.
    body = { ...fields, requestId: typeof requestId };
  }
  return { method: request.method, path, query, headers, body };
}

describe('our requests equal @google-cloud/bigquery’s for the same operation, but for the differences listed', () => {
  const fixture = useGoogleAndService({ CONNECTION_TEST_TIMEOUT_MS: String(COMPARED_TIMEOUT_MS) });

  /** The access token the stand-in granted to the first of these requests, the grant. */
  const granted = (requests: Received[]) => {
    const grant = fixture.standIn.answers.find(({ request }) => request === requests[0]);
    return (grant?.answer.body as { access_token?: string } | undefined)?.access_token ?? '';
  };

  /** Runs `operation` with our driver, then `official` with a new official client; compares the requests. */
  async function compare(
    operation: () => Promise<unknown>,
    official: (client: BigQuery, statements: string[]) => Promise<unknown>,
  ) {
    fixture.standIn.received.length = 0;
    await operation();
    const ours = fixture.standIn.received.splice(0);
    const statements = ours
      .filter((request) => request.method === 'POST' && request.path.includes('/queries'))
      .map((request) => JSON.parse(request.body).query as string);
    await official(officialClient(), statements);
    const theirs = fixture.standIn.received.splice(0);
    expect(ours.map((request) => noticed(request, granted(ours)))).toEqual(
      theirs.map((request) => noticed(request, granted(theirs))),
    );
    for (const request of ours) {
      for (const [name, { ours: value }] of Object.entries(DELIBERATE.headers))
        expect(request.headers[name], name).toBe(value(request));
      const search = new URL(request.path, 'https://x').searchParams;
      for (const [name, { ours: value }] of Object.entries(DELIBERATE.query))
        expect(search.get(name) ?? undefined, name).toBe(value(request));
      if (request.path === '/token') {
        const claims = decodeJwt(new URLSearchParams(request.body).get('assertion') ?? '') as Record<string, number>;
        expect(DELIBERATE.claims.exp.ours(claims)).toBe(DELIBERATE.claims.exp.value);
      } else if (request.body) {
        expect(JSON.parse(request.body).timeoutMs).toBe(DELIBERATE.body.timeoutMs.ours(request));
      }
    }
    return ours;
  }

  it('connecting and running a statement (BigQuery tells no version: SELECT 1)', async () => {
    const ours = await compare(
      async () => {
        const result = await fixture.api.request('POST', `${PATH}/test`, { connection_uri: bigqueryUri() });
        expect(result.body.ok).toBe(true);
      },
      async (client, statements) => {
        expect(statements).toEqual(['SELECT 1']);
        await client.query('SELECT 1');
      },
    );
    expect(ours.map((request) => `${request.method} ${request.headers.host}`)).toEqual([
      `POST ${TOKEN_HOST}`,
      `POST ${API_HOST}`,
      `GET ${API_HOST}`,
    ]);
  });

  it('listing the catalog: the datasets, then their tables and columns', async () => {
    const created = await fixture.api.request('POST', PATH, {
      alias: 'compared',
      connection_uri: bigqueryUri(PROJECT),
    });
    const ours = await compare(
      async () => {
        const discovered = await fixture.api.request('GET', `${PATH}/${created.body.id}/schemas`);
        expect(discovered.body.schemas).toEqual([DISCOVERED_SALES, { name: EMPTY_DATASET, tables: [] }]);
      },
      async (client, statements) => {
        expect(statements).toEqual([
          expect.stringContaining('INFORMATION_SCHEMA.TABLES'),
          expect.stringContaining('INFORMATION_SCHEMA.COLUMNS'),
          expect.stringContaining('INFORMATION_SCHEMA.KEY_COLUMN_USAGE'),
          expect.stringContaining('INFORMATION_SCHEMA.TABLE_OPTIONS'),
          expect.stringContaining('.__TABLES__'),
        ]);
        await client.getDatasets();
        for (const sql of statements) await client.query(sql);
      },
    );
    expect(ours.filter((request) => request.method === 'POST').map((request) => request.path)).toEqual([
      '/token',
      ...Array(5).fill(`/bigquery/v2/projects/${PROJECT}/queries?prettyPrint=false`),
    ]);
  });
});

/** The detailed catalog with its customers in a dataset of their own, `crm`: the foreign key crosses datasets. */
function acrossDatasets(): Warehouse {
  const crm = (schema: string, table: string) => (table === 'customers' ? 'crm' : schema);
  const details = structuredClone(DETAILED_WAREHOUSE.details) as NonNullable<Warehouse['details']>;
  return {
    schemas: ['crm', ...DETAILED_WAREHOUSE.schemas],
    tables: DETAILED_WAREHOUSE.tables.map(([schema, table, type]) => [crm(schema, table), table, type]),
    columns: DETAILED_WAREHOUSE.columns.map(([schema, table, ...rest]) => [crm(schema, table), table, ...rest]),
    details: {
      primaryKeys: details.primaryKeys.map(([schema, table, ...rest]) => [crm(schema, table), table, ...rest]),
      foreignKeys: details.foreignKeys.map((key) => ({ ...key, referencedSchema: 'crm' })),
      comments: details.comments.map(([schema, table, ...rest]) => [crm(schema, table), table, ...rest]),
      rowCounts: details.rowCounts.map(([schema, table, rows]) => [crm(schema, table), table, rows]),
    },
  };
}

describe('keys, descriptions and row counts: INFORMATION_SCHEMA and __TABLES__', () => {
  const options: BigQueryOptions = { warehouse: structuredClone(DETAILED_WAREHOUSE) };
  const fixture = useGoogleAndService({ CONNECTION_TEST_TIMEOUT_MS: '5000' }, options);
  beforeEach(() => {
    options.refuse = undefined;
    (options.warehouse as Warehouse).details = structuredClone(DETAILED_WAREHOUSE.details);
    fixture.standIn.received.length = 0;
  });
  const discover = (uri = bigqueryUri()) => discoverUri(fixture.api, uri);
  const everything = discoveredSchema(DETAILED_WAREHOUSE, 'sales', TOLD);

  it('tells the primary keys, the foreign key (paired by the primary key’s order), descriptions and row counts', async () => {
    expectDetailsTold((await discover()).body.schemas, everything);
  });

  it('the official client reads the answers to the keys’, descriptions’ and row counts’ statements', async () => {
    await discover();
    const statements = fixture.standIn.received
      .filter((request) => request.method === 'POST' && request.path.includes('/queries'))
      .map((request) => JSON.parse(request.body).query as string);
    const read = async (marker: string) =>
      (await officialClient().query(statements.find((sql) => sql.includes(marker)) ?? ''))[0];
    expect(await read('KEY_COLUMN_USAGE')).toContainEqual({
      ...{ schema: 'sales', table: 'orders', kind: 'foreign', key: 'orders_customer_fk', name: 'orders_customer_fk' },
      ...{ column: 'region', referenced_schema: 'sales', referenced_table: 'customers' },
      ...{ referenced_position: 2, position: 2 },
    });
    expect(await read('TABLE_OPTIONS')).toContainEqual({
      schema: 'sales',
      table: 'customers',
      column: null,
      comment: '"People who order"',
    });
    expect(await read('__TABLES__')).toEqual([
      { schema: 'sales', table: 'customers', rows: 3 },
      { schema: 'sales', table: 'orders', rows: 5 },
    ]);
  });

  it('a second scan, after the foreign key was dropped and a description rewritten, finds both changes', async () => {
    const changes = await changesFound(fixture.api, bigqueryUri(), () => {
      (options.warehouse as Warehouse).details = structuredClone(CHANGED_DETAILS);
    });
    expect(changes).toEqual(detailChanges(true));
  });

  it('a description with quotes and a line break: read from its string literal as written', async () => {
    const details = (options.warehouse as Warehouse).details;
    details?.comments.splice(0, 1, ['sales', 'customers', null, 'People "who"\norder \\ here']);
    const [sales] = (await discover()).body.schemas;
    expect(sales.tables[0].comment).toBe('People "who"\norder \\ here');
  });

  it.each([
    ['the keys', /KEY_COLUMN_USAGE/, { keys: false }],
    ['the descriptions', /TABLE_OPTIONS/, { comments: false }],
    ['the row counts', /__TABLES__/, { rowCounts: false }],
  ] as const)('%s refused (403 accessDenied): not told, the rest discovered', async (_case, refuse, untold) => {
    options.refuse = refuse;
    const discovered = await discover();
    expect(discovered.status, JSON.stringify(discovered.body)).toBe(200);
    expect(discovered.body.schemas).toEqual([untoldIn(everything, untold)]);
  });
});

it('reads a description from its string literal, and takes anything that is no such literal as it is', () => {
  expect(stringLiteralValue('"a \\"b\\"\\n\\x41\\u00e9\\U0001F600 \\\\ \\\'"')).toBe('a "b"\nAé😀 \\ \'');
  expect(stringLiteralValue('plain words')).toBe('plain words');
  expect(stringLiteralValue('"unterminated')).toBe('"unterminated');
});

describe('a foreign key to another dataset', () => {
  const fixture = useGoogleAndService({ CONNECTION_TEST_TIMEOUT_MS: '5000' }, { warehouse: acrossDatasets() });
  const discover = async (uri: string) => (await discoverUri(fixture.api, uri)).body.schemas;

  it('is told when both datasets are discovered, paired by the other’s primary key', async () => {
    const sales = (await discover(bigqueryUri(PROJECT))).find((schema: { name: string }) => schema.name === 'sales');
    expect(sales.tables[0].foreign_keys).toEqual([
      {
        name: 'orders_customer_fk',
        columns: ['customer_id', 'region'],
        referenced_schema: 'crm',
        referenced_table: 'customers',
        referenced_columns: ['id', 'region'],
      },
    ]);
  });

  it('is left out when the dataset it references is not discovered: its columns cannot be paired', async () => {
    const [sales] = await discover(bigqueryUri());
    expect(sales.tables[0]).toMatchObject({ name: 'orders', primary_key: ['id'], foreign_keys: [] });
  });
});

describe('a big catalog, whole', () => {
  const fixture = useGoogleAndService(
    { CONNECTION_TEST_TIMEOUT_MS: '60000' },
    { warehouse: bigWarehouse(5_000, 20), pageRows: 10_000 },
  );

  it('discovers every one of 5,000 tables of 20 columns, read over 11 pages', async () => {
    await expectWholeBigCatalog(fixture.api, bigqueryUri(PROJECT), 5_000, 20);
    // 1 page of tables and 10 of columns, each on a request of its own.
    const pages = fixture.standIn.answers.filter(({ answer }) => (answer.body as { rows?: unknown[] }).rows?.length);
    expect(pages.length).toBe(11);
  }, 120_000);
});
