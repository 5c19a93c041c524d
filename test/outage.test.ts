/**
 * A database outage under the running service: the test's own PostgreSQL
 * cluster is stopped and started again while the service keeps running.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../src/service.ts';
import { clusterToolsAvailable, createPostgresCluster, type PostgresCluster } from './support/cluster.ts';
import { conform } from './support/openapi.ts';
import { clientFor, startTestService } from './support/service.ts';

const PATH = '/api/v1/database-connections';
const BODY = { alias: 'during-outage', connection_uri: 'postgresql://u:pw@db/x' };

// CI has the PostgreSQL server tools; elsewhere the suite runs where they are installed.
describe.skipIf(!clusterToolsAvailable && !process.env.CI)('a PostgreSQL outage', () => {
  let cluster: PostgresCluster;
  let service: RunningService;
  beforeAll(async () => {
    cluster = await createPostgresCluster();
    service = await startTestService(cluster.url);
  });
  afterAll(async () => {
    await service?.stop();
    cluster?.destroy();
  });

  async function timed<T>(call: () => Promise<T>): Promise<T> {
    const started = Date.now();
    const result = await call();
    expect(Date.now() - started).toBeLessThan(2_000);
    return result;
  }

  it.each(['fast', 'immediate'] as const)(
    'answers 503 database_unavailable within 2 s while stopped (%s), then recovers without a restart, losing nothing',
    async (mode) => {
      const api = clientFor(service.url);
      const acknowledged = [];
      for (let i = 0; i < 3; i++) {
        const reply = await api.request('POST', PATH, { ...BODY, alias: `${mode}-${i}` });
        expect(reply.status).toBe(201);
        acknowledged.push(reply.body);
      }
      const id = acknowledged[0].id;

      cluster.stop(mode);
      // Each with its route in the OpenAPI document, which must describe the 503 too.
      const calls: [string, string, unknown, string, Record<string, string>?][] = [
        ['GET', PATH, undefined, PATH],
        ['GET', `${PATH}/${id}`, undefined, `${PATH}/{id}`],
        ['POST', PATH, BODY, PATH],
        // Its Idempotency-Key record is read before any GraphQL operation runs.
        ['POST', PATH, BODY, PATH, { 'idempotency-key': `outage-${mode}` }],
        ['PUT', `${PATH}/${id}`, BODY, `${PATH}/{id}`],
        ['DELETE', `${PATH}/${id}`, undefined, `${PATH}/{id}`],
      ];
      for (const [method, path, body, template, headers] of calls) {
        const reply = await timed(() => api.request(method, path, body, headers));
        conform(template, method, reply);
        expect(reply.status, `${method} ${path}`).toBe(503);
        expect(reply.headers.get('retry-after')).toBe('2');
        expect(reply.body).toMatchObject({ status: 503, code: 'database_unavailable' });
        expect(reply.text).not.toMatch(/127\.0\.0\.1|prisma|SELECT|stack/i);
      }
      const graphql = await timed(() =>
        api.request('POST', '/graphql', { query: `{ databaseConnection(id: "${id}") { alias } }` }),
      );
      expect(graphql.status).toBe(503);
      expect(graphql.headers.get('retry-after')).toBe('2');
      expect(graphql.body.errors).toEqual([
        expect.objectContaining({ extensions: { code: 'DATABASE_UNAVAILABLE' }, path: ['databaseConnection'] }),
      ]);
      const ready = await timed(() => api.request('GET', '/ready'));
      expect(ready.status).toBe(503);
      expect((await api.request('GET', '/health')).status).toBe(200);

      cluster.start();
      // The same process, no restart: it is ready again once the database answers.
      const deadline = Date.now() + 10_000;
      while ((await api.request('GET', '/ready')).status !== 200) {
        expect(Date.now()).toBeLessThan(deadline);
        await sleep(100);
      }
      for (const connection of acknowledged) {
        expect((await api.request('GET', `${PATH}/${connection.id}`)).body).toEqual(connection);
      }
      expect((await api.request('POST', PATH, { ...BODY, alias: `${mode}-after` })).status).toBe(201);
    },
  );
});
