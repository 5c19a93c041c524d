/**
 * Access ends when the credential ends. A subscription opened with a key made through the API ends
 * when the key is revoked, expires, or its grants change (its workspace renamed or deleted): on an
 * instance that did not make the change, by itself within seconds; on one that checks only before
 * each delivery (SUBSCRIPTION_CHECK_MS of an hour), at the next event, which it does not send. Each
 * is written as the attack: right after the end, an admin changes a password that the stream
 * revealed until then, and no stream may carry the new one. Deleting a workspace takes it out of
 * keys' grants, so that a workspace made again with its name grants them nothing. A second instance
 * is a process of its own, on the same SQLite file or PostgreSQL database.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { type JWK, SignJWT } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey, SCOPES } from '../src/auth/api-keys.ts';
import type { RunningService } from '../src/service.ts';
import {
  createPostgresDatabase,
  createSqliteDatabase,
  postgresAvailable,
  STORES,
  type TestDatabase,
} from './support/databases.ts';
import { AUDIENCE, signingKey, startProvider } from './support/oidc.ts';
import { type ServerProcess, startServerProcess } from './support/process.ts';
import { clientFor, startTestService, TEST_ENCRYPTION_KEY } from './support/service.ts';
import { type Payload, type Subscriber, subscribe } from './support/sse.ts';
import { until } from './support/until.ts';

const PATH = '/api/v1/database-connections';
const KEYS = '/api/v1/api-keys';
const WORKSPACES = '/api/v1/workspaces';
const OPERATOR = generateApiKey();
const API_KEYS = JSON.stringify([{ name: 'operator', hash: hashApiKey(OPERATOR), scopes: [...SCOPES] }]);
const REVEALING = `subscription {
  databaseConnectionEvents { action connection { alias connectionUri(reveal: true) } }
}`;
const uri = (password: string) => `postgresql://bi:${password}@db.example.com:5432/orders`;
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const READ_AND_REVEAL = ['connections:read', 'connections:reveal'];
/** A test that waits for an expiry (15 s ahead, so that a loaded machine opens its streams first) takes longer. */
const EXPIRY_TEST_TIMEOUT_MS = 60_000;

/** The stream's last message: the credential ended, and why. */
function expectEnded(payloads: Payload[], reason: string, message: string | RegExp) {
  expect(payloads, JSON.stringify(payloads)).toHaveLength(1);
  expect(payloads[0]).toMatchObject({
    data: null,
    errors: [{ message: expect.stringMatching(message), extensions: { code: 'UNAUTHENTICATED', reason } }],
  });
}

interface Connection {
  id: string;
  alias: string;
}

const revealedUri = (payload: Payload) => payload.data?.databaseConnectionEvents.connection?.connectionUri;

/** Clients subscribed on an instance now, as its /metrics counts them. */
async function subscribersOn(url: string, key = OPERATOR) {
  const text = await (await fetch(`${url}/metrics`, { headers: bearer(key) })).text();
  return Number(/^graphql_subscribers (\d+)/m.exec(text)?.[1]);
}

/** Waits until an instance counts this many subscribers (each stream listens once it is counted). */
async function expectSubscribers(url: string, count: number, key = OPERATOR) {
  expect(
    await until(
      () => subscribersOn(url, key),
      (n) => n === count,
      10_000,
    ),
  ).toBe(count);
}

describe.each(STORES)('subscriptions end with their credential on $name', (store) => {
  let database: TestDatabase;
  /** Checks a credential only before each delivery: its streams end at their next event. */
  let first: RunningService;
  /** Checks every second, as by default: its streams end by themselves. */
  let second: ServerProcess;
  const call = (key: string, method: string, path: string, body?: unknown, url = first.url) =>
    clientFor(url).request(method, path, body, bearer(key));
  const operator = (method: string, path: string, body?: unknown) => call(OPERATOR, method, path, body);
  const gql = (key: string, query: string, variables = {}, url = first.url) =>
    call(key, 'POST', '/graphql', { query, variables }, url);

  async function makeKey(name: string, grants: object[], expiresAt?: string) {
    const reply = await operator('POST', KEYS, { name, grants, expires_at: expiresAt });
    expect(reply.status, reply.text).toBe(201);
    return reply.body as { id: string; key: string };
  }
  async function makeConnection(workspace: string, alias: string, password: string): Promise<Connection> {
    const reply = await operator('POST', PATH, { workspace, alias, connection_uri: uri(password) });
    expect(reply.status, reply.text).toBe(201);
    return { id: reply.body.id, alias };
  }
  /** An admin changes the connection's password (PUT keeps its workspace). */
  async function setPassword({ id, alias }: Connection, password: string) {
    const reply = await operator('PUT', `${PATH}/${id}`, { alias, connection_uri: uri(password) });
    expect(reply.status, reply.text).toBe(200);
  }

  /** The key's revealing subscription on each instance, once both listen and deliver (proven by a change). */
  async function openStreams(key: string, connection: Connection, password: string): Promise<[Subscriber, Subscriber]> {
    const urls = [first.url, second.url];
    for (const url of urls) await expectSubscribers(url, 0);
    const streams = (await Promise.all(urls.map((url) => subscribe(url, REVEALING, {}, bearer(key))))) as [
      Subscriber,
      Subscriber,
    ];
    for (const url of urls) await expectSubscribers(url, 1);
    await setPassword(connection, password);
    // On SQLite, a process reading the audit trail may still bring changes made just before the stream opened.
    for (const stream of streams) {
      const seen = await until(
        () => stream.next(10_000),
        (payload) => revealedUri(payload) === uri(password),
        10_000,
      );
      expect(revealedUri(seen)).toBe(uri(password));
    }
    return streams;
  }

  beforeAll(async () => {
    if (store.skip) return;
    database = await store.create();
    first = await startTestService(database.url, { API_KEYS, SUBSCRIPTION_CHECK_MS: '3600000' });
    second = await startServerProcess({
      DATABASE_URL: database.url,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      API_KEYS,
      LOG_LEVEL: 'warn',
    });
    for (const name of ['sales', 'lab', 'ghost'])
      expect((await operator('POST', WORKSPACES, { name })).status).toBe(201);
  });
  afterAll(async () => {
    second?.child.kill();
    await second?.exited;
    await first?.stop();
    await database?.drop();
  });

  it.skipIf(store.skip)('ends a revoked key’s streams, and sends none the password changed after', async () => {
    const connection = await makeConnection('sales', 'orders', 'Initial-1');
    const key = await makeKey('dashboards', [{ workspace: 'sales', scopes: READ_AND_REVEAL }]);
    const [onFirst, onSecond] = await openStreams(key.key, connection, 'Before-Revoke-1');
    try {
      expect((await operator('DELETE', `${KEYS}/${key.id}`)).status).toBe(200);
      // The other instance ends its stream by itself, with no event to deliver.
      expectEnded(await onSecond.untilEnd(10_000), 'revoked', /^The API key was revoked\.$/);
      await setPassword(connection, 'After-Revoke-2');
      const last = await onFirst.untilEnd(10_000);
      expectEnded(last, 'revoked', /^The API key was revoked\.$/);
      expect(JSON.stringify(last)).not.toContain('After-Revoke-2');
      for (const url of [first.url, second.url]) {
        expect((await call(key.key, 'GET', PATH, undefined, url)).status).toBe(401);
        expect((await gql(key.key, '{ databaseConnections { totalCount } }', {}, url)).status).toBe(401);
      }
    } finally {
      onFirst.close();
      onSecond.close();
    }
  });

  it.skipIf(store.skip)(
    'ends an expiring key’s streams when it expires',
    async () => {
      const connection = await makeConnection('sales', 'invoices', 'Initial-2');
      // Long enough for both streams to open and deliver once before it.
      const expiresAt = new Date(Date.now() + 15_000).toISOString();
      const key = await makeKey('temporary', [{ workspace: 'sales', scopes: READ_AND_REVEAL }], expiresAt);
      const [onFirst, onSecond] = await openStreams(key.key, connection, 'Before-Expiry-1');
      try {
        expectEnded(await onSecond.untilEnd(25_000), 'expired', /^The API key expired\.$/);
        expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expiresAt));
        await setPassword(connection, 'After-Expiry-2');
        const last = await onFirst.untilEnd(10_000);
        expectEnded(last, 'expired', /^The API key expired\.$/);
        expect(JSON.stringify(last)).not.toContain('After-Expiry-2');
        expect((await call(key.key, 'GET', PATH, undefined, second.url)).status).toBe(401);
      } finally {
        onFirst.close();
        onSecond.close();
      }
    },
    EXPIRY_TEST_TIMEOUT_MS,
  );

  it.skipIf(store.skip)('ends the streams of a key whose workspace is renamed: its grants changed', async () => {
    const connection = await makeConnection('lab', 'samples', 'Initial-3');
    const key = await makeKey('lab-reader', [{ workspace: 'lab', scopes: READ_AND_REVEAL }]);
    const [onFirst, onSecond] = await openStreams(key.key, connection, 'Before-Rename-1');
    try {
      expect((await operator('PUT', `${WORKSPACES}/lab`, { name: 'research' })).status).toBe(200);
      expectEnded(await onSecond.untilEnd(10_000), 'grants_changed', /grants changed/);
      // The streams were opened with a grant on "lab": a new workspace of that name is no longer the key's.
      expect((await operator('POST', WORKSPACES, { name: 'lab' })).status).toBe(201);
      await makeConnection('lab', 'newcomer', 'New-Lab-Secret-2');
      const last = await onFirst.untilEnd(10_000);
      expectEnded(last, 'grants_changed', /grants changed/);
      expect(JSON.stringify(last)).not.toContain('New-Lab-Secret-2');
      // The key itself still reads, with its grant on the new name.
      expect((await call(key.key, 'GET', `${PATH}/${connection.id}`)).body.workspace).toBe('research');
    } finally {
      onFirst.close();
      onSecond.close();
    }
  });

  it.skipIf(store.skip)(
    'takes a deleted workspace out of keys: its streams end, and its namesake grants nothing',
    async () => {
      const connection = await makeConnection('sales', 'ledger', 'Initial-4');
      const both = await makeKey('both', [
        { workspace: 'ghost', scopes: ['connections:read'] },
        { workspace: 'sales', scopes: READ_AND_REVEAL },
      ]);
      const ghostOnly = await makeKey('ghost-only', [{ workspace: 'ghost', scopes: READ_AND_REVEAL }]);
      const salesAdmin = await makeKey('sales-admin', [{ workspace: 'sales', scopes: ['access:admin'] }]);
      const [onFirst, onSecond] = await openStreams(both.key, connection, 'Before-Delete-1');
      try {
        expect((await operator('DELETE', `${WORKSPACES}/ghost`)).status).toBe(200);
        expectEnded(await onSecond.untilEnd(10_000), 'grants_changed', /grants changed/);
        await setPassword(connection, 'After-Delete-2');
        const last = await onFirst.untilEnd(10_000);
        expectEnded(last, 'grants_changed', /grants changed/);
        expect(JSON.stringify(last)).not.toContain('After-Delete-2');
      } finally {
        onFirst.close();
        onSecond.close();
      }

      // The grant went; a key left with none is revoked, recorded, and listed only to admins of every workspace.
      const listed = (await operator('GET', KEYS)).body as { id: string; grants: unknown[]; revoked_at: string }[];
      expect(listed.find((key) => key.id === both.id)?.grants).toEqual([
        { workspace: 'sales', scopes: READ_AND_REVEAL },
      ]);
      expect(listed.find((key) => key.id === ghostOnly.id)).toMatchObject({
        grants: [],
        revoked_at: expect.any(String),
      });
      const trail = await operator('GET', '/api/v1/audit-events?action=revoke_api_key&limit=1');
      expect(trail.body[0]).toMatchObject({ subject: ghostOnly.id, actor: 'operator', workspace: 'ghost' });
      const seenBySalesAdmin = await call(salesAdmin.key, 'GET', KEYS);
      expect(seenBySalesAdmin.body.map((key: { id: string }) => key.id)).not.toContain(ghostOnly.id);
      for (const url of [first.url, second.url]) {
        expect((await call(ghostOnly.key, 'GET', PATH, undefined, url)).status).toBe(401);
        expect((await gql(ghostOnly.key, '{ workspaces { name } }', {}, url)).status).toBe(401);
      }

      // A new workspace of the same name, with a connection: nothing of it reaches the old keys.
      const made = await gql(OPERATOR, 'mutation { createWorkspace(name: "ghost") { __typename } }');
      expect(made.body.data.createWorkspace.__typename).toBe('CreateWorkspaceSuccess');
      const phantom = await makeConnection('ghost', 'phantom', 'Ghost-Secret-5');
      expect((await call(both.key, 'GET', `${PATH}/${phantom.id}`)).status).toBe(404);
      const listedToBoth = await call(both.key, 'GET', PATH);
      expect(listedToBoth.body.map((row: { id: string }) => row.id)).not.toContain(phantom.id);
      const queried = await gql(
        both.key,
        'query ($id: ID!) { databaseConnection(id: $id) { id } databaseConnections(filter: {workspace: "ghost"}) { totalCount } workspaces { name } }',
        { id: phantom.id },
      );
      expect(queried.body.data).toEqual({
        databaseConnection: null,
        databaseConnections: { totalCount: 0 },
        workspaces: [{ name: 'sales' }],
      });
      expect((await call(ghostOnly.key, 'GET', `${PATH}/${phantom.id}`)).status).toBe(401);
      // A new stream of the key hears the change in sales, and not the one in ghost made before it.
      const stream = await subscribe(first.url, REVEALING, {}, bearer(both.key));
      try {
        await expectSubscribers(first.url, 1);
        await setPassword(phantom, 'Ghost-Secret-6');
        await setPassword(connection, 'Sales-After-7');
        const next = await stream.next(10_000);
        expect(revealedUri(next)).toBe(uri('Sales-After-7'));
      } finally {
        stream.close();
      }
    },
  );
});

describe('a subscription with an identity provider’s token', () => {
  it(
    'ends when the token expires, as the token is refused from then on',
    async () => {
      const signing = await signingKey('sessions');
      const provider = await startProvider([], [signing]);
      const database = createSqliteDatabase();
      const service = await startTestService(database.url, { OIDC_ISSUER: provider.issuer, OIDC_AUDIENCE: AUDIENCE });
      // Signed with the provider's published key, as it would sign a token of a short life.
      const expiresAt = Math.floor(Date.now() / 1000) + 12;
      const token = await new SignJWT({ dcapi_grants: ['*:connections:read', '*:connections:write', '*:metrics:read'] })
        .setProtectedHeader({ alg: 'RS256', kid: signing.jwk.kid })
        .setIssuer(provider.issuer)
        .setSubject('analyst')
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(expiresAt)
        .sign(signing.jwk as JWK);
      const api = clientFor(service.url);
      const stream = await subscribe(
        service.url,
        'subscription { databaseConnectionEvents { action } }',
        {},
        bearer(token),
      );
      try {
        await expectSubscribers(service.url, 1, token);
        const created = await api.request('POST', PATH, { alias: 'orders', connection_uri: uri('p') }, bearer(token));
        expect(created.status).toBe(201);
        expect((await stream.next(10_000)).data?.databaseConnectionEvents.action).toBe('CREATED');
        expectEnded(await stream.untilEnd(25_000), 'expired', /^The access token expired\.$/);
        expect(Date.now()).toBeGreaterThanOrEqual(expiresAt * 1000);
        expect((await api.request('GET', PATH, undefined, bearer(token))).status).toBe(401);
      } finally {
        stream.close();
        await service.stop();
        await provider.close();
        await database.drop();
      }
    },
    EXPIRY_TEST_TIMEOUT_MS,
  );
});

describe('open subscriptions when the service stops', () => {
  it('complete at once: the stop does not wait for them until SHUTDOWN_TIMEOUT_MS, and no stream is cut', async () => {
    const database = createSqliteDatabase();
    // A minute: were the streams left open, the stop would outlast the test's 30 s.
    const service = await startTestService(database.url, { API_KEYS, SHUTDOWN_TIMEOUT_MS: '60000' });
    const streams = await Promise.all(
      [1, 2].map(() =>
        subscribe(service.url, 'subscription { databaseConnectionEvents { action } }', {}, bearer(OPERATOR)),
      ),
    );
    try {
      await expectSubscribers(service.url, 2);
      const ends = streams.map((stream) => stream.untilEnd(20_000));
      await service.stop();
      // Ended by the server's last event, not by a closed socket (which untilEnd reports as an error).
      expect(await Promise.all(ends)).toEqual([[], []]);
    } finally {
      for (const stream of streams) stream.close();
      await database.drop();
    }
  }, 30_000);
});

describe('a workspace the provisioning file prunes', () => {
  it('goes out of keys’ grants as one deleted through the API', async () => {
    const database = createSqliteDatabase();
    const file = `${database.url.slice('file:'.length)}.yaml`;
    writeFileSync(file, 'workspaces: [lab]\nconnections: []\n');
    // Local mode: the operator's requests need no key; the keys made are checked when presented.
    let service = await startTestService(database.url, { CONNECTIONS_FILE: file });
    try {
      const local = clientFor(service.url);
      const makeKey = async (name: string, workspaces: string[]) => {
        const grants = workspaces.map((workspace) => ({ workspace, scopes: ['connections:read'] }));
        const reply = await local.request('POST', KEYS, { name, grants });
        expect(reply.status, reply.text).toBe(201);
        return reply.body as { id: string; key: string };
      };
      const labOnly = await makeKey('lab-only', ['lab']);
      const labAndDefault = await makeKey('lab-and-default', ['lab', 'default']);
      expect((await local.request('GET', PATH, undefined, bearer(labOnly.key))).status).toBe(200);
      await service.stop();
      writeFileSync(file, 'connections: []\n');
      service = await startTestService(database.url, { CONNECTIONS_FILE: file, CONNECTIONS_FILE_PRUNE: 'true' });
      const api = clientFor(service.url);
      const listed = (await api.request('GET', KEYS)).body as { id: string; grants: unknown[]; revoked_at: unknown }[];
      expect(listed.find((key) => key.id === labOnly.id)).toMatchObject({ grants: [], revoked_at: expect.any(String) });
      expect(listed.find((key) => key.id === labAndDefault.id)?.grants).toEqual([
        { workspace: 'default', scopes: ['connections:read'] },
      ]);
      expect((await api.request('GET', PATH, undefined, bearer(labOnly.key))).status).toBe(401);
      const trail = (await api.request('GET', '/api/v1/audit-events?limit=2')).body;
      expect(trail.map((event: { action: string; actor: string }) => [event.action, event.actor])).toEqual([
        ['delete_workspace', 'provisioning'],
        ['revoke_api_key', 'provisioning'],
      ]);
    } finally {
      await service.stop();
      await database.drop();
    }
  });
});

describe.skipIf(!postgresAvailable)('a key made while its workspace goes, on PostgreSQL', () => {
  let database: TestDatabase;
  let service: RunningService;
  /** A transaction of its own, held open while the service works. */
  let holder: pg.Client;
  const operator = (method: string, path: string, body?: unknown) =>
    clientFor(service.url).request(method, path, body, bearer(OPERATOR));
  /** Statements of the service waiting for a lock the held transaction has. */
  const waiting = async () =>
    Number(
      (
        await holder.query(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
      ).rows[0].n,
    );
  const grantsOn = (workspace: string) => [{ workspace, scopes: ['connections:read'] }];

  beforeAll(async () => {
    if (!postgresAvailable) return;
    database = await createPostgresDatabase();
    service = await startTestService(database.url, { API_KEYS });
    for (const name of ['doomed', 'leaving', 'moving']) {
      expect((await operator('POST', WORKSPACES, { name })).status).toBe(201);
    }
    holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
  });
  afterAll(async () => {
    await holder?.end();
    await service?.stop();
    await database?.drop();
  });

  it('waits for a deletion under way, then finds the workspace gone', async () => {
    await holder.query('BEGIN');
    await holder.query("DELETE FROM workspaces WHERE name = 'doomed'");
    const made = operator('POST', KEYS, { name: 'late', grants: grantsOn('doomed') });
    try {
      expect(await until(waiting, (n) => n > 0, 10_000)).toBeGreaterThan(0);
    } finally {
      await holder.query('COMMIT');
    }
    const reply = await made;
    expect(reply.status, reply.text).toBe(400);
    expect(reply.body.errors).toEqual([{ field: 'grants[0].workspace', message: 'names no workspace' }]);
  });

  it.each([
    ['deletion', 'leaving', 'DELETE', undefined, []],
    ['rename', 'moving', 'PUT', { name: 'moved' }, grantsOn('moved')],
  ] as const)(
    'makes a %s wait for a key being made on the workspace, then change its grant',
    async (_what, workspace, method, body, after) => {
      const id = randomUUID();
      await holder.query('BEGIN');
      // What the service's own creation does: the workspace read FOR SHARE, then the key written.
      await holder.query('SELECT name FROM workspaces WHERE name = $1 FOR SHARE', [workspace]);
      await holder.query(
        "INSERT INTO api_keys (id, name, hash, grants, created_by, created_at) VALUES ($1, 'racing', $2, $3, 'test', now())",
        [id, hashApiKey(generateApiKey()), JSON.stringify(grantsOn(workspace))],
      );
      const changed = operator(method, `${WORKSPACES}/${workspace}`, body);
      try {
        expect(await until(waiting, (n) => n > 0, 10_000)).toBeGreaterThan(0);
      } finally {
        await holder.query('COMMIT');
      }
      expect((await changed).status).toBe(200);
      const key = (await operator('GET', KEYS)).body.find((row: { id: string }) => row.id === id);
      expect(key.grants).toEqual(after);
    },
  );
});
