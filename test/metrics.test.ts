/** GET /metrics: Prometheus text, from real requests to the real server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../src/auth/api-keys.ts';
import type { RunningService } from '../src/service.ts';
import { dropTable, runSql, STORES, type TestDatabase } from './support/databases.ts';
import { clientFor, startTestService } from './support/service.ts';

const PATH = '/api/v1/database-connections';
const KEY = generateApiKey();
/** The scraper's key: metrics:read alone. */
const SCRAPER_KEY = generateApiKey();
const API_KEYS = JSON.stringify([
  { name: 'metrics-test', hash: hashApiKey(KEY), scopes: ['connections:read', 'connections:write'] },
  { name: 'prometheus', hash: hashApiKey(SCRAPER_KEY), scopes: ['metrics:read'] },
]);
const SCRAPER = { authorization: `Bearer ${SCRAPER_KEY}` };
const BODY = { alias: 'warehouse', connection_uri: 'postgresql://u:secret-pw@db/x' };

/** The value of one sample line, e.g. `http_requests_total{route="/health",method="GET",status="200"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe.each(STORES)('metrics on $name', ({ create, skip }) => {
  let database: TestDatabase;
  let service: RunningService;
  beforeAll(async () => {
    if (skip) return;
    database = await create();
    service = await startTestService(database.url, { API_KEYS });
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });

  it.skipIf(skip)('counts requests by route (ids replaced), method and status, with latencies', async () => {
    const api = clientFor(service.url);
    const auth = { authorization: `Bearer ${KEY}` };
    const created = await api.request('POST', PATH, BODY, auth);
    expect(created.status).toBe(201);
    await api.request('GET', `${PATH}/${created.body.id}`, undefined, auth);
    await api.request('GET', `${PATH}/00000000-0000-4000-8000-000000000000`, undefined, auth);
    await api.request('GET', PATH); // no key: 401

    // The series name connections by alias: a key with metrics:read, and only that scope, reads them.
    const anonymous = await api.request('GET', '/metrics');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const reader = await api.request('GET', '/metrics', undefined, auth);
    expect(reader.status).toBe(403);
    expect(reader.body).toMatchObject({ code: 'forbidden', detail: expect.stringMatching(/metrics:read/) });
    expect(JSON.stringify(reader.body)).not.toContain('warehouse');
    const scraperRead = await api.request('GET', PATH, undefined, SCRAPER);
    expect(scraperRead.status).toBe(403);
    const reply = await api.request('GET', '/metrics', undefined, SCRAPER);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = reply.text;
    const item = `${PATH}/{id}`;
    expect(sample(text, `http_requests_total{route="${PATH}",method="POST",status="201"}`)).toBe(1);
    expect(sample(text, `http_requests_total{route="${item}",method="GET",status="200"}`)).toBe(1);
    expect(sample(text, `http_requests_total{route="${item}",method="GET",status="404"}`)).toBe(1);
    expect(sample(text, `http_requests_total{route="${PATH}",method="GET",status="401"}`)).toBe(1);
    expect(sample(text, `http_request_duration_seconds_count{route="${item}",method="GET"}`)).toBe(2);
    expect(sample(text, `http_request_duration_seconds_bucket{le="+Inf",route="${item}",method="GET"}`)).toBe(2);
    // The REST calls ran GraphQL operations, counted by name.
    expect(
      sample(text, 'graphql_operations_total{operation_name="RestCreateDatabaseConnection",operation_type="mutation"}'),
    ).toBe(1);
    expect(
      sample(text, 'graphql_operations_total{operation_name="RestGetDatabaseConnection",operation_type="query"}'),
    ).toBe(2);
    // The process's default metrics.
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    // Labels never carry ids or secrets.
    expect(text).not.toContain(created.body.id);
    expect(text).not.toContain('secret-pw');
  });

  it.skipIf(skip)('counts GraphQL operations by name, and database errors by code', async () => {
    const api = clientFor(service.url);
    const auth = { authorization: `Bearer ${KEY}` };
    const query = (body: object) => api.request('POST', '/graphql', body, auth);
    await query({ query: 'query CountThem { databaseConnections { totalCount } }' });
    await query({ query: '{ databaseConnections { totalCount } }' });
    const before = await api.request('GET', '/metrics', undefined, SCRAPER);
    expect(sample(before.text, 'graphql_operations_total{operation_name="CountThem",operation_type="query"}')).toBe(1);
    expect(sample(before.text, 'graphql_operations_total{operation_name="anonymous",operation_type="query"}')).toBe(1);
    expect(before.text).not.toMatch(/^database_errors_total\{/m);

    // Break the store under the running service: its table disappears. No change event tells the
    // read cache, which still holds the count read above: these requests ask past it.
    await dropTable(database, 'database_connections');
    const fresh = { ...auth, 'cache-control': 'no-cache' };
    expect((await api.request('GET', PATH, undefined, fresh)).status).toBe(500);
    const counted = await api.request('POST', '/graphql', { query: '{ databaseConnections { totalCount } }' }, fresh);
    expect(counted.body.errors).toHaveLength(1);
    const after = await api.request('GET', '/metrics', undefined, SCRAPER);
    const errors = after.text.split('\n').filter((line) => line.startsWith('database_errors_total{'));
    expect(errors.reduce((sum, line) => sum + Number(line.split(' ')[1]), 0)).toBe(2);
    expect(errors[0]).toMatch(/^database_errors_total\{code="P\d{4}"\} \d/);
  });
});

describe.each(STORES)('the health of connections on /metrics, per workspace, on $name', ({ create, skip }) => {
  let database: TestDatabase;
  let service: RunningService;
  const OPERATOR = generateApiKey();
  const keys = JSON.stringify([
    { name: 'operator', hash: hashApiKey(OPERATOR), scopes: ['connections:write', 'access:admin'] },
    { name: 'prometheus', hash: hashApiKey(SCRAPER_KEY), scopes: ['metrics:read'] },
  ]);
  const as = (key: string) => (method: string, path: string, body?: unknown) =>
    clientFor(service.url).request(method, path, body, { authorization: `Bearer ${key}` });
  /** The label sets of a series, as `workspace/alias` with its value. */
  const series = (text: string, name: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(`${name}{`))
      .map((line) => {
        const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1], match[2]]));
        return `${labels.workspace}/${labels.alias} ${line.split(' ').at(-1)}`;
      })
      .sort();

  beforeAll(async () => {
    if (skip) return;
    database = await create();
    service = await startTestService(database.url, { API_KEYS: keys });
    const operator = as(OPERATOR);
    for (const name of ['a', 'b']) expect((await operator('POST', '/api/v1/workspaces', { name })).status).toBe(201);
    for (const [workspace, alias] of [
      ['a', 'orders'],
      ['b', 'orders'],
      ['b', 'b-payroll-hidden'],
    ]) {
      const created = await operator('POST', PATH, { workspace, alias, connection_uri: 'postgresql://u:p@db/x' });
      expect(created.status).toBe(201);
    }
    // As if each had been checked: the scheduled checks are off in the tests.
    await runSql(database, "UPDATE database_connections SET health_status = 'ok', health_latency_ms = 12");
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });

  it.skipIf(skip)('shows a key with metrics:read in one workspace only the series of that workspace', async () => {
    // The attack: an admin of workspace a makes a metrics key for a, and reads b's connections with it.
    const adminOfA = await as(OPERATOR)('POST', '/api/v1/api-keys', {
      name: 'admin-of-a',
      grants: [{ workspace: 'a', scopes: ['access:admin', 'metrics:read'] }],
    });
    const made = await as(adminOfA.body.key)('POST', '/api/v1/api-keys', {
      name: 'metrics-of-a',
      grants: [{ workspace: 'a', scopes: ['metrics:read'] }],
    });
    expect(made.status, made.text).toBe(201);
    const reply = await as(made.body.key)('GET', '/metrics');
    expect(reply.status).toBe(200);
    expect(series(reply.text, 'database_connection_up')).toEqual(['a/orders 1']);
    expect(series(reply.text, 'database_connection_check_latency_seconds')).toEqual(['a/orders 0.012']);
    expect(reply.text).not.toContain('workspace="b"');
    expect(reply.text).not.toContain('b-payroll-hidden');
    // Reading b's connections is not reading their metrics.
    const readerOfB = await as(OPERATOR)('POST', '/api/v1/api-keys', {
      name: 'reader-of-b',
      grants: [
        { workspace: 'a', scopes: ['metrics:read'] },
        { workspace: 'b', scopes: ['connections:read'] },
      ],
    });
    expect(readerOfB.status, readerOfB.text).toBe(201);
    const read = await as(readerOfB.body.key)('GET', '/metrics');
    expect(series(read.text, 'database_connection_up')).toEqual(['a/orders 1']);
    expect(read.text).not.toContain('b-payroll-hidden');
  });

  it.skipIf(skip)(
    'shows a scraper with metrics:read everywhere every connection, told apart by workspace',
    async () => {
      const reply = await as(SCRAPER_KEY)('GET', '/metrics');
      expect(reply.status).toBe(200);
      expect(series(reply.text, 'database_connection_up')).toEqual([
        'a/orders 1',
        'b/b-payroll-hidden 1',
        'b/orders 1',
      ]);
      expect(reply.text).toMatch(/^database_connection_up\{workspace="b",alias="orders",dialect="postgresql"\} 1$/m);
    },
  );
});
