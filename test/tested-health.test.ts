/**
 * A write that tests first (REST `?test=true`, GraphQL `testConnection: true`) records its test as
 * the connection's health, on both stores: what the console shows after "Test, then Save", until
 * the first scheduled check speaks. A write without a test, or one whose test fails, does not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../src/service.ts';
import { postgresAvailable, STORES, type TestDatabase } from './support/databases.ts';
import { type Client, clientFor, startTestService } from './support/service.ts';
import { closedPort, createPostgresTarget } from './support/targets.ts';
import { until } from './support/until.ts';

const PATH = '/api/v1/database-connections';
const UNKNOWN = { status: 'unknown', checked_at: null, latency_ms: null, error: null };
const HEALTH = 'health { status checkedAt latencyMs error { code } }';

describe.each(STORES)('the health a tested write records, on $name', ({ create, skip }) => {
  const off = skip || !postgresAvailable;
  let database: TestDatabase;
  let target: Awaited<ReturnType<typeof createPostgresTarget>>;
  let service: RunningService;
  let api: Client;
  const health = async (id: string) => (await api.request('GET', `${PATH}/${id}`)).body.health;
  const history = async (id: string) =>
    (await api.graphql('query ($id: ID!) { databaseConnection(id: $id) { healthHistory { at } } }', { id })).data
      .databaseConnection.healthHistory;

  beforeAll(async () => {
    if (off) return;
    database = await create();
    target = await createPostgresTarget();
    // No scheduled check (the tests' default): what a write records stays as it wrote it.
    service = await startTestService(database.url);
    api = clientFor(service.url);
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
    await target?.drop();
  });

  it.skipIf(off)('REST: POST and PUT with ?test=true answer and keep the test as the health', async () => {
    const created = await api.request('POST', `${PATH}?test=true`, {
      alias: 'rest-tested',
      connection_uri: target.uri,
    });
    expect(created.status).toBe(201);
    const tested = { status: 'ok', checked_at: created.body.created_at, latency_ms: expect.any(Number), error: null };
    expect(created.body.health).toEqual(tested);
    expect(await health(created.body.id)).toEqual(created.body.health);
    // Not a scheduled check: the line of scheduled checks stays empty.
    expect(await history(created.body.id)).toEqual([]);

    const untested = await api.request('POST', PATH, { alias: 'rest-later', connection_uri: target.uri });
    expect(untested.body.health).toEqual(UNKNOWN);
    const replaced = await api.request('PUT', `${PATH}/${untested.body.id}?test=true`, {
      alias: 'rest-later',
      connection_uri: target.uri,
      schemas: ['sales'],
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.health).toEqual({ ...tested, checked_at: replaced.body.updated_at });
    expect(await health(untested.body.id)).toEqual(replaced.body.health);
  });

  it.skipIf(off)('GraphQL: createDatabaseConnection and updateDatabaseConnection with testConnection', async () => {
    const { data } = await api.graphql(
      `mutation ($input: CreateDatabaseConnectionInput!) {
        createDatabaseConnection(input: $input, testConnection: true) {
        ... on CreateDatabaseConnectionSuccess { databaseConnection { id createdAt ${HEALTH} } } } }`,
      { input: { alias: 'graphql-tested', connectionUri: target.uri } },
    );
    const made = data.createDatabaseConnection.databaseConnection;
    expect(made.health).toEqual({
      status: 'OK',
      checkedAt: made.createdAt,
      latencyMs: expect.any(Number),
      error: null,
    });

    // Tested again with only its metadata changed: the health is the new test's.
    const updated = await api.graphql(
      `mutation ($id: ID!) { updateDatabaseConnection(id: $id, input: {metadata: {team: "bi"}}, testConnection: true) {
        ... on UpdateDatabaseConnectionSuccess { databaseConnection { updatedAt ${HEALTH} } } } }`,
      { id: made.id },
    );
    const after = updated.data.updateDatabaseConnection.databaseConnection;
    expect(after.health).toMatchObject({ status: 'OK', checkedAt: after.updatedAt });
    expect(after.updatedAt > made.createdAt).toBe(true);
  });

  it.skipIf(off)('keeps the health through an untested change that does not move it; a move is unknown', async () => {
    const created = await api.request('POST', `${PATH}?test=true`, { alias: 'kept', connection_uri: target.uri });
    const renamed = await api.request('PUT', `${PATH}/${created.body.id}`, {
      alias: 'kept-renamed',
      connection_uri: target.uri,
      metadata: { owner: 'ana' },
    });
    expect(renamed.body.health).toEqual(created.body.health);
    const moved = await api.request('PUT', `${PATH}/${created.body.id}`, {
      alias: 'kept-renamed',
      connection_uri: target.uri.replace(target.database, 'postgres'),
    });
    expect(moved.body.health).toEqual(UNKNOWN);
  });

  it.skipIf(off)('records nothing when the test fails: nothing is written, the health stays', async () => {
    const port = await closedPort();
    const refused = `postgresql://u:p@127.0.0.1:${port}/db`;
    const failed = await api.request('POST', `${PATH}?test=true`, { alias: 'down', connection_uri: refused });
    expect(failed.status).toBe(422);
    expect((await api.request('GET', PATH)).body.map((row: { alias: string }) => row.alias)).not.toContain('down');

    const created = await api.request('POST', `${PATH}?test=true`, { alias: 'stays', connection_uri: target.uri });
    const broken = await api.request('PUT', `${PATH}/${created.body.id}?test=true`, {
      alias: 'stays',
      connection_uri: refused,
    });
    expect(broken.status).toBe(422);
    const { data } = await api.graphql(
      `mutation ($id: ID!, $uri: String!) {
        updateDatabaseConnection(id: $id, input: {connectionUri: $uri}, testConnection: true) {
        __typename } }`,
      { id: created.body.id, uri: refused },
    );
    expect(data.updateDatabaseConnection.__typename).toBe('ConnectionFailedError');
    expect(await health(created.body.id)).toEqual(created.body.health);
  });

  it.skipIf(off)('gives way to the first scheduled check', async () => {
    const created = await api.request('POST', `${PATH}?test=true`, { alias: 'scheduled', connection_uri: target.uri });
    // Another instance on the store, checking each second; read from it, which hears its own checks at once.
    const checking = await startTestService(database.url, { HEALTH_CHECK_INTERVAL_S: '1' });
    const read = clientFor(checking.url);
    try {
      const historyOf = async () =>
        (
          await read.graphql('query ($id: ID!) { databaseConnection(id: $id) { healthHistory { at } } }', {
            id: created.body.id,
          })
        ).data.databaseConnection.healthHistory as { at: string }[];
      expect((await until(historyOf, (list) => list.length > 0, 5_000)).length).toBeGreaterThan(0);
      // The health is that of a scheduled check: one the history (read after it, so holding it) lists.
      const now = (await read.request('GET', `${PATH}/${created.body.id}`)).body.health;
      expect(now.status).toBe('ok');
      expect((await historyOf()).map((check) => check.at)).toContain(now.checked_at);
      expect(now.checked_at > created.body.health.checked_at).toBe(true);
    } finally {
      await checking.stop();
    }
  });
});
