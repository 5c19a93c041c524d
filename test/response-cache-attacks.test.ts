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
import { clientFor, startTestService } from './support/service.ts';
import { until } from './support/until.ts';

const PATH = '/api/v1/database-connections';
const ADMIN = generateApiKey();
const API_KEYS = JSON.stringify([{ name: 'admin', hash: hashApiKey(ADMIN), scopes: [...SCOPES] }]);
const URI = 'postgresql://bi:Very-Secret@db.example.com:5432/orders';
const BY_ID = 'query ($id: ID!) { databaseConnection(id: $id) { alias workspace connectionUri } }';

function as(service: () => RunningService, key: string) {
  const headers = { authorization: `Bearer ${key}` };
  return {
    rest: (method: string, path: string, body?: unknown) =>
      clientFor(service().url).request(method, path, body, headers),
    gql: (query: string, variables: Record<string, unknown> = {}) =>
      clientFor(service().url).request('POST', '/graphql', { query, variables }, headers),
  };
}

async function resultHits(service: RunningService): Promise<number> {
  const text = (await as(() => service, ADMIN).rest('GET', '/metrics')).text;
  return Number(/^read_cache_result_hits_total (\d+)/m.exec(text)?.[1] ?? 0);
}

/** Waits until the service keeps results (once it hears change events). */
async function untilKeeping(service: RunningService) {
  const admin = as(() => service, ADMIN);
  await until(
    async () => {
      await admin.gql('{ databaseConnections(first: 1) { totalCount } }');
      return resultHits(service);
    },
    (count) => count > 0,
    5_000,
  );
}

describe('the response cache bounds its memory', () => {
  let database: TestDatabase;
  let service: RunningService;
  beforeAll(async () => {
    database = createSqliteDatabase();
    // 1 MB for whole results: at most two entries of half a megabyte each.
    service = await startTestService(database.url, { API_KEYS, READ_CACHE_MB: '1', READ_CACHE_ENTRIES: '1000' });
    await untilKeeping(service);
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });

  it('counts the variables of a kept result (its key) against READ_CACHE_MB', async () => {
    const admin = as(() => service, ADMIN);
    // A tiny result (null) under a key of half a megabyte: an undeclared variable is ignored by
    // GraphQL but is part of the key.
    const pad = (n: number) => ({ id: 'no-such-id', pad: `${n}`.padEnd(512 * 1024, 'x') });
    const asks = 20;
    for (let n = 0; n < asks; n++) expect((await admin.gql(BY_ID, pad(n))).status).toBe(200);
    const before = await resultHits(service);
    for (let n = 0; n < asks; n++) await admin.gql(BY_ID, pad(n));
    const held = (await resultHits(service)) - before;
    // 20 keys of 0.5 MB are 10 MB: past READ_CACHE_MB=1, no more than two may still be held.
    expect(held).toBeLessThanOrEqual(2);
  });
});
