/**
 * The service's own PostgreSQL stops answering on open connections (a proxy of
 * the test's own stops forwarding, without closing): every request answers 503
 * database_unavailable within the query timeout and a second, and the service
 * recovers by itself once the database answers again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../src/service.ts';
import { createPostgresDatabase, postgresAvailable, type TestDatabase } from './support/databases.ts';
import { type Client, clientFor, startTestService } from './support/service.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';

const PATH = '/api/v1/database-connections';
const QUERY_TIMEOUT_MS = 1_000;

describe.skipIf(!postgresAvailable)('a PostgreSQL that stops answering', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let service: RunningService;
  let api: Client;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    const url = new URL(database.url);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = `127.0.0.1:${proxy.port}`;
    service = await startTestService(url.toString(), {
      DATABASE_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
      DATABASE_CONNECT_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
      DATABASE_POOL_SIZE: '4',
    });
    api = clientFor(service.url);
  });
  afterAll(async () => {
    proxy?.resume();
    await service?.stop();
    await proxy?.close();
    await database?.drop();
  });

  it('answers 503 within the timeout and a second, then recovers by itself', async () => {
    const created = await api.request('POST', PATH, { alias: 'before', connection_uri: 'postgresql://u:p@h/db' });
    expect(created.status).toBe(201);

    proxy.stall();
    const calls: [string, string, unknown?][] = [
      ['GET', PATH],
      ['GET', `${PATH}/${created.body.id}`],
      ['POST', PATH, { alias: 'during', connection_uri: 'postgresql://u:p@h/db' }],
      ['PUT', `${PATH}/${created.body.id}`, { alias: 'renamed', connection_uri: 'postgresql://u:p@h/db' }],
      ['DELETE', `${PATH}/${created.body.id}`],
    ];
    // Several at once, more than the pool holds.
    const replies = await Promise.all(
      [...calls, ...calls].map(async ([method, path, body]) => {
        const started = Date.now();
        const reply = await api.request(method, path, body);
        return { method, status: reply.status, code: reply.body?.code, ms: Date.now() - started };
      }),
    );
    for (const reply of replies) {
      expect(reply, JSON.stringify(reply)).toMatchObject({ status: 503, code: 'database_unavailable' });
      expect(reply.ms, JSON.stringify(reply)).toBeLessThan(QUERY_TIMEOUT_MS + 1_000);
    }
    const ready = await fetch(`${service.url}/ready`);
    expect(ready.status).toBe(503);

    proxy.resume();
    let listed = await api.request('GET', PATH);
    for (let i = 0; i < 50 && listed.status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      listed = await api.request('GET', PATH);
    }
    expect(listed.status).toBe(200);
    // Nothing of what was refused was written.
    expect(listed.body.map((row: { alias: string }) => row.alias)).toEqual(['before']);
    expect((await api.request('POST', PATH, { alias: 'after', connection_uri: 'postgresql://u:p@h/db' })).status).toBe(
      201,
    );
  });
});
