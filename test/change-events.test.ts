/**
 * Every change is published, whoever makes it: a subscriber of one instance sees CREATED, UPDATED
 * and DELETED for changes made through the API of another instance, by the provisioning file of an
 * instance starting, by `npm run apply` and by `npm run import` (real processes), each with its
 * audit event. On PostgreSQL the events travel by NOTIFY; on SQLite each instance reads them from
 * the audit trail.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteDatabase, STORES, type TestDatabase } from './support/databases.ts';
import { runCli } from './support/process.ts';
import { type Client, clientFor, startTestService, TEST_ENCRYPTION_KEY } from './support/service.ts';
import { type Subscriber, subscribe } from './support/sse.ts';

const PATH = '/api/v1/database-connections';
const EVENTS = 'subscription { databaseConnectionEvents { action connectionId } }';

/** A provisioning file of these aliases, each to a host of its name, in this database. */
const fileWith = (aliases: string[], database = 'db') => {
  const path = join(mkdtempSync(join(tmpdir(), 'dcapi-events-')), 'connections.yaml');
  const entries = aliases.map(
    (alias) => `  - alias: ${alias}\n    connection_uri: postgresql://u:p@${alias}.internal/${database}\n`,
  );
  writeFileSync(path, `connections:\n${entries.join('')}`);
  return path;
};

type Event = { action: string; connectionId: string };

describe.each(STORES)('changes on $name, whoever makes them', ({ create, skip }) => {
  let database: TestDatabase;
  let listener: Awaited<ReturnType<typeof startTestService>>;
  let api: Client;
  let subscriber: Subscriber;
  let env: Record<string, string>;

  beforeAll(async () => {
    if (skip) return;
    database = await create();
    env = { DATABASE_URL: database.url, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY };
    listener = await startTestService(database.url);
    api = clientFor(listener.url);
    subscriber = await subscribe(listener.url, EVENTS);
  });
  afterAll(async () => {
    subscriber?.close();
    await listener?.stop();
    await database?.drop();
  });

  /** The next `count` events the listener's subscriber receives: action and connection id. */
  async function received(count: number): Promise<[string, string][]> {
    const events: [string, string][] = [];
    for (let i = 0; i < count; i++) {
      const event = (await subscriber.next(5_000)).data?.databaseConnectionEvents as Event;
      events.push([event.action, event.connectionId]);
    }
    return events;
  }

  /** The ids of the connections with these aliases now. */
  async function idsOf(...aliases: string[]) {
    const rows = (await api.request('GET', PATH)).body as { id: string; alias: string }[];
    return aliases.map((alias) => rows.find((row) => row.alias === alias)?.id);
  }

  /** The audit trail's newest events, oldest first: who did what to which connection. */
  async function audited(count: number) {
    const { body } = await api.request('GET', `/api/v1/audit-events?limit=${count}`);
    return (body as { actor: string; action: string; alias: string; connection_id: string }[])
      .reverse()
      .map((e) => [e.actor, e.action, e.alias, e.connection_id]);
  }

  it.skipIf(skip)('through the API of another instance', async () => {
    const other = await startTestService(database.url);
    try {
      const otherApi = clientFor(other.url);
      const created = await otherApi.request('POST', PATH, {
        alias: 'by-api',
        connection_uri: 'postgresql://u:p@h/db',
      });
      await otherApi.request('PUT', `${PATH}/${created.body.id}`, {
        alias: 'by-api',
        connection_uri: 'postgresql://u:p@h2/db',
      });
      await otherApi.request('DELETE', `${PATH}/${created.body.id}`);
      const { id } = created.body;
      expect(await received(3)).toEqual([
        ['CREATED', id],
        ['UPDATED', id],
        ['DELETED', id],
      ]);
      expect(await audited(3)).toEqual([
        ['local', 'create', 'by-api', id],
        ['local', 'update', 'by-api', id],
        ['local', 'delete', 'by-api', id],
      ]);
    } finally {
      await other.stop();
    }
  });

  it.skipIf(skip)('by the provisioning file of an instance starting', async () => {
    const starting = await startTestService(database.url, { CONNECTIONS_FILE: fileWith(['filed-a', 'filed-b']) });
    await starting.stop();
    const [a, b] = await idsOf('filed-a', 'filed-b');
    expect(await received(2)).toEqual([
      ['CREATED', a],
      ['CREATED', b],
    ]);
    expect(await audited(2)).toEqual([
      ['provisioning', 'create', 'filed-a', a],
      ['provisioning', 'create', 'filed-b', b],
    ]);
  });

  it.skipIf(skip)('by npm run apply', async () => {
    const [a, b] = await idsOf('filed-a', 'filed-b');
    // filed-a to another database, filed-c new, filed-b no longer listed (and pruned).
    const applied = await runCli('apply', [fileWith(['filed-a', 'filed-c'], 'other')], {
      ...env,
      CONNECTIONS_FILE_PRUNE: 'true',
    });
    expect(applied.code, applied.stderr).toBe(0);
    const events = await received(3);
    const [c] = await idsOf('filed-c');
    expect(events).toEqual([
      ['UPDATED', a],
      ['CREATED', c],
      ['DELETED', b],
    ]);
    expect(await audited(3)).toEqual([
      ['provisioning', 'update', 'filed-a', a],
      ['provisioning', 'create', 'filed-c', c],
      ['provisioning', 'delete', 'filed-b', b],
    ]);
  });

  it.skipIf(skip)('by npm run import', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'dcapi-events-')), 'import.yaml');
    writeFileSync(
      path,
      'connections:\n' +
        '  - alias: imported\n    connection_uri: postgresql://u:p@imported.internal/db\n' +
        '  - alias: imported\n    connection_uri: postgresql://u:p@imported.internal/db2\n',
    );
    const imported = await runCli('import', [path], env);
    expect(imported.stdout).toMatch(/created\s+imported[\s\S]*updated\s+imported/);
    // Read once the events arrived: until then, this instance may answer the list as it was.
    const events = await received(2);
    const [id] = await idsOf('imported');
    expect(events).toEqual([
      ['CREATED', id],
      ['UPDATED', id],
    ]);
    expect(await audited(2)).toEqual([
      ['import', 'create', 'imported', id],
      ['import', 'update', 'imported', id],
    ]);
  });
});

describe('on SQLite, a connection made by another process', () => {
  it('is announced CREATED before the HEALTH_CHANGED of its first check', async () => {
    const database = createSqliteDatabase();
    const listener = await startTestService(database.url, { HEALTH_CHECK_INTERVAL_S: '1' });
    const subscriber = await subscribe(listener.url, EVENTS);
    try {
      const env = { DATABASE_URL: database.url, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY };
      expect((await runCli('apply', [fileWith(['checked'])], env)).code).toBe(0);
      const actions: string[] = [];
      for (let i = 0; i < 2; i++) {
        const event = (await subscriber.next(5_000)).data?.databaseConnectionEvents as Event | undefined;
        actions.push(event?.action ?? 'no event');
      }
      expect(actions).toEqual(['CREATED', 'HEALTH_CHANGED']);
    } finally {
      subscriber.close();
      await listener.stop();
      await database.drop();
    }
  });
});
