/** Idempotency-Key on POST, against the real HTTP server, on SQLite and on PostgreSQL. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../src/auth/api-keys.ts';
import { runSql, STORES } from './support/databases.ts';
import { clientFor, startTestService, TEST_ENCRYPTION_KEY, useServiceFixture } from './support/service.ts';

const PATH = '/api/v1/database-connections';
const BODY = { alias: 'warehouse', connection_uri: 'postgresql://u:secret-pw@db/x', schemas: ['public'] };

describe.each(STORES)('Idempotency-Key on $name', (store) => {
  const { skip } = store;
  const fixture = useServiceFixture(store);
  const post = (body: unknown, key?: string) =>
    fixture.api.request('POST', PATH, body, key === undefined ? {} : { 'idempotency-key': key });
  const count = async () => (await fixture.api.request('GET', PATH)).body.length;

  it.skipIf(skip)('answers a retry with the first response, and creates one connection', async () => {
    const first = await post(BODY, 'create-warehouse-1');
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await post(BODY, 'create-warehouse-1');
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(again.headers.get('etag')).toBe('"1"');
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await count()).toBe(1);
    // Without the key, the same body is a new request: the alias is taken.
    expect((await post(BODY)).status).toBe(409);
  });

  it.skipIf(skip)('refuses the same key with another body (422), writing nothing', async () => {
    expect((await post(BODY, 'k-1')).status).toBe(201);
    const other = await post({ ...BODY, alias: 'other' }, 'k-1');
    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ code: 'idempotency_key_reused' });
    expect(await count()).toBe(1);
  });

  it.skipIf(skip)('keeps no failure: after a 4xx the same key may carry the corrected request', async () => {
    const invalid = await post({ ...BODY, alias: '' }, 'k-2');
    expect(invalid.status).toBe(400);
    const corrected = await post(BODY, 'k-2');
    expect(corrected.status).toBe(201);
    expect(corrected.headers.get('idempotent-replayed')).toBeNull();
  });

  it.skipIf(skip)('of concurrent requests with one key, creates one connection', async () => {
    const replies = await Promise.all(Array.from({ length: 6 }, () => post(BODY, 'k-concurrent')));
    const statuses = replies.map((reply) => reply.status);
    expect(statuses.every((status) => status === 201 || status === 409)).toBe(true);
    for (const reply of replies.filter((reply) => reply.status === 409)) {
      expect(reply.body).toMatchObject({ code: 'idempotency_key_in_use' });
      expect(reply.headers.get('retry-after')).toBe('1');
    }
    const ids = new Set(replies.filter((reply) => reply.status === 201).map((reply) => reply.body.id));
    expect(ids.size).toBe(1);
    expect(await count()).toBe(1);
  });

  it.skipIf(skip)('forgets a key after 24 hours', async () => {
    expect((await post(BODY, 'k-old')).status).toBe(201);
    const dayAgo = new Date(Date.now() - 24 * 60 * 60 * 1000 - 1000);
    const stamp =
      store.name === 'sqlite' ? `'${dayAgo.toISOString().replace('Z', '+00:00')}'` : `'${dayAgo.toISOString()}'`;
    await runSql(fixture.database, `UPDATE idempotency_keys SET created_at = ${stamp}`);
    const fresh = await post({ ...BODY, alias: 'next-day' }, 'k-old');
    expect(fresh.status).toBe(201);
    expect(fresh.body.alias).toBe('next-day');
  });

  it.skipIf(skip)('refuses a malformed key with 400', async () => {
    for (const key of ['', 'x'.repeat(256), 'with space']) {
      const reply = await post(BODY, key);
      expect(reply.status).toBe(400);
      expect(reply.body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
    }
    expect(await count()).toBe(0);
  });
});

describe.each(STORES)('Idempotency-Key records on $name', ({ create, skip }) => {
  it.skipIf(skip)('hold no secret, even with masking turned off: the request as an HMAC, the URI masked', async () => {
    const database = await create();
    const service = await startTestService(database.url, { MASK_SECRETS: 'false' });
    try {
      const api = clientFor(service.url);
      const body = { alias: 'plain', connection_uri: 'postgresql://u:hunter2@db/x' };
      const first = await api.request('POST', PATH, body, { 'idempotency-key': 'k' });
      expect(first.body.connection_uri).toBe('postgresql://u:hunter2@db/x');
      const records = JSON.stringify(await runSql(database, 'SELECT * FROM idempotency_keys'));
      expect(records).not.toContain('hunter2');
      // A plain SHA-256 of the request would let a reader of the database test password guesses.
      const plainHash = createHash('sha256')
        .update(JSON.stringify({ body, testConnection: false }))
        .digest('hex');
      expect(records).not.toContain(plainHash);
      const replay = await api.request('POST', PATH, body, { 'idempotency-key': 'k' });
      expect(replay.status).toBe(201);
      expect(replay.body).toEqual({
        ...first.body,
        connection_uri: 'postgresql://u:****@db/x',
        parameters: { ...first.body.parameters, password: '****' },
      });
    } finally {
      await service.stop();
      await database.drop();
    }
  });
});

describe.each(STORES)('Idempotency-Key across a key rotation on $name', ({ create, skip }) => {
  it.skipIf(skip)('answers a retry made after the encryption key changed with the kept response', async () => {
    const database = await create();
    const newKey = Buffer.alloc(32, 9).toString('base64');
    let service = await startTestService(database.url);
    try {
      const first = await clientFor(service.url).request('POST', PATH, BODY, { 'idempotency-key': 'k-rotate' });
      expect(first.status).toBe(201);
      await service.stop();
      // The rotation: a new current key, the old one kept to decrypt.
      service = await startTestService(database.url, {
        ENCRYPTION_KEY: newKey,
        ENCRYPTION_KEYS_PREVIOUS: TEST_ENCRYPTION_KEY,
      });
      const api = clientFor(service.url);
      const retry = await api.request('POST', PATH, BODY, { 'idempotency-key': 'k-rotate' });
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.body.id).toBe(first.body.id);
      const other = await api.request('POST', PATH, { ...BODY, alias: 'other' }, { 'idempotency-key': 'k-rotate' });
      expect(other.status).toBe(422);
      expect((await api.request('GET', PATH)).body).toHaveLength(1);
    } finally {
      await service.stop();
      await database.drop();
    }
  });
});

describe.each(STORES)('Idempotency-Key with API keys on $name', ({ create, skip }) => {
  it.skipIf(skip)('keeps the keys of each caller apart', async () => {
    const [one, two] = [generateApiKey(), generateApiKey()];
    const scopes = ['connections:read', 'connections:write'];
    const API_KEYS = JSON.stringify([
      { name: 'one', hash: hashApiKey(one), scopes },
      { name: 'two', hash: hashApiKey(two), scopes },
    ]);
    const database = await create();
    const service = await startTestService(database.url, { API_KEYS });
    try {
      const api = clientFor(service.url);
      const as = (key: string, body: object) =>
        api.request('POST', PATH, body, { authorization: `Bearer ${key}`, 'idempotency-key': 'shared' });
      const first = await as(one, BODY);
      const second = await as(two, { ...BODY, alias: 'theirs' });
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(second.body.id).not.toBe(first.body.id);
      expect(second.headers.get('idempotent-replayed')).toBeNull();
    } finally {
      await service.stop();
      await database.drop();
    }
  });
});
