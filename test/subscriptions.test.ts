/**
 * Live change events over Server-Sent Events: on SQLite within the process, on
 * PostgreSQL from one instance to another (real processes), in order, within a
 * second; secrets masked; a subscriber that leaves leaves no listener behind.
 */
import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../src/auth/api-keys.ts';
import { createPostgresDatabase, createSqliteDatabase, postgresAvailable } from './support/databases.ts';
import { startServerProcess } from './support/process.ts';
import { clientFor, startTestService, TEST_ENCRYPTION_KEY } from './support/service.ts';
import { subscribe } from './support/sse.ts';

const PATH = '/api/v1/database-connections';
const EVENTS = `subscription ($id: ID) {
  databaseConnectionEvents(id: $id) { action connectionId at connection { alias connectionUri } }
}`;
const SECRET = 'Live-Secret-9';

/** The gauge of subscribers on an instance's /metrics. */
async function subscribers(baseUrl: string) {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return Number(/^graphql_subscribers (\d+)/m.exec(text)?.[1]);
}

async function eventually(check: () => Promise<boolean>) {
  for (let i = 0; i < 50 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  return check();
}

describe('change events on SQLite, within the process', () => {
  it('delivers created, updated and deleted in order, masked, and forgets a subscriber that leaves', async () => {
    const database = createSqliteDatabase();
    const service = await startTestService(database.url);
    try {
      const api = clientFor(service.url);
      const all = await subscribe(service.url, EVENTS);
      expect(await eventually(async () => (await subscribers(service.url)) === 1)).toBe(true);
      const created = await api.request('POST', PATH, {
        alias: 'live',
        connection_uri: `postgresql://u:${SECRET}@h/db`,
      });
      const { id } = created.body;
      const one = await subscribe(service.url, EVENTS, { id });
      expect(await eventually(async () => (await subscribers(service.url)) === 2)).toBe(true);
      await api.request('POST', PATH, { alias: 'unrelated', connection_uri: 'postgresql://u:p@h/db' });
      await api.request('PUT', `${PATH}/${id}`, { alias: 'live-2', connection_uri: created.body.connection_uri });
      await api.request('DELETE', `${PATH}/${id}`);

      const seen = [];
      for (let i = 0; i < 4; i++) seen.push((await all.next()).data?.databaseConnectionEvents);
      expect(seen.map((event) => [event.action, event.connection?.alias ?? null])).toEqual([
        ['CREATED', 'live'],
        ['CREATED', 'unrelated'],
        ['UPDATED', 'live-2'],
        ['DELETED', null],
      ]);
      expect(seen[0].connection.connectionUri).toBe('postgresql://u:****@h/db');
      // The subscriber of one connection hears only of it.
      expect((await one.next()).data?.databaseConnectionEvents.action).toBe('UPDATED');
      expect((await one.next()).data?.databaseConnectionEvents).toMatchObject({ action: 'DELETED', connectionId: id });

      all.close();
      one.close();
      expect(await eventually(async () => (await subscribers(service.url)) === 0)).toBe(true);
    } finally {
      await service.stop();
      await database.drop();
    }
  });

  it('needs connections:read', async () => {
    const database = createSqliteDatabase();
    const key = generateApiKey();
    const API_KEYS = JSON.stringify([{ name: 'auditor', hash: hashApiKey(key), scopes: ['audit:read'] }]);
    const service = await startTestService(database.url, { API_KEYS });
    try {
      const denied = await subscribe(service.url, EVENTS, {}, { authorization: `Bearer ${key}` });
      const answer = await denied.next();
      expect(answer.errors?.[0]?.message).toMatch(/connections:read/);
      denied.close();
    } finally {
      await service.stop();
      await database.drop();
    }
  });
});

describe.skipIf(!postgresAvailable)('change events across instances on PostgreSQL', () => {
  it('brings a write on one instance to a subscriber of the other, in order, within a second', async () => {
    const database = await createPostgresDatabase();
    const env = { DATABASE_URL: database.url, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY };
    const [writer, listener] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    try {
      const subscriber = await subscribe(listener.url, EVENTS);
      expect(await eventually(async () => (await subscribers(listener.url)) === 1)).toBe(true);
      const api = clientFor(writer.url);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push(
          (await api.request('POST', PATH, { alias: `c${i}`, connection_uri: 'postgresql://u:p@h/db' })).body.id,
        );
      }
      await api.request('DELETE', `${PATH}/${ids[0]}`);
      const received = [];
      for (let i = 0; i < 6; i++) {
        const started = Date.now();
        received.push((await subscriber.next(1_000)).data?.databaseConnectionEvents);
        expect(Date.now() - started).toBeLessThan(1_000);
      }
      expect(received.map((event) => [event.action, event.connectionId])).toEqual([
        ...ids.map((id) => ['CREATED', id]),
        ['DELETED', ids[0]],
      ]);
      subscriber.close();
      expect(await eventually(async () => (await subscribers(listener.url)) === 0)).toBe(true);
    } finally {
      for (const server of [writer, listener]) server.child.kill();
      await Promise.all([writer.exited, listener.exited]);
      await database.drop();
    }
  });
});
