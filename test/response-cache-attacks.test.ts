/**
 * An attacker's tries at the GraphQL response cache (src/graphql/response-cache.ts) that
 * test/response-cache.test.ts does not make: its memory bound against keys of the attacker's
 * making, and what other instances on the same database change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../src/auth/api-keys.ts';
import { SCOPES } from '../src/auth/grants.ts';
import type { RunningService } from '../src/service.ts';
import { createSqliteDatabase, STORES, type TestDatabase } from './support/databases.ts';
import { callerOf, resultHits, revealsRecorded, untilKeeping } from './support/response-cache.ts';
import { clientFor, startTestService } from './support/service.ts';
import { until } from './support/until.ts';

const PATH = '/api/v1/database-connections';
const ADMIN = generateApiKey();
const API_KEYS = JSON.stringify([{ name: 'admin', hash: hashApiKey(ADMIN), scopes: [...SCOPES] }]);
const URI = 'postgresql://bi:Very-Secret@db.example.com:5432/orders';
const BY_ID = 'query ($id: ID!) { databaseConnection(id: $id) { alias workspace connectionUri } }';

const as = callerOf;

describe('the response cache bounds its memory', () => {
  let database: TestDatabase;
  let service: RunningService;
  beforeAll(async () => {
    database = createSqliteDatabase();
    // 1 MB for whole results: at most two entries of half a megabyte each.
    service = await startTestService(database.url, { API_KEYS, READ_CACHE_MB: '1', READ_CACHE_ENTRIES: '1000' });
    await untilKeeping(as(() => service, ADMIN));
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });

  it('keeps one result however many undeclared variables come with it: they make no entries of their own', async () => {
    const admin = as(() => service, ADMIN);
    // A variable the query does not declare is ignored by GraphQL: half a megabyte of it, a new one
    // each time, would have made an entry each, its key held as sent and not counted against READ_CACHE_MB.
    const pad = (n: number) => ({ id: 'no-such-id', pad: `${n}`.padEnd(512 * 1024, 'x') });
    expect((await admin.gql(BY_ID, pad(0))).status).toBe(200);
    const before = await resultHits(as(() => service, ADMIN));
    const asks = 20;
    for (let n = 1; n <= asks; n++) expect((await admin.gql(BY_ID, pad(n))).status).toBe(200);
    expect((await resultHits(as(() => service, ADMIN))) - before).toBe(asks);
  });
});

describe.each(STORES)('the response cache against variable spellings and credentials on $name', (store) => {
  let database: TestDatabase;
  let service: RunningService;
  const admin = as(() => service, ADMIN);
  const hits = () => resultHits(as(() => service, ADMIN));
  /** Asks twice and says whether the second ask was answered from memory. */
  async function keptAfter(ask: () => Promise<unknown>) {
    return until(
      async () => {
        await ask();
        const before = await hits();
        await ask();
        return (await hits()) === before + 1;
      },
      (hit) => hit,
      5_000,
    );
  }
  const reveals = (id: string) => revealsRecorded(admin, id);

  beforeAll(async () => {
    if (store.skip) return;
    database = await store.create();
    service = await startTestService(database.url, { API_KEYS });
    expect((await admin.rest('POST', '/api/v1/workspaces', { name: 'sales' })).status).toBe(201);
    await untilKeeping(admin);
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });

  it.skipIf(store.skip)(
    'executes and records reveals asked by a default, a fragment, an alias or @include',
    async () => {
      const id = (await admin.rest('POST', PATH, { alias: 'spelled', connection_uri: URI })).body.id as string;
      const masked =
        'query ($id: ID!, $r: Boolean = false) { databaseConnection(id: $id) { u: connectionUri(reveal: $r) } }';
      expect(await keptAfter(() => admin.gql(masked, { id }))).toBe(true);
      const spellings: [string, Record<string, unknown>][] = [
        // The variable left out, its default true.
        [
          'query ($id: ID!, $r: Boolean = true) { databaseConnection(id: $id) { u: connectionUri(reveal: $r) } }',
          { id },
        ],
        // In a fragment, behind an alias.
        [
          'query ($id: ID!) { databaseConnection(id: $id) { ...F } } fragment F on DatabaseConnection { u: connectionUri(reveal: true) }',
          { id },
        ],
        // Under @include, with the same text as a masked read kept just before.
        [
          'query ($id: ID!, $s: Boolean!) { databaseConnection(id: $id) { alias connectionUri(reveal: true) @include(if: $s) } }',
          { id, s: true },
        ],
        // The masked text kept above, the variable now true.
        [masked, { id, r: true }],
      ];
      let recorded = await reveals(id);
      for (const [query, variables] of spellings) {
        for (let n = 0; n < 2; n++) {
          expect(JSON.stringify((await admin.gql(query, variables)).body)).toContain('Very-Secret');
          expect(await reveals(id)).toBe(++recorded);
        }
      }
      // A reveal skipped by @include(if: false) reveals nothing, kept or not.
      const skipped =
        'query ($id: ID!, $s: Boolean!) { databaseConnection(id: $id) { alias connectionUri(reveal: true) @include(if: $s) } }';
      expect(JSON.stringify((await admin.gql(skipped, { id, s: false })).body)).not.toContain('Very-Secret');
      expect(JSON.stringify((await admin.gql(skipped, { id, s: true })).body)).toContain('Very-Secret');
    },
  );

  it.skipIf(store.skip)('answers no operationName but the one kept, and keeps no error', async () => {
    const id = (await admin.rest('POST', PATH, { alias: 'named', connection_uri: URI })).body.id as string;
    const query = 'query A($id: ID!) { databaseConnection(id: $id) { alias } }';
    const named = (operationName: string) =>
      clientFor(service.url).request(
        'POST',
        '/graphql',
        { query, variables: { id }, operationName },
        { authorization: `Bearer ${ADMIN}` },
      );
    expect(await keptAfter(() => named('A'))).toBe(true);
    const other = await named('B');
    expect(other.body.data ?? null).toBeNull();
    expect(other.body.errors?.length).toBeGreaterThan(0);
    // An error is never kept: a key that may not read is refused every time.
    const made = await admin.rest('POST', '/api/v1/api-keys', {
      name: 'metrics-only',
      grants: [{ workspace: '*', scopes: ['metrics:read'] }],
    });
    const metricsOnly = as(() => service, made.body.key as string);
    const before = await hits();
    for (let n = 0; n < 3; n++) {
      expect(
        (await metricsOnly.gql(query.replace('query A', 'query'), { id })).body.errors?.[0]?.extensions?.code,
      ).toBe('FORBIDDEN');
    }
    expect(await hits()).toBe(before);
  });

  it.skipIf(store.skip)(
    'answers nothing kept to an expired key, nor to a key whose grants a rename changed',
    async () => {
      const id = (await admin.rest('POST', PATH, { alias: 'in-sales', workspace: 'sales', connection_uri: URI })).body
        .id as string;
      const expiresAt = new Date(Date.now() + 5_000).toISOString();
      const expiring = await admin.rest('POST', '/api/v1/api-keys', {
        name: 'expiring',
        grants: [{ workspace: 'sales', scopes: ['connections:read'] }],
        expires_at: expiresAt,
      });
      const holder = as(() => service, expiring.body.key as string);
      expect(await keptAfter(() => holder.gql(BY_ID, { id }))).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, Date.parse(expiresAt) - Date.now() + 50));
      expect((await holder.gql(BY_ID, { id })).status).toBe(401);
      expect((await holder.rest('GET', `${PATH}/${id}`)).status).toBe(401);

      const made = await admin.rest('POST', '/api/v1/api-keys', {
        name: 'sales-reader',
        grants: [{ workspace: 'sales', scopes: ['connections:read'] }],
      });
      const reader = as(() => service, made.body.key as string);
      const page = '{ databaseConnections(first: 50) { edges { node { id workspace } } } }';
      expect(await keptAfter(() => reader.gql(page))).toBe(true);
      expect((await admin.rest('PUT', '/api/v1/workspaces/sales', { name: 'east' })).status).toBe(200);
      const edges = (await reader.gql(page)).body.data.databaseConnections.edges;
      expect(edges).toEqual([{ node: { id, workspace: 'east' } }]);
      expect((await admin.rest('PUT', '/api/v1/workspaces/east', { name: 'sales' })).status).toBe(200);
    },
  );
});
