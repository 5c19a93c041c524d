/**
 * What a REST write costs the service in round trips to PostgreSQL: every query the pg driver sends
 * (each one awaited, so each a round trip) from the request to its answer, counted by wrapping the
 * driver's Client.query in this process, where the service runs. A POST, and a PUT of a connection
 * the read cache holds, are one statement: the row, its audit event and its notification, all or
 * nothing. What else writes must do on both stores, the suites of writes check (rest, audit,
 * change-events, unchanged-writes, idempotency, read-cache).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../src/auth/api-keys.ts';
import { CHANNEL, type ConnectionEvent } from '../src/events/connection-events.ts';
import type { RunningService } from '../src/service.ts';
import { createPostgresDatabase, postgresAvailable, runSql, type TestDatabase } from './support/databases.ts';
import { type Client, clientFor, startTestService } from './support/service.ts';
import { subscribe } from './support/sse.ts';
import { until } from './support/until.ts';

const PATH = '/api/v1/database-connections';
const KEY = generateApiKey();
// As the bench runs it: a configured API key, checked without reading the database.
const API_KEYS = JSON.stringify([
  { name: 'writer', hash: hashApiKey(KEY), scopes: ['connections:read', 'connections:write', 'metrics:read'] },
]);
const AUTHORIZATION = { authorization: `Bearer ${KEY}` };
const body = (alias: string, password = 'pw-1') => ({
  alias,
  connection_uri: `postgresql://app:${password}@db.internal:5432/sales?sslmode=require`,
  schemas: ['public'],
  metadata: { v: 1 },
});

/** The SQL texts the driver sent while `work` ran, and what `work` answered. */
async function statementsOf<T>(work: () => Promise<T>): Promise<{ sent: string[]; answer: T }> {
  const sent: string[] = [];
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function counted(this: pg.Client, ...args: unknown[]) {
    const [config] = args;
    sent.push(typeof config === 'string' ? config : String((config as { text?: string }).text));
    return (query as (...rest: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  try {
    return { sent, answer: await work() };
  } finally {
    pg.Client.prototype.query = query;
  }
}

describe.skipIf(!postgresAvailable)('a REST write on PostgreSQL', () => {
  let database: TestDatabase;
  let service: RunningService;
  let api: Client;
  // Every change notification sent, in commit order, as another instance hears them.
  const notified: Pick<ConnectionEvent, 'action' | 'connectionId'>[] = [];
  const listener = { client: undefined as pg.Client | undefined };
  const as = (method: string, path: string, payload?: unknown, headers: Record<string, string> = {}) =>
    api.request(method, path, payload, { ...AUTHORIZATION, ...headers });
  /** The connection as the database holds it now, past the read cache. */
  const stored = async (id: string) =>
    (await as('GET', `${PATH}/${id}`, undefined, { 'cache-control': 'no-cache' })).body;
  const auditOf = (id: string) =>
    runSql(database, `SELECT action, fields FROM audit_events WHERE connection_id = '${id}' ORDER BY id`);
  /** The notifications from the `from`-th on, once there are `count` of them. */
  const notifiedFrom = (from: number, count: number) =>
    until(
      async () => notified.slice(from),
      (sent) => sent.length >= count,
      5_000,
    );

  /**
   * A connection made through the service and then read, kept by its read cache: its change event
   * delivered first (a subscriber heard it, then left), so that no event comes after the read to
   * forget what was read.
   */
  async function cachedConnection(alias: string): Promise<string> {
    const subscriber = await subscribe(
      service.url,
      'subscription { databaseConnectionEvents { action } }',
      {},
      AUTHORIZATION,
    );
    const reply = await as('POST', PATH, body(alias));
    expect(reply.status).toBe(201);
    expect((await subscriber.next(5_000)).data).toEqual({ databaseConnectionEvents: { action: 'CREATED' } });
    subscriber.close();
    // Gone from the service too, so that no event of the writes measured is read for it.
    const metrics = async () => (await as('GET', '/metrics')).text;
    expect(await until(metrics, (text) => /^graphql_subscribers 0$/m.test(text), 5_000)).toMatch(
      /^graphql_subscribers 0$/m,
    );
    expect((await as('GET', `${PATH}/${reply.body.id}`)).status).toBe(200);
    return reply.body.id;
  }

  beforeAll(async () => {
    database = await createPostgresDatabase();
    service = await startTestService(database.url, { API_KEYS });
    api = clientFor(service.url);
    listener.client = new pg.Client({ connectionString: database.url });
    await listener.client.connect();
    listener.client.on('notification', ({ payload }) => {
      const { action, connectionId } = JSON.parse(payload ?? '{}') as ConnectionEvent;
      notified.push({ action, connectionId });
    });
    await listener.client.query(`LISTEN ${CHANNEL}`);
  });
  afterAll(async () => {
    await listener.client?.end();
    await service?.stop();
    await database?.drop();
  });

  it('POST: one statement, which records the event and announces the change', async () => {
    const mark = notified.length;
    const { sent, answer } = await statementsOf(() => as('POST', PATH, body('posted')));
    expect(answer.status).toBe(201);
    expect(sent).toHaveLength(1);
    expect(answer.body).toEqual(await stored(answer.body.id));
    expect(await auditOf(answer.body.id)).toEqual([{ action: 'create', fields: expect.any(String) }]);
    expect(await notifiedFrom(mark, 1)).toEqual([{ action: 'created', connectionId: answer.body.id }]);
  });

  it('PUT of a connection read before: one statement, the version checked in it', async () => {
    const id = await cachedConnection('put');
    const mark = notified.length;
    const { sent, answer } = await statementsOf(() =>
      as('PUT', `${PATH}/${id}`, body('put-2', 'pw-2'), { 'if-match': '"1"' }),
    );
    expect(answer.status).toBe(200);
    expect(sent).toHaveLength(1);
    expect(answer.body).toMatchObject({ alias: 'put-2' });
    expect(answer.headers.get('etag')).toBe('"2"');
    expect(answer.body).toEqual(await stored(id));
    expect(await auditOf(id)).toEqual([
      { action: 'create', fields: expect.any(String) },
      { action: 'update', fields: '["alias","connection_uri"]' },
    ]);
    expect(await notifiedFrom(mark, 1)).toEqual([{ action: 'updated', connectionId: id }]);
  });

  it('a PUT told from a row changed since: writes nothing, and answers the conflict or writes again', async () => {
    const id = await cachedConnection('stale');
    // Changed past the service: no change event, so its read cache still holds version 1.
    await runSql(database, `UPDATE database_connections SET version = 2, metadata = '{"v":9}' WHERE id = '${id}'`);
    const mark = notified.length;

    const refused = await statementsOf(() => as('PUT', `${PATH}/${id}`, body('stale-2'), { 'if-match': '"1"' }));
    expect(refused.answer.status).toBe(412);
    // The statement, then the read that tells why it wrote nothing.
    expect(refused.sent).toHaveLength(2);
    expect(await stored(id)).toMatchObject({ alias: 'stale', metadata: { v: 9 } });
    expect(await auditOf(id)).toEqual([{ action: 'create', fields: expect.any(String) }]);

    // Without If-Match: read again, and told from the row as it is now (its metadata changes back).
    const written = await as('PUT', `${PATH}/${id}`, body('stale-2'));
    expect(written.status).toBe(200);
    expect(written.body).toMatchObject({ alias: 'stale-2', metadata: { v: 1 } });
    expect(written.headers.get('etag')).toBe('"3"');
    expect((await auditOf(id)).at(-1)).toEqual({ action: 'update', fields: '["alias","metadata"]' });
    // The refused write announced nothing: the one notification since is this write's.
    expect(await notifiedFrom(mark, 1)).toEqual([{ action: 'updated', connectionId: id }]);
  });

  it('a PUT of what the cache holds, changed since: told from the database, not answered unchanged', async () => {
    const id = await cachedConnection('same');
    // Changed past the service: its read cache still holds version 1, which the PUT below repeats.
    await runSql(database, `UPDATE database_connections SET version = 2, metadata = '{"v":9}' WHERE id = '${id}'`);

    const refused = await as('PUT', `${PATH}/${id}`, body('same'), { 'if-match': '"1"' });
    expect(refused.status).toBe(412);
    expect(await stored(id)).toMatchObject({ metadata: { v: 9 } });

    const written = await as('PUT', `${PATH}/${id}`, body('same'));
    expect(written.status).toBe(200);
    expect(written.body).toMatchObject({ alias: 'same', metadata: { v: 1 } });
    expect(written.headers.get('etag')).toBe('"3"');
    expect((await auditOf(id)).at(-1)).toEqual({ action: 'update', fields: '["metadata"]' });
  });

  it('a fault within the statement: nothing written, recorded or announced', async () => {
    const faulty = (await as('POST', PATH, body('faulty'))).body.id as string;
    const other = (await as('POST', PATH, body('other'))).body.id as string;
    const created = await until(
      async () => notified.filter((event) => [faulty, other].includes(event.connectionId)),
      (sent) => sent.length === 2,
      5_000,
    );
    expect(created).toHaveLength(2);
    const mark = notified.length;
    // Every new audit event is refused, from now on: the last of the row's statements fails.
    await runSql(database, 'ALTER TABLE audit_events ADD CONSTRAINT refuse_all CHECK (false) NOT VALID');
    try {
      expect((await as('PUT', `${PATH}/${faulty}`, body('faulty-2'))).status).toBe(500);
      expect((await as('POST', PATH, body('never'))).status).toBe(500);
    } finally {
      await runSql(database, 'ALTER TABLE audit_events DROP CONSTRAINT refuse_all');
    }
    expect(await stored(faulty)).toMatchObject({ alias: 'faulty' });
    expect(await runSql(database, `SELECT version FROM database_connections WHERE id = '${faulty}'`)).toEqual([
      { version: 1 },
    ]);
    expect(await runSql(database, "SELECT id FROM database_connections WHERE alias = 'never'")).toEqual([]);
    expect(await auditOf(faulty)).toEqual([{ action: 'create', fields: expect.any(String) }]);
    // Neither failed write was announced: notifications come in commit order, and the next is this one's.
    expect((await as('PUT', `${PATH}/${other}`, body('other-2'))).status).toBe(200);
    expect(await notifiedFrom(mark, 1)).toEqual([{ action: 'updated', connectionId: other }]);
  });
});
