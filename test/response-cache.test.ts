/**
 * The GraphQL response cache (src/graphql/response-cache.ts) against an attacker, on each store:
 * a result kept for one caller's access is never answered to a caller of other grants, a masked
 * secret kept is never answered revealed nor a revealed one kept, each reveal is recorded, a revoked
 * key reaches nothing kept, a change forgets what was kept, and what the read cache does not serve
 * (API keys, the audit trail) is never kept. Each case reads first what the attacker then asks, the
 * same text and variables, and checks that the first read was kept (a hit in /metrics).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../src/auth/api-keys.ts';
import { SCOPES } from '../src/auth/grants.ts';
import type { RunningService } from '../src/service.ts';
import { STORES, type TestDatabase } from './support/databases.ts';
import { callerOf, resultHits, revealsRecorded, untilKeeping } from './support/response-cache.ts';
import { startTestService } from './support/service.ts';
import { until } from './support/until.ts';

const PATH = '/api/v1/database-connections';
const ADMIN = generateApiKey();
const READER = generateApiKey();
const API_KEYS = JSON.stringify([
  { name: 'admin', hash: hashApiKey(ADMIN), scopes: [...SCOPES] },
  // Reads everywhere, reveals nowhere.
  { name: 'reader', hash: hashApiKey(READER), scopes: ['connections:read'] },
]);
const URI = 'postgresql://bi:Very-Secret@db.example.com:5432/orders';
const BY_ID = 'query ($id: ID!) { databaseConnection(id: $id) { alias workspace connectionUri } }';
const REVEAL = 'query ($id: ID!, $r: Boolean) { databaseConnection(id: $id) { connectionUri(reveal: $r) } }';
const REVEAL_LITERAL = 'query ($id: ID!) { databaseConnection(id: $id) { connectionUri(reveal: true) } }';

describe.each(STORES)('the response cache on $name', (store) => {
  let database: TestDatabase;
  let service: RunningService;
  const as = (key: string) => callerOf(() => service, key);
  const admin = as(ADMIN);
  const reader = as(READER);

  const hits = () => resultHits(admin);
  /**
   * Asks until an answer comes from memory, the same as the one before it. On PostgreSQL an
   * instance hears its own change again when the NOTIFY comes back, which forgets what was kept
   * before it arrived: the first pair of asks may both be executed.
   */
  async function kept(ask: () => Promise<{ body: unknown }>) {
    const { first, second, hit } = await until(
      async () => {
        const answer = (await ask()).body;
        const before = await hits();
        const again = (await ask()).body;
        return { first: answer, second: again, hit: (await hits()) === before + 1 };
      },
      (pair) => pair.hit,
      5_000,
    );
    expect(hit).toBe(true);
    expect(second).toEqual(first);
    return second as { data: Record<string, { alias: string; connectionUri: string } | null> };
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

  it.skipIf(store.skip)("never answers a caller of other grants from another's result", async () => {
    const id = (await admin.rest('POST', PATH, { alias: 'admins', connection_uri: URI })).body.id as string;
    const made = await admin.rest('POST', '/api/v1/api-keys', {
      name: 'sales-only',
      grants: [{ workspace: 'sales', scopes: ['connections:read'] }],
    });
    const salesOnly = as(made.body.key as string);
    expect((await kept(() => admin.gql(BY_ID, { id }))).data.databaseConnection?.alias).toBe('admins');
    expect((await salesOnly.gql(BY_ID, { id })).body).toEqual({ data: { databaseConnection: null } });
    expect((await salesOnly.rest('GET', `${PATH}/${id}`)).status).toBe(404);
    const page = '{ databaseConnections(first: 50) { totalCount edges { node { id } } } }';
    expect((await kept(() => admin.gql(page))).data.databaseConnections).not.toBeNull();
    expect((await salesOnly.gql(page)).body).toEqual({ data: { databaseConnections: { totalCount: 0, edges: [] } } });
  });

  it.skipIf(store.skip)('never keeps a reveal, nor answers a kept secret revealed, and records each', async () => {
    const id = (await admin.rest('POST', PATH, { alias: 'secret', connection_uri: URI })).body.id as string;
    // The masked reads are kept, for the admin and for the reader.
    const masked = (await kept(() => admin.gql(REVEAL, { id }))).data.databaseConnection?.connectionUri;
    expect(masked).not.toContain('Very-Secret');
    await kept(() => reader.gql(REVEAL, { id, r: false }));
    // Every reveal is executed and recorded, whichever way it is asked.
    for (const ask of [
      () => admin.gql(REVEAL, { id, r: true }),
      () => admin.gql(REVEAL, { id, r: true }),
      () => admin.gql(REVEAL_LITERAL, { id }),
      () => admin.rest('GET', `${PATH}/${id}?reveal=true`),
    ]) {
      const before = await hits();
      expect(JSON.stringify((await ask()).body)).toContain('Very-Secret');
      expect(await hits()).toBe(before);
    }
    expect(await reveals(id)).toBe(4);
    // What the admin revealed is not the reader's: refused, as before anything was kept.
    const refused = (await reader.gql(REVEAL, { id, r: true })).body;
    expect(JSON.stringify(refused)).not.toContain('Very-Secret');
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await reader.rest('GET', `${PATH}/${id}?reveal=true`)).status).toBe(403);
    // The masked reads kept are still masked.
    expect((await admin.gql(REVEAL, { id })).body.data.databaseConnection.connectionUri).toBe(masked);
    expect((await reader.gql(REVEAL, { id, r: false })).body.data.databaseConnection.connectionUri).toBe(masked);
    expect(await reveals(id)).toBe(4);
  });

  it.skipIf(store.skip)('answers nothing kept to a revoked key', async () => {
    const id = (await admin.rest('POST', PATH, { alias: 'revoked', connection_uri: URI })).body.id as string;
    const made = await admin.rest('POST', '/api/v1/api-keys', {
      name: 'soon-revoked',
      grants: [{ workspace: '*', scopes: ['connections:read'] }],
    });
    const holder = as(made.body.key as string);
    await kept(() => holder.gql(BY_ID, { id }));
    expect((await admin.rest('DELETE', `/api/v1/api-keys/${made.body.id}`)).status).toBe(200);
    expect((await holder.gql(BY_ID, { id })).status).toBe(401);
    expect((await holder.rest('GET', `${PATH}/${id}`)).status).toBe(401);
  });

  it.skipIf(store.skip)('forgets what it kept at each change', async () => {
    const id = (await admin.rest('POST', PATH, { alias: 'before', connection_uri: URI })).body.id as string;
    await kept(() => admin.gql(BY_ID, { id }));
    await kept(() => admin.rest('GET', `${PATH}/${id}`));
    expect((await admin.rest('PUT', `${PATH}/${id}`, { alias: 'after', connection_uri: URI })).status).toBe(200);
    expect((await admin.gql(BY_ID, { id })).body.data.databaseConnection.alias).toBe('after');
    expect((await admin.rest('GET', `${PATH}/${id}`)).body.alias).toBe('after');
    expect((await admin.rest('DELETE', `${PATH}/${id}`)).status).toBe(200);
    expect((await admin.gql(BY_ID, { id })).body).toEqual({ data: { databaseConnection: null } });
  });

  it.skipIf(store.skip)('keeps nothing the read cache does not serve', async () => {
    const id = (await admin.rest('POST', PATH, { alias: 'audited', connection_uri: URI })).body.id as string;
    // API keys and the audit trail change without a connection's change event.
    const keys = '{ apiKeys { name } }';
    const before = (await admin.gql(keys)).body.data.apiKeys.length;
    const more = { name: 'one-more', grants: [{ workspace: '*', scopes: ['connections:read'] }] };
    expect((await admin.rest('POST', '/api/v1/api-keys', more)).status).toBe(201);
    expect((await admin.gql(keys)).body.data.apiKeys).toHaveLength(before + 1);
    const trail = `{ databaseConnection(id: "${id}") { alias } auditEvents(first: 100) { edges { node { action } } } }`;
    const actions = async () =>
      (await admin.gql(trail)).body.data.auditEvents.edges.filter(
        (edge: { node: { action: string } }) => edge.node.action === 'REVEAL',
      ).length;
    const revealed = await actions();
    await admin.rest('GET', `${PATH}/${id}?reveal=true`);
    expect(await actions()).toBe(revealed + 1);
  });
});
