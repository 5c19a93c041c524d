/**
 * Scheduled health checks against a PostgreSQL cluster the test stops and
 * starts: the status turns failing within two intervals and back to ok, the
 * gauge and the filters follow, a change resets it; with two instances on one
 * PostgreSQL database, each connection is checked once per interval in all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterToolsAvailable, createPostgresCluster, type PostgresCluster } from './support/cluster.ts';
import { createPostgresDatabase, postgresAvailable, runSql, STORES, type TestDatabase } from './support/databases.ts';
import { type ServerProcess, startServerProcess } from './support/process.ts';
import { type Client, clientFor, TEST_ENCRYPTION_KEY } from './support/service.ts';
import { subscribe } from './support/sse.ts';
import { closedPort, createPostgresTarget, startSilentServer } from './support/targets.ts';
import { until } from './support/until.ts';

const PATH = '/api/v1/database-connections';
const INTERVAL_S = 1;

describe.each(STORES)('scheduled health checks on $name', ({ create, skip }) => {
  let cluster: PostgresCluster;
  let database: TestDatabase;
  let service: ServerProcess;
  let api: Client;

  beforeAll(async () => {
    if (skip || !clusterToolsAvailable) return;
    cluster = await createPostgresCluster();
    database = await create();
    service = await startServerProcess({
      DATABASE_URL: database.url,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      HEALTH_CHECK_INTERVAL_S: String(INTERVAL_S),
      CONNECTION_TEST_TIMEOUT_MS: '500',
    });
    api = clientFor(service.url);
  });
  afterAll(async () => {
    service?.child.kill();
    await service?.exited;
    await database?.drop();
    cluster?.destroy();
  });

  it.skipIf(skip || !clusterToolsAvailable)(
    'follows a database that stops and starts, on both interfaces, the gauge and the event stream',
    async () => {
      const created = await api.request('POST', PATH, { alias: 'watched', connection_uri: cluster.url });
      expect(created.body.health).toEqual({ status: 'unknown', checked_at: null, latency_ms: null, error: null });
      const { id } = created.body;
      const health = async () => (await api.request('GET', `${PATH}/${id}`)).body.health;
      expect((await until(health, (h) => h.status === 'ok', 3_000)).status).toBe('ok');
      const events = await subscribe(
        service.url,
        'subscription ($id: ID) { databaseConnectionEvents(id: $id) { action } }',
        { id },
      );
      await new Promise((resolve) => setTimeout(resolve, 200));

      cluster.stop('immediate');
      const stoppedAt = Date.now();
      const failing = await until(health, (h) => h.status === 'failing', 2 * INTERVAL_S * 1_000 + 1_500);
      expect(failing).toMatchObject({ status: 'failing', error: { code: 'connection_refused' } });
      expect(Date.now() - stoppedAt).toBeLessThan(2 * INTERVAL_S * 1_000 + 1_500);
      expect((await events.next(1_000)).data?.databaseConnectionEvents.action).toBe('HEALTH_CHANGED');
      const listed = await api.request('GET', `${PATH}?health=failing`);
      expect(listed.body.map((row: { id: string }) => row.id)).toEqual([id]);
      const { data } = await api.graphql('{ databaseConnections(first: 5, filter: {health: OK}) { totalCount } }');
      expect(data.databaseConnections.totalCount).toBe(0);
      const metrics = async () => (await fetch(`${service.url}/metrics`)).text();
      expect(await metrics()).toMatch(
        /database_connection_up\{workspace="default",alias="watched",dialect="postgresql"\} 0/,
      );

      cluster.start();
      // Back to ok at the next check: within the backoff of two failures (two intervals) and a check.
      expect((await until(health, (h) => h.status === 'ok', 4 * INTERVAL_S * 1_000 + 2_000)).status).toBe('ok');
      expect((await events.next(1_000)).data?.databaseConnectionEvents.action).toBe('HEALTH_CHANGED');
      expect(await metrics()).toMatch(
        /database_connection_up\{workspace="default",alias="watched",dialect="postgresql"\} 1/,
      );
      expect(await metrics()).toMatch(
        /database_connection_check_latency_seconds\{workspace="default",alias="watched",dialect="postgresql"\} \d/,
      );
      events.close();
      // The history keeps each check, oldest first: ok, then failing (refused), then ok again.
      const { data: history } = await api.graphql(
        'query ($id: ID!) { databaseConnection(id: $id) { healthHistory { at status latencyMs errorCode } } }',
        { id },
      );
      const checks = history.databaseConnection.healthHistory as { at: string; status: string; errorCode: string }[];
      const statuses = checks.map((check) => check.status).join(' ');
      expect(statuses).toMatch(/^(OK )+(FAILING )+(OK ?)+$/);
      expect(checks.find((check) => check.status === 'FAILING')?.errorCode).toBe('connection_refused');
      expect(checks.map((check) => check.at)).toEqual(checks.map((check) => check.at).sort());

      // A change of where it connects: unknown at once, checked again soon.
      const moved = await api.request('PUT', `${PATH}/${id}`, {
        alias: 'watched',
        connection_uri: created.body.connection_uri.replace(/\/postgres$/, '/template1'),
      });
      expect(moved.body.health.status).toBe('unknown');
      const checked = await until(health, (h) => h.status === 'ok', 3_000);
      expect(checked.status, JSON.stringify(checked)).toBe('ok');
      // Renaming it changes nothing of its health.
      await api.request('PUT', `${PATH}/${id}`, { alias: 'renamed', connection_uri: moved.body.connection_uri });
      expect((await health()).status).toBe('ok');
    },
  );

  it.skipIf(skip || !clusterToolsAvailable)(
    'checks warehouses too: a Snowflake account that cannot be reached is failing',
    async () => {
      const created = await api.request('POST', PATH, {
        alias: 'snow',
        connection_uri: 'snowflake://u:p@dcapi-no-such-account/db',
      });
      const health = async () => (await api.request('GET', `${PATH}/${created.body.id}`)).body.health;
      const checked = await until(health, (h) => h.status !== 'unknown', 3_000);
      expect(checked.status).toBe('failing');
      expect(['host_not_found', 'account_not_found']).toContain(checked.error.code);
    },
  );
});

describe.each(STORES)('scheduled health checks of many connections on $name', ({ create, skip }) => {
  it.skipIf(skip)('starts the next check as soon as one ends, not at the next tick of the scheduler', async () => {
    const database = await create();
    const service = await startServerProcess({
      DATABASE_URL: database.url,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      HEALTH_CHECK_INTERVAL_S: '60',
      CONNECTION_TESTS_MAX_PER_KEY: '1',
    });
    try {
      const api = clientFor(service.url);
      const refused = `postgresql://u:p@127.0.0.1:${await closedPort()}/x`;
      const started = Date.now();
      for (let i = 0; i < 40; i++) await api.request('POST', PATH, { alias: `c${i}`, connection_uri: refused });
      const unchecked = async () => (await api.request('GET', `${PATH}?health=unknown`)).body.length;
      await until(unchecked, (count) => count === 0, 15_000);
      // One check at a time, each refused at once: a claim per tick of 500 ms would take 20 s.
      expect(Date.now() - started).toBeLessThan(10_000);
      expect((await api.request('GET', `${PATH}?health=failing`)).body).toHaveLength(40);
    } finally {
      service.child.kill();
      await service.exited;
      await database.drop();
    }
  });
});

describe.skipIf(!postgresAvailable)('health checks by two instances on one PostgreSQL database', () => {
  it('checks each connection once per interval in all, not once per instance', async () => {
    const database = await createPostgresDatabase();
    const target = await createPostgresTarget();
    // A database that never answers: each check takes the whole time limit, the time in which
    // another instance would take the same connection if nothing held it.
    const silent = await startSilentServer();
    const env = {
      DATABASE_URL: database.url,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      HEALTH_CHECK_INTERVAL_S: '2',
      CONNECTION_TEST_TIMEOUT_MS: '1500',
      CONNECTION_TESTS_MAX_PER_KEY: '10',
    };
    const servers = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    try {
      const api = clientFor(servers[0]?.url ?? '');
      for (let i = 0; i < 3; i++) {
        await api.request('POST', PATH, { alias: `up${i}`, connection_uri: target.uri });
        await api.request('POST', PATH, {
          alias: `mute${i}`,
          connection_uri: `postgresql://u:p@127.0.0.1:${silent.port}/x`,
        });
      }
      const started = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 7_000));
      const elapsedIntervals = (Date.now() - started) / 2_000;
      const rows = (await runSql(database, 'SELECT alias, health_checks, health_status FROM database_connections')) as {
        alias: string;
        health_checks: number;
        health_status: string;
      }[];
      for (const { alias, health_checks, health_status } of rows) {
        if (alias.startsWith('up')) {
          // Once at creation, then once per interval: each instance checking alone would double it.
          expect(health_status).toBe('ok');
          expect(health_checks, alias).toBeGreaterThanOrEqual(Math.floor(elapsedIntervals));
          expect(health_checks, alias).toBeLessThanOrEqual(Math.ceil(elapsedIntervals) + 1);
        } else {
          // 1.5 s a check, then 2 s, then 4 s of backoff: at most 3 checks in 7 s, 6 if both instances checked it.
          expect(health_status).toBe('failing');
          expect(health_checks, alias).toBeLessThanOrEqual(3);
        }
      }
    } finally {
      await silent.close();
      for (const server of servers) server.child.kill();
      await Promise.all(servers.map((server) => server.exited));
      await database.drop();
      await target.drop();
    }
  });
});
