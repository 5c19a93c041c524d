/**
 * Guessing keys: failed authentications are limited per client address (429 with Retry-After past
 * AUTH_FAILURES_PER_MINUTE), while a valid key from the same address goes on at full speed. Each
 * client here sends from a loopback address of its own (127.0.0.2, …).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../src/auth/api-keys.ts';
import { clientOf, createFailureLimit } from '../src/http/authentication-failures.ts';
import { conform } from './support/openapi.ts';
import { send } from './support/raw-http.ts';
import { type Reply, useService } from './support/service.ts';

const PATH = '/api/v1/database-connections';
const SECRET = 'Guessed-Secret-3';
const key = generateApiKey();
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function expectLimited(reply: Reply, path = PATH) {
  expect(reply.status).toBe(429);
  expect(Number(reply.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(Number(reply.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  expect(reply.text).not.toContain(SECRET);
  if (path === '/graphql') {
    expect(reply.body.errors[0].extensions.code).toBe('TOO_MANY_AUTHENTICATION_FAILURES');
  } else {
    expect(reply.headers.get('content-type')).toBe('application/problem+json');
    expect(reply.body).toMatchObject({ status: 429, code: 'too_many_authentication_failures' });
    expect(reply.body.detail).toMatch(/retry in \d+ s/);
    if (path === PATH) conform(PATH, 'GET', reply);
  }
}

describe('failed authentications, with the defaults and RATE_LIMIT_PER_MINUTE=200', () => {
  const { url } = useService({
    RATE_LIMIT_PER_MINUTE: '200',
    API_KEYS: JSON.stringify([
      { name: 'ops', hash: hashApiKey(key), scopes: ['connections:read', 'connections:write', 'connections:reveal'] },
    ]),
  });
  const from = (
    localAddress: string,
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: unknown,
  ) => send(url(), method, path, { localAddress, headers, body });

  beforeAll(async () => {
    const created = await from('127.0.0.1', 'POST', PATH, bearer(key), {
      alias: 'sales',
      connection_uri: `postgresql://bi:${SECRET}@warehouse.internal/sales`,
    });
    expect(created.status).toBe(201);
  });

  it('answers 230 wrong keys in a minute with 100 × 401, then 429, while a valid key from that address is served', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 230; i++) {
      const guess = await from('127.0.0.2', 'GET', `${PATH}?reveal=true`, bearer(generateApiKey()));
      statuses.push(guess.status);
      expect(guess.text).not.toContain(SECRET);
      if (guess.status === 429) expectLimited(guess);
      // The owner of a valid key at the same address, at full speed: never held back by the guesses.
      if (i % 2 === 0) expect((await from('127.0.0.2', 'GET', PATH, bearer(key))).status).toBe(200);
    }
    expect(statuses.filter((status) => status === 401)).toHaveLength(100);
    expect(statuses.slice(100).every((status) => status === 429)).toBe(true);
  });

  it('limits every kind of failure from that address, on REST and GraphQL: no key, an unknown key, a token', async () => {
    expectLimited(await from('127.0.0.2', 'GET', PATH));
    expectLimited(await from('127.0.0.2', 'GET', PATH, bearer('not-a-key')));
    expectLimited(await from('127.0.0.2', 'GET', '/metrics', bearer(generateApiKey())), '/metrics');
    expectLimited(
      await from('127.0.0.2', 'POST', '/graphql', bearer(generateApiKey()), {
        query: '{ databaseConnections { edges { node { connectionUri(reveal: true) } } } }',
      }),
      '/graphql',
    );
    // Its public paths still answer: they need no key.
    expect((await from('127.0.0.2', 'GET', '/health')).status).toBe(200);
  });

  it('gives another address a budget of its own', async () => {
    const other = await from('127.0.0.3', 'GET', PATH, bearer(generateApiKey()));
    expect(other.status).toBe(401);
    expect(other.body.code).toBe('unauthenticated');
  });
});

describe('the failure windows', () => {
  it('allows the limit a minute, then counts afresh', () => {
    const limit = createFailureLimit(3);
    const start = 1_000_000;
    for (let i = 0; i < 3; i++) expect(limit.fail('192.0.2.1', start + i)).toBeUndefined();
    expect(limit.fail('192.0.2.1', start + 30_000)).toBe(30);
    expect(limit.fail('192.0.2.1', start + 59_999)).toBe(1);
    expect(limit.fail('192.0.2.1', start + 60_000)).toBeUndefined();
  });

  it('is off at 0', () => {
    const limit = createFailureLimit(0);
    for (let i = 0; i < 10; i++) expect(limit.fail('192.0.2.1')).toBeUndefined();
  });

  it('keeps at most 10,000 clients, forgetting the oldest first', () => {
    const limit = createFailureLimit(1);
    expect(limit.fail('192.0.2.1', 0)).toBeUndefined();
    expect(limit.fail('192.0.2.1', 1)).toBe(60);
    for (let i = 0; i < 10_000; i++) limit.fail(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, 2);
    expect(limit.fail('192.0.2.1', 3)).toBeUndefined();
  });

  it('counts an IPv6 client by its /64, an IPv4 one by its address, mapped or not', () => {
    expect(clientOf('2001:db8:1:2:aaaa::1')).toBe(clientOf('2001:0db8:0001:0002:bbbb:cccc:dddd:eeee'));
    expect(clientOf('2001:db8:1:2::1')).not.toBe(clientOf('2001:db8:1:3::1'));
    expect(clientOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    // As Node writes 2001:0:0:5:1:1:1:1 and 2001:0:0:5::1, its `::` before or after the /64's end: one client.
    expect(clientOf('2001::5:1:1:1:1')).toBe(clientOf('2001:0:0:5::1'));
    expect(clientOf('2001::5:1:1:1:1')).not.toBe(clientOf('2001::6:1:1:1:1'));
    expect(clientOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientOf('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientOf('192.0.2.7')).toBe('192.0.2.7');
  });
});
