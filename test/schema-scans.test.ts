/**
 * Schema scans through the service, on both stores, against a real PostgreSQL database: the first
 * GET …/schemas scans, later ones answer the snapshot (ETag, If-None-Match → 304) until
 * ?refresh=true; a scan that finds ALTER TABLE ADD COLUMN, DROP TABLE, a type change, a foreign key
 * and COMMENT ON lists each on REST and GraphQL, writes one schema_changed audit event and reaches
 * an open subscription as SCHEMA_CHANGED; another workspace's key sees none of it.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../src/auth/api-keys.ts';
import { loadConfig } from '../src/config.ts';
import type { RunningService } from '../src/service.ts';
import { postgresAvailable, STORES, type TestDatabase } from './support/databases.ts';
import { conform } from './support/openapi.ts';
import { type Client, clientFor, startTestService } from './support/service.ts';
import { type Subscriber, subscribe } from './support/sse.ts';
import { createPostgresTarget } from './support/targets.ts';
import { until } from './support/until.ts';

const PATH = '/api/v1/database-connections';
const OPERATOR = generateApiKey();
const API_KEYS = JSON.stringify([
  {
    name: 'operator',
    hash: hashApiKey(OPERATOR),
    scopes: ['connections:read', 'connections:write', 'audit:read', 'metrics:read', 'access:admin'],
  },
]);
const EVENTS = `subscription($id: ID) { databaseConnectionEvents(id: $id) {
  action connectionId schemaChanges { total counts { kind count } first { kind path before after } }
} }`;

const EXPECTED = [
  { kind: 'comment_changed', path: 'sales.customers', before: null, after: 'People who order' },
  {
    kind: 'key_changed',
    path: 'sales.orders',
    before: null,
    after: 'FOREIGN KEY orders_customer_fk (customer_id) REFERENCES sales.customers (id)',
  },
  { kind: 'type_changed', path: 'sales.orders.note', before: 'text', after: 'character varying(200)' },
  { kind: 'column_added', path: 'sales.orders.placed_at', before: null, after: 'timestamp with time zone' },
  { kind: 'table_removed', path: 'sales.scratch', before: 'table', after: null },
];

describe.each(STORES)('schema scans on $name', (store) => {
  const skip = store.skip || !postgresAvailable;
  let database: TestDatabase;
  let service: RunningService;
  let target: Awaited<ReturnType<typeof createPostgresTarget>>;
  let api: Client;
  let other: Client;
  let otherKey = '';
  let id = '';
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: target.uri.replace('?sslmode=disable', '') });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };
  const as = (key: string): Client => {
    const client = clientFor(service.url);
    const headers = { authorization: `Bearer ${key}` };
    return {
      request: (method, path, body, more = {}) => client.request(method, path, body, { ...headers, ...more }),
      graphql: async (query, variables) =>
        (await client.request('POST', '/graphql', { query, variables }, headers)).body,
    };
  };

  beforeAll(async () => {
    if (skip) return;
    database = await store.create();
    service = await startTestService(database.url, { API_KEYS, INTROSPECTION_CACHE_MS: '60000' });
    target = await createPostgresTarget();
    await run(`CREATE TABLE sales.customers (id integer PRIMARY KEY);
      CREATE TABLE sales.scratch (id integer); ALTER TABLE sales.orders ADD COLUMN customer_id integer;`);
    api = as(OPERATOR);
    for (const name of ['sales', 'ops'])
      expect((await api.request('POST', '/api/v1/workspaces', { name })).status).toBe(201);
    const created = await api.request('POST', PATH, {
      alias: 'shop',
      connection_uri: target.uri,
      schemas: ['sales'],
      workspace: 'sales',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    id = created.body.id;
    const grants = [
      { workspace: 'ops', scopes: ['connections:read', 'connections:write', 'audit:read', 'metrics:read'] },
    ];
    const key = await api.request('POST', '/api/v1/api-keys', { name: 'ops', grants });
    expect(key.status, JSON.stringify(key.body)).toBe(201);
    otherKey = key.body.key;
    other = as(otherKey);
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
    await target?.drop();
  });

  it.skipIf(skip)(
    'scans on the first call, then answers the snapshot with its ETag (304 while unchanged)',
    async () => {
      const first = await api.request('GET', `${PATH}/${id}/schemas`);
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      conform(`${PATH}/{id}/schemas`, 'GET', first);
      expect(first.body.schemas[0].tables.map((table: { name: string }) => table.name)).toEqual([
        'big_orders',
        'customers',
        'orders',
        'scratch',
      ]);
      const etag = first.headers.get('etag') ?? '';
      // Weak: scanned_at and the row estimates change under it.
      expect(etag).toMatch(/^W\/"[0-9a-f]{64}"$/);
      expect(Date.parse(first.body.scanned_at)).toBeLessThanOrEqual(Date.now());
      // What GraphQL's SchemaSnapshot tells, REST tells too; the first scan first found it when it scanned.
      const graph = await api.graphql(
        `query($id: ID!) { databaseConnection(id: $id) { schemaSnapshot { ... on SchemaSnapshotSuccess {
          snapshot { scannedAt firstFoundAt tableCount columnCount }
        } } } }`,
        { id },
      );
      const { scannedAt, firstFoundAt, tableCount, columnCount } =
        graph.data.databaseConnection.schemaSnapshot.snapshot;
      expect(first.body).toMatchObject({
        scanned_at: scannedAt,
        first_found_at: firstFoundAt,
        table_count: tableCount,
        column_count: columnCount,
      });
      expect(first.body.first_found_at).toBe(first.body.scanned_at);
      expect(first.body.table_count).toBe(4);
      expect(first.body.column_count).toBe(
        first.body.schemas[0].tables.reduce((sum: number, table: { columns: [] }) => sum + table.columns.length, 0),
      );
      // Changed since, but not scanned: the snapshot, and 304 for its ETag.
      await run('CREATE TABLE sales.unseen (id integer)');
      const again = await api.request('GET', `${PATH}/${id}/schemas`, undefined, { 'if-none-match': etag });
      expect(again.status).toBe(304);
      expect(again.text).toBe('');
      expect(again.headers.get('etag')).toBe(etag);
      // Compared weakly (RFC 9110): the strong spelling, `*` and a list holding it match; another tag does not.
      const strong = etag.replace(/^W\//, '');
      for (const given of [strong, '*', `"0000", ${etag}`, ` W/"0000" ,${strong} `]) {
        const reply = await api.request('GET', `${PATH}/${id}/schemas`, undefined, { 'if-none-match': given });
        expect(reply.status, given).toBe(304);
      }
      for (const given of ['W/"0000"', '"0000"', `${strong.slice(0, -2)}"`]) {
        const reply = await api.request('GET', `${PATH}/${id}/schemas`, undefined, { 'if-none-match': given });
        expect(reply.status, given).toBe(200);
      }
      expect((await api.request('GET', `${PATH}/${id}/schemas`)).body).toEqual(first.body);
      await run('DROP TABLE sales.unseen');
      // A refresh that finds the same catalog: the same ETag, a later scanned_at, no change recorded.
      const same = await api.request('GET', `${PATH}/${id}/schemas?refresh=true`, undefined, { 'if-none-match': etag });
      expect(same.status).toBe(304);
      const changes = await api.request('GET', `${PATH}/${id}/schema-changes`);
      expect(changes.status).toBe(200);
      expect(changes.body).toEqual([]);
    },
  );

  it.skipIf(skip)('lists what a refresh found on REST and GraphQL, audits it, and tells the subscriber', async () => {
    const subscriber: Subscriber = await subscribe(
      service.url,
      EVENTS,
      { id },
      { authorization: `Bearer ${OPERATOR}` },
    );
    const outsider: Subscriber = await subscribe(service.url, EVENTS, {}, { authorization: `Bearer ${otherKey}` });
    try {
      const before = (await api.request('GET', `${PATH}/${id}/schemas`)).headers.get('etag');
      await run(`ALTER TABLE sales.orders ADD COLUMN placed_at timestamptz;
        DROP TABLE sales.scratch;
        ALTER TABLE sales.orders ALTER COLUMN note TYPE varchar(200);
        ALTER TABLE sales.orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES sales.customers (id);
        COMMENT ON TABLE sales.customers IS 'People who order';`);
      const refreshed = await api.request('GET', `${PATH}/${id}/schemas?refresh=true`);
      expect(refreshed.status).toBe(200);
      expect(refreshed.headers.get('etag')).not.toBe(before);
      expect(refreshed.body.schemas[0].tables.map((table: { name: string }) => table.name)).toEqual([
        'big_orders',
        'customers',
        'orders',
      ]);

      const event = (await subscriber.next(5_000)).data?.databaseConnectionEvents;
      expect(event).toMatchObject({ action: 'SCHEMA_CHANGED', connectionId: id });
      expect(event.schemaChanges.total).toBe(5);
      expect(event.schemaChanges.counts).toHaveLength(5);
      // Every surface lists a scan's changes in path order.
      expect(event.schemaChanges.first.map(({ kind, path }: { kind: string; path: string }) => [kind, path])).toEqual(
        EXPECTED.map(({ kind, path }) => [kind.toUpperCase(), path]),
      );

      const listed = await api.request('GET', `${PATH}/${id}/schema-changes`);
      expect(listed.status).toBe(200);
      conform(`${PATH}/{id}/schema-changes`, 'GET', listed);
      expect(listed.body.map(({ detected_at: _, ...change }: { detected_at: string }) => change)).toEqual(EXPECTED);
      expect(new Set(listed.body.map((change: { detected_at: string }) => change.detected_at)).size).toBe(1);

      const graph = await api.graphql(
        `query($id: ID!) { databaseConnection(id: $id) {
          schemaSnapshot { ... on SchemaSnapshotSuccess { snapshot { scannedAt contentHash tableCount } } }
          schemaChanges(first: 10) { edges { node { kind path before after } } }
        } }`,
        { id },
      );
      expect(graph.errors).toBeUndefined();
      const connection = graph.data.databaseConnection;
      expect(`W/"${connection.schemaSnapshot.snapshot.contentHash}"`).toBe(refreshed.headers.get('etag'));
      expect(connection.schemaSnapshot.snapshot.tableCount).toBe(3);
      expect(
        connection.schemaChanges.edges.map(({ node }: any) => ({ ...node, kind: node.kind.toLowerCase() })),
      ).toEqual(listed.body.map(({ detected_at: _, ...change }: { detected_at: string }) => change));

      const trail = await api.request('GET', `/api/v1/audit-events?action=schema_changed&connection_id=${id}`);
      expect(trail.body).toHaveLength(1);
      expect(trail.body[0]).toMatchObject({ actor: 'operator', workspace: 'sales', alias: 'shop', outcome: 'ok' });
      expect([...trail.body[0].fields].sort()).toEqual([
        'column_added:1',
        'comment_changed:1',
        'key_changed:1',
        'table_removed:1',
        'type_changed:1',
      ]);
      const metrics = (await api.request('GET', '/metrics')).text;
      for (const { kind } of EXPECTED) {
        expect(metrics).toContain(`schema_changes_detected_total{workspace="sales",kind="${kind}"} 1\n`);
      }
      // Another workspace's subscriber hears its own workspace's next change, not the scan's.
      const mine = await other.request('POST', PATH, { alias: 'ops-db', connection_uri: target.uri, workspace: 'ops' });
      expect(mine.status).toBe(201);
      const heard = (await outsider.next(5_000)).data?.databaseConnectionEvents;
      expect(heard).toMatchObject({ action: 'CREATED', connectionId: mine.body.id, schemaChanges: null });
    } finally {
      subscriber.close();
      outsider.close();
    }
  });

  it.skipIf(skip)(
    'pages the changes newest first, from a cursor, since a moment; bad cursors and dates are 400',
    async () => {
      const all = (await api.request('GET', `${PATH}/${id}/schema-changes`)).body;
      const first = await api.request('GET', `${PATH}/${id}/schema-changes?limit=2`);
      expect(first.body).toEqual(all.slice(0, 2));
      const link = first.headers.get('link') ?? '';
      const next = /^<([^>]+)>; rel="next"$/.exec(link)?.[1] ?? '';
      expect(next).toContain(`${PATH}/${id}/schema-changes?limit=2&cursor=`);
      expect((await api.request('GET', next)).body).toEqual(all.slice(2, 4));
      const since = new Date(Date.now() + 60_000).toISOString();
      expect((await api.request('GET', `${PATH}/${id}/schema-changes?since=${since}`)).body).toEqual([]);
      const detected = all[0].detected_at;
      expect((await api.request('GET', `${PATH}/${id}/schema-changes?since=${detected}`)).body).toEqual(all);
      // Numbers beyond the id column's 32 bits were never given out: refused alike on both stores (a 500 on PostgreSQL before).
      for (const cursor of ['nope', '2147483648', '9007199254740993']) {
        const badCursor = await api.request('GET', `${PATH}/${id}/schema-changes?cursor=${cursor}`);
        expect(badCursor.status, cursor).toBe(400);
        expect(badCursor.body.code, cursor).toBe('validation_failed');
        expect(badCursor.body.errors).toEqual([{ field: 'cursor', message: 'is not a cursor this API returned' }]);
        const { errors } = await api.graphql(
          `query($id: ID!, $after: String) { databaseConnection(id: $id) { schemaChanges(first: 2, after: $after) { edges { cursor } } } }`,
          { id, after: cursor },
        );
        expect(errors?.[0], cursor).toMatchObject({
          message: `"${cursor}" is not a cursor this API returned.`,
          extensions: { code: 'BAD_USER_INPUT' },
        });
      }
      const largest = await api.request('GET', `${PATH}/${id}/schema-changes?cursor=2147483647`);
      expect(largest.status).toBe(200);
      expect(largest.body).toEqual(all);
      const badSince = await api.request('GET', `${PATH}/${id}/schema-changes?since=yesterday`);
      expect(badSince.status).toBe(400);
      expect(badSince.body.errors).toEqual([
        { field: 'since', message: 'must be a date and time with its offset (RFC 3339), such as 2026-12-07T10:00:00Z' },
      ]);
    },
  );

  it.skipIf(skip)("is not found by another workspace's key, on REST and GraphQL", async () => {
    for (const path of [
      `${PATH}/${id}/schemas`,
      `${PATH}/${id}/schemas?refresh=true`,
      `${PATH}/${id}/schema-changes`,
    ]) {
      const reply = await other.request('GET', path);
      expect(reply.status, path).toBe(404);
      expect(reply.body.code).toBe('not_found');
    }
    const graph = await other.graphql(
      'query($id: ID!) { databaseConnection(id: $id) { schemaChanges { edges { node { path } } } } }',
      { id },
    );
    expect(graph.data.databaseConnection).toBeNull();
    const metrics = await other.request('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).not.toContain('workspace="sales"');
    // Nothing the other key asked for was scanned or recorded.
    const trail = await api.request('GET', `/api/v1/audit-events?action=schema_changed&connection_id=${id}`);
    expect(trail.body).toHaveLength(1);
  });

  it.skipIf(skip)('answers an unreachable database as discovery does, recording nothing', async () => {
    const down = await api.request('POST', PATH, {
      alias: 'down',
      connection_uri: 'postgresql://u:p@127.0.0.1:1/db',
      workspace: 'sales',
    });
    expect(down.status).toBe(201);
    const reply = await api.request('GET', `${PATH}/${down.body.id}/schemas`);
    expect(reply.status).toBe(422);
    expect(reply.body).toMatchObject({ code: 'connection_failed' });
    // A scan's failure says so: it was no connection test.
    expect(reply.body.detail).toMatch(/^Schema discovery failed \(connection_refused\): /);
    expect((await api.request('GET', `${PATH}/${down.body.id}/schema-changes`)).body).toEqual([]);
    expect((await api.request('GET', `${PATH}/00000000-0000-4000-8000-000000000000/schema-changes`)).status).toBe(404);
  });

  it.skipIf(skip)(
    "follows a workspace's rename: its audit events and change counts go with it, a workspace given the old name has none",
    async () => {
      expect((await api.request('PUT', '/api/v1/workspaces/sales', { name: 'sales-eu' })).status).toBe(200);
      expect((await api.request('POST', '/api/v1/workspaces', { name: 'sales' })).status).toBe(201);
      const keyOn = async (workspace: string) => {
        const grants = [{ workspace, scopes: ['audit:read', 'metrics:read'] }];
        const made = await api.request('POST', '/api/v1/api-keys', { name: `${workspace}-auditor`, grants });
        expect(made.status, JSON.stringify(made.body)).toBe(201);
        return as(made.body.key);
      };
      const [renamed, reborn] = [await keyOn('sales-eu'), await keyOn('sales')];
      const scanned = (await renamed.request('GET', `/api/v1/audit-events?action=schema_changed&connection_id=${id}`))
        .body;
      expect(scanned).toMatchObject([{ workspace: 'sales-eu', connection_id: id }]);
      const theirs = (await reborn.request('GET', '/api/v1/audit-events')).body;
      // Its own making and its key's, newest first; nothing of the renamed workspace's.
      expect(theirs.map((event: { action: string }) => event.action)).toEqual(['create_api_key', 'create_workspace']);
      const renamedMetrics = (await renamed.request('GET', '/metrics')).text;
      for (const { kind } of EXPECTED) {
        expect(renamedMetrics).toContain(`schema_changes_detected_total{workspace="sales-eu",kind="${kind}"} 1\n`);
      }
      expect((await reborn.request('GET', '/metrics')).text).not.toContain('schema_changes_detected_total{');
      expect((await api.request('GET', '/metrics')).text).not.toContain(
        'schema_changes_detected_total{workspace="sales"',
      );
    },
  );

  it.skipIf(skip)("lists scans newest first and each scan's changes in path order, across pages", async () => {
    await run('CREATE TABLE sales.z_new (id integer); CREATE TABLE sales.a_new (id integer);');
    expect((await api.request('GET', `${PATH}/${id}/schemas?refresh=true`)).status).toBe(200);
    const later = [
      { kind: 'table_added', path: 'sales.a_new', before: null, after: 'table' },
      { kind: 'table_added', path: 'sales.z_new', before: null, after: 'table' },
    ];
    const all = (await api.request('GET', `${PATH}/${id}/schema-changes`)).body;
    expect(all.map(({ detected_at: _, ...change }: { detected_at: string }) => change)).toEqual([
      ...later,
      ...EXPECTED,
    ]);
    // Page by page (the keyset cursor between and within scans), the same list.
    const paged = [];
    for (let next: string | undefined = `${PATH}/${id}/schema-changes?limit=3`; next; ) {
      const page = await api.request('GET', next);
      paged.push(...page.body);
      next = /^<([^>]+)>; rel="next"$/.exec(page.headers.get('link') ?? '')?.[1];
    }
    expect(paged).toEqual(all);
  });
});

describe.each(STORES)('scheduled schema scans on $name', (store) => {
  const skip = store.skip || !postgresAvailable;

  it.skipIf(skip)(
    'scan each connection with its health check, finding what changed with no one asking',
    async () => {
      const database = await store.create();
      const target = await createPostgresTarget();
      const service = await startTestService(database.url, {
        HEALTH_CHECK_INTERVAL_S: '1',
        SCHEMA_SCAN_INTERVAL_S: '1',
        INTROSPECTION_CACHE_MS: '60000',
      });
      try {
        const api = clientFor(service.url);
        const created = await api.request('POST', PATH, {
          alias: 'watched',
          connection_uri: target.uri,
          schemas: ['sales'],
        });
        expect(created.status).toBe(201);
        const { id } = created.body;
        expect((await api.request('GET', `${PATH}/${id}/schemas`)).status).toBe(200);
        const client = new pg.Client({ connectionString: target.uri.replace('?sslmode=disable', '') });
        await client.connect();
        await client.query('ALTER TABLE sales.orders ADD COLUMN placed_at date').finally(() => client.end());
        const changes = await until(
          async () => (await api.request('GET', `${PATH}/${id}/schema-changes`)).body,
          (body) => body.length > 0,
          15_000,
        );
        expect(changes).toMatchObject([{ kind: 'column_added', path: 'sales.orders.placed_at', after: 'date' }]);
        const trail = await api.request('GET', `/api/v1/audit-events?action=schema_changed&connection_id=${id}`);
        expect(trail.body).toMatchObject([{ actor: 'health-check', fields: ['column_added:1'] }]);
      } finally {
        await service.stop();
        await database.drop();
        await target.drop();
      }
    },
    60_000,
  );
});

describe('SCHEMA_SCAN_INTERVAL_S', () => {
  it('is refused without scheduled health checks, which the scans run with', () => {
    expect(() => loadConfig({ SCHEMA_SCAN_INTERVAL_S: '60', HEALTH_CHECK_INTERVAL_S: '0' })).toThrow(
      /SCHEMA_SCAN_INTERVAL_S needs HEALTH_CHECK_INTERVAL_S/,
    );
    expect(loadConfig({ SCHEMA_SCAN_INTERVAL_S: '60' }).SCHEMA_SCAN_INTERVAL_S).toBe(60);
    expect(() => loadConfig({ SCHEMA_SCAN_INTERVAL_S: '-1' })).toThrow(/SCHEMA_SCAN_INTERVAL_S/);
  });
});
