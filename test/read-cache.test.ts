/**
 * The read cache is never wrong: on each store, with two instances on one database, every read
 * (REST GET by id and the list, GraphQL databaseConnection, node and pages) sees a write at once on
 * the instance that made it and once its change event arrives on the other; changes by the
 * command-line tools, workspace renames and health checks reach it too; Cache-Control: no-cache
 * reads the database; a broken listener empties it until it is back; and what one caller may not
 * see, or reveal, is never answered to it from what another read. In itself: its bounds in entries
 * and bytes hold, and a read under way when a change came is not kept.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../src/auth/api-keys.ts';
import { SCOPES } from '../src/auth/grants.ts';
import { createReadCache, type ReadCacheSettings } from '../src/commands/connections/read-cache.ts';
import type { ConnectionRow } from '../src/db/tables/connections.ts';
import { wantsFresh } from '../src/http/cache-control.ts';
import type { RunningService } from '../src/service.ts';
import { runSql, STORES, type TestDatabase } from './support/databases.ts';
import { runCli } from './support/process.ts';
import { clientFor, startTestService, TEST_ENCRYPTION_KEY } from './support/service.ts';
import { until } from './support/until.ts';

const PATH = '/api/v1/database-connections';
const ADMIN = generateApiKey();
const SALES = generateApiKey();
const API_KEYS = JSON.stringify([
  {
    name: 'admin',
    hash: hashApiKey(ADMIN),
    scopes: [...SCOPES],
  },
  { name: 'sales-reader', hash: hashApiKey(SALES), grants: [{ workspace: 'sales', scopes: ['connections:read'] }] },
]);
const URI = 'postgresql://bi:Very-Secret@db.example.com:5432/orders';

const NODE = `query ($id: ID!) { node(id: $id) { ... on DatabaseConnection { alias } } }`;
const BY_ID = `query ($id: ID!) { databaseConnection(id: $id) { alias } }`;
const PAGE = '{ databaseConnections(first: 50) { totalCount edges { node { id alias } } } }';

/** The sum of a metric's samples whose line starts with `prefix`. */
const sample = (text: string, prefix: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith(prefix))
    .reduce((sum, line) => sum + Number(line.split(' ')[1]), 0);

describe.each(STORES)('the read cache on $name', (store) => {
  let database: TestDatabase;
  let one: RunningService;
  let two: RunningService;
  const as = (key: string, service: () => RunningService, headers: Record<string, string> = {}) => ({
    rest: (method: string, path: string, body?: unknown) =>
      clientFor(service().url).request(method, path, body, { authorization: `Bearer ${key}`, ...headers }),
    gql: async (query: string, variables: Record<string, unknown> = {}) =>
      (
        await clientFor(service().url).request(
          'POST',
          '/graphql',
          { query, variables },
          { authorization: `Bearer ${key}`, ...headers },
        )
      ).body,
  });
  const first = as(ADMIN, () => one);
  const second = as(ADMIN, () => two);

  /** What each interface of an instance reads of a connection: REST GET, list, GraphQL by id, node, page. */
  async function readsOf(api: ReturnType<typeof as>, id: string) {
    const listed = (await api.rest('GET', PATH)).body as { id: string; alias: string }[];
    const page = (await api.gql(PAGE)).data.databaseConnections;
    const node = (await api.gql(NODE, { id })).data;
    return {
      get: (await api.rest('GET', `${PATH}/${id}`)).body?.alias ?? null,
      list: listed.find((row) => row.id === id)?.alias ?? null,
      byId: (await api.gql(BY_ID, { id })).data.databaseConnection?.alias ?? null,
      page: (page.edges as { node: { id: string; alias: string } }[]).find((e) => e.node.id === id)?.node.alias ?? null,
      node: node?.node?.alias ?? null,
    };
  }
  const everywhere = (alias: string | null) => ({ get: alias, list: alias, byId: alias, page: alias, node: alias });

  /** How many reads this instance answered from its cache. */
  const hits = async (service: RunningService) =>
    sample(
      (await clientFor(service.url).request('GET', '/metrics', undefined, { authorization: `Bearer ${ADMIN}` })).text,
      'read_cache_reads_total{outcome="hit"}',
    );

  beforeAll(async () => {
    if (store.skip) return;
    database = await store.create();
    one = await startTestService(database.url, { API_KEYS });
    two = await startTestService(database.url, { API_KEYS });
    expect((await first.rest('POST', '/api/v1/workspaces', { name: 'sales' })).status).toBe(201);
  });
  afterAll(async () => {
    await one?.stop();
    await two?.stop();
    await database?.drop();
  });

  it.skipIf(store.skip)('answers reads again from memory, and a write on the same instance at once', async () => {
    const id = (await first.rest('POST', PATH, { alias: 'cached', connection_uri: URI })).body.id as string;
    // The create is seen at once, by every read (the first reads fill the cache, the next hit it).
    expect(await readsOf(first, id)).toEqual(everywhere('cached'));
    // Read again until every read is a hit: on PostgreSQL this instance also hears its own create's
    // NOTIFY, which may come after the reads above filled the cache and make it forget once more.
    const gained = await until(
      async () => {
        const before = await hits(one);
        expect(await readsOf(first, id)).toEqual(everywhere('cached'));
        return (await hits(one)) - before;
      },
      (hitsGained) => hitsGained >= 5,
      10_000,
    );
    expect(gained).toBeGreaterThanOrEqual(5);

    expect((await first.rest('PUT', `${PATH}/${id}`, { alias: 'renamed', connection_uri: URI })).status).toBe(200);
    expect(await readsOf(first, id)).toEqual(everywhere('renamed'));

    expect((await first.rest('DELETE', `${PATH}/${id}`)).status).toBe(200);
    expect(await readsOf(first, id)).toEqual(everywhere(null));
  });

  it.skipIf(store.skip)("sees another instance's writes once their change events arrive", async () => {
    const id = (await first.rest('POST', PATH, { alias: 'shared', connection_uri: URI })).body.id as string;
    await until(
      () => readsOf(second, id),
      (reads) => reads.get === 'shared',
      5_000,
    );
    // Cached on the second instance; changed on the first.
    expect(await readsOf(second, id)).toEqual(everywhere('shared'));
    const changedAt = Date.now();
    expect((await first.rest('PUT', `${PATH}/${id}`, { alias: 'shared-2', connection_uri: URI })).status).toBe(200);
    const seen = await until(
      () => readsOf(second, id),
      (reads) => Object.values(reads).every((alias) => alias === 'shared-2'),
      5_000,
    );
    const windowMs = Date.now() - changedAt;
    expect(seen).toEqual(everywhere('shared-2'));
    // The change event's delivery: NOTIFY on PostgreSQL, the audit trail read every 250 ms on SQLite.
    expect(windowMs).toBeLessThan(2_000);

    expect((await first.rest('DELETE', `${PATH}/${id}`)).status).toBe(200);
    expect(
      await until(
        () => readsOf(second, id),
        (reads) => Object.values(reads).every((alias) => alias === null),
        5_000,
      ),
    ).toEqual(everywhere(null));
  });

  it.skipIf(store.skip)('sees what the command-line tools change', async () => {
    const id = (await second.rest('POST', PATH, { alias: 'tooled', connection_uri: URI })).body.id as string;
    expect((await readsOf(second, id)).get).toBe('tooled');
    const path = join(mkdtempSync(join(tmpdir(), 'dcapi-cache-')), 'import.yaml');
    writeFileSync(
      path,
      `connections:\n  - alias: tooled\n    connection_uri: postgresql://u:p@elsewhere.internal/db\n`,
    );
    const imported = await runCli('import', [path], {
      DATABASE_URL: database.url,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    });
    expect(imported.code, imported.stderr).toBe(0);
    const uri = async () => (await second.rest('GET', `${PATH}/${id}`)).body.connection_uri as string;
    expect(await until(uri, (value) => value.includes('elsewhere.internal'), 5_000)).toContain('elsewhere.internal');
  });

  it.skipIf(store.skip)('follows a workspace renamed on another instance', async () => {
    expect((await first.rest('POST', '/api/v1/workspaces', { name: 'before' })).status).toBe(201);
    const id = (await first.rest('POST', PATH, { alias: 'moving', workspace: 'before', connection_uri: URI })).body
      .id as string;
    expect((await second.rest('GET', `${PATH}/${id}`)).body.workspace).toBe('before');
    expect((await first.rest('PUT', '/api/v1/workspaces/before', { name: 'after' })).status).toBe(200);
    const workspace = async () => (await second.rest('GET', `${PATH}/${id}`)).body.workspace as string;
    expect(await until(workspace, (name) => name === 'after', 5_000)).toBe('after');
  });

  it.skipIf(store.skip)(
    'reads the database for Cache-Control: no-cache, and forgets entries past READ_CACHE_TTL_S',
    async () => {
      const id = (await first.rest('POST', PATH, { alias: 'ttl', connection_uri: URI })).body.id as string;
      const short = await startTestService(database.url, { API_KEYS, READ_CACHE_TTL_S: '1' });
      try {
        const api = as(ADMIN, () => short);
        // Read until answered from the cache (it opens once the instance hears change events).
        await until(
          async () => {
            await api.rest('GET', `${PATH}/${id}`);
            await api.gql(BY_ID, { id });
            return hits(short);
          },
          (count) => count >= 2,
          5_000,
        );
        // A change no event tells (written past the service): cached reads keep the old alias…
        await runSql(database, `UPDATE database_connections SET alias = 'behind' WHERE id = '${id}'`);
        expect((await api.rest('GET', `${PATH}/${id}`)).body.alias).toBe('ttl');
        expect((await api.gql(BY_ID, { id })).data.databaseConnection.alias).toBe('ttl');
        // …a request asking past the cache reads the database…
        const fresh = as(ADMIN, () => short, { 'cache-control': 'no-cache' });
        expect((await fresh.rest('GET', `${PATH}/${id}`)).body.alias).toBe('behind');
        expect((await fresh.gql(BY_ID, { id })).data.databaseConnection.alias).toBe('behind');
        // …and no entry outlives its time.
        await new Promise((resolve) => setTimeout(resolve, 1_100));
        expect((await api.rest('GET', `${PATH}/${id}`)).body.alias).toBe('behind');
      } finally {
        await short.stop();
      }
    },
  );

  it.skipIf(store.skip)('never answers one caller what only another may see or reveal', async () => {
    const id = (await first.rest('POST', PATH, { alias: 'admins-only', connection_uri: URI })).body.id as string;
    const salesId = (await first.rest('POST', PATH, { alias: 'sales-db', workspace: 'sales', connection_uri: URI }))
      .body.id as string;
    const sales = as(SALES, () => one);
    // Read, and so cached, by the admin first.
    expect((await first.rest('GET', `${PATH}/${id}`)).status).toBe(200);
    expect((await first.gql(PAGE)).data.databaseConnections.totalCount).toBeGreaterThanOrEqual(2);
    expect((await sales.rest('GET', `${PATH}/${id}`)).status).toBe(404);
    expect((await sales.gql(BY_ID, { id })).data.databaseConnection).toBeNull();
    const salesPage = (await sales.gql(PAGE)).data.databaseConnections;
    expect(salesPage.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([salesId]);
    expect(salesPage.totalCount).toBe(1);
    // Revealed by the admin: the reader of sales may not, and each reveal is recorded.
    const revealed = await first.rest('GET', `${PATH}/${salesId}?reveal=true`);
    expect(revealed.body.connection_uri).toBe(URI);
    expect((await sales.rest('GET', `${PATH}/${salesId}`)).body.connection_uri).not.toContain('Very-Secret');
    expect((await sales.rest('GET', `${PATH}/${salesId}?reveal=true`)).status).toBe(403);
    await first.rest('GET', `${PATH}/${salesId}?reveal=true`);
    const trail = (await first.rest('GET', `/api/v1/audit-events?connection_id=${salesId}`)).body as {
      action: string;
    }[];
    expect(trail.filter((event) => event.action === 'reveal')).toHaveLength(2);
  });
});

describe.skipIf(STORES[1]?.skip ?? true)('the read cache with a broken listener, on PostgreSQL', () => {
  it('holds nothing while change events are not heard, and caches again once they are', async () => {
    const database = await (STORES[1] as (typeof STORES)[number]).create();
    const service = await startTestService(database.url, { API_KEYS });
    try {
      const api = as2(service);
      const id = (await api('POST', PATH, { alias: 'heard', connection_uri: URI })).body.id as string;
      expect((await api('GET', `${PATH}/${id}`)).body.alias).toBe('heard');
      await runSql(
        database,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'database-connection-api events' AND datname = current_database()",
      );
      // Until it listens again (a second later), a change no event tells is read at once.
      await runSql(database, `UPDATE database_connections SET alias = 'unheard' WHERE id = '${id}'`);
      const alias = async () => (await api('GET', `${PATH}/${id}`)).body.alias as string;
      expect(await until(alias, (value) => value === 'unheard', 600)).toBe('unheard');
      // Listening again, it caches again: reads repeat as hits.
      const hitsNow = async () => sample((await api('GET', '/metrics')).text, 'read_cache_reads_total{outcome="hit"}');
      const counted = await until(
        async () => {
          await api('GET', `${PATH}/${id}`);
          return hitsNow();
        },
        (count) => count > 0,
        5_000,
      );
      expect(counted).toBeGreaterThan(0);
    } finally {
      await service.stop();
      await database.drop();
    }
  });
});

const as2 = (service: RunningService) => (method: string, path: string, body?: unknown) =>
  clientFor(service.url).request(method, path, body, { authorization: `Bearer ${ADMIN}` });

describe('the read cache in itself', () => {
  const rowOf = (id: string, size = 10) => ({ id, alias: 'x'.repeat(size) }) as unknown as ConnectionRow;
  /** A cache that hears changes, and the ids its reads had to load. */
  function cacheWith(settings: Partial<ReadCacheSettings>) {
    const cache = createReadCache({ maxEntries: 100, maxBytes: 1_000_000, ttlMs: 60_000, ...settings });
    cache.hearing(true);
    const loaded: string[] = [];
    const read = (id: string, size?: number) =>
      cache.row(id, false, async () => {
        loaded.push(id);
        return rowOf(id, size);
      });
    return { cache, loaded, read };
  }

  it('keeps at most READ_CACHE_ENTRIES entries, forgetting the least recently read first', async () => {
    const { loaded, read } = cacheWith({ maxEntries: 2 });
    for (const id of ['a', 'b', 'c', 'c', 'b', 'a']) await read(id);
    expect(loaded).toEqual(['a', 'b', 'c', 'a']);
  });

  it('keeps at most READ_CACHE_MB of rows, as it estimates them', async () => {
    const { cache, loaded, read } = cacheWith({ maxBytes: 5_000 });
    for (const id of ['a', 'b', 'c']) await read(id, 2_000);
    expect(cache.stats().bytes).toBeLessThanOrEqual(5_000);
    await read('c', 2_000);
    await read('a', 2_000);
    expect(loaded).toEqual(['a', 'b', 'c', 'a']);
  });

  it('answers, but does not keep, a read that was under way when a change came', async () => {
    const { cache, loaded, read } = cacheWith({});
    let finish = () => {};
    const slow = cache.row('a', false, () => new Promise((resolve) => (finish = () => resolve(rowOf('a')))));
    cache.changed('a');
    finish();
    expect((await slow)?.id).toBe('a');
    await read('a');
    expect(loaded).toEqual(['a']);
  });
});

describe('what a request says of caches', () => {
  it.each([
    [{ 'cache-control': 'no-cache' }, true],
    [{ 'cache-control': 'private, No-Cache' }, true],
    [{ 'cache-control': 'max-age=0' }, true],
    [{ pragma: 'no-cache' }, true],
    [{ 'cache-control': 'max-age=60' }, false],
    [{ 'cache-control': 'no-store' }, false],
    [{}, false],
  ])('%o asks past the read cache: %s', (headers, fresh) => {
    expect(wantsFresh(headers)).toBe(fresh);
  });
});
