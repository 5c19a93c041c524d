/**
 * Attacks from a browser page of another site. DNS rebinding: the page points its own name at
 * 127.0.0.1 and calls the service in local mode under that name; the service answers only names
 * of its own (421). Cross-site writes: a page of another origin sends a request that changes state;
 * it is refused (403) before it runs. Each attack is shown to read, write and reach nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../src/auth/api-keys.ts';
import { conform } from './support/openapi.ts';
import { type RawRequest, send, sendBytes, startCountingListener } from './support/raw-http.ts';
import { type Reply, useService } from './support/service.ts';

const PATH = '/api/v1/database-connections';
const SECRET = 'Rebind-Secret-7';
const ATTACKER = 'rebind.attacker.example';

/** One service per block, with the settings given, and requests to it with any headers. */
function serviceWith(env: Record<string, string>) {
  const { url } = useService(env);
  const call = (method: string, path: string, request?: RawRequest) => send(url(), method, path, request);
  return { call, port: () => new URL(url()).port };
}

const REVEAL_QUERY = { query: '{ databaseConnections { edges { node { connectionUri(reveal: true) } } } }' };

/** A refusal that says what and shows nothing: problem+json on REST, GraphQL's shape on /graphql. */
function expectRefused(reply: Reply, status: number, code: string, path: string) {
  expect(reply.status, path).toBe(status);
  expect(reply.text, path).not.toContain(SECRET);
  if (path.startsWith('/graphql')) {
    expect(reply.body.errors[0].extensions.code, path).toBe(code.toUpperCase());
    expect(reply.body.data, path).toBeUndefined();
  } else {
    expect(reply.headers.get('content-type'), path).toBe('application/problem+json');
    expect(reply.body, path).toMatchObject({ status, code });
  }
}

describe('DNS rebinding in local mode', () => {
  const { call, port } = serviceWith({});
  let id: string;
  const attack = (host: string, method = 'GET', path = `${PATH}/${id}?reveal=true`, body?: unknown) =>
    call(method, path, { headers: { host, origin: `http://${host}` }, body });

  beforeAll(async () => {
    const created = await call('POST', PATH, {
      body: { alias: 'warehouse', connection_uri: `postgresql://bi:${SECRET}@warehouse.internal:5432/sales` },
    });
    expect(created.status).toBe(201);
    id = created.body.id;
  });

  it('refuses the reveal a rebound page asks for, on REST and GraphQL, saying which setting serves another name', async () => {
    const rest = await attack(`${ATTACKER}:${port()}`);
    expectRefused(rest, 421, 'host_not_allowed', PATH);
    expect(rest.body.title).toBe('Misdirected Request');
    expect(rest.body.detail).toContain(`"${ATTACKER}:${port()}"`);
    expect(rest.body.detail).toContain('ALLOWED_HOSTS');
    expect(rest.headers.get('x-request-id')).toBeTruthy();
    expect(rest.headers.get('cache-control')).toBe('no-store');
    conform(`${PATH}/{id}`, 'GET', rest);
    const graphql = await attack(`${ATTACKER}:${port()}`, 'POST', '/graphql', REVEAL_QUERY);
    expectRefused(graphql, 421, 'host_not_allowed', '/graphql');
    // Nothing was revealed: the audit trail records every reveal.
    const reveals = await call('GET', '/api/v1/audit-events?action=reveal');
    expect(reveals.body).toEqual([]);
  });

  it('refuses that name on every path, public ones included', async () => {
    const host = `${ATTACKER}:${port()}`;
    const paths = [
      ['GET', PATH],
      ['POST', PATH],
      ['DELETE', `${PATH}/${id}`],
      ['GET', `${PATH}/${id}/schemas`],
      ['GET', '/api/v1/audit-events'],
      ['GET', '/api/v1/api-keys'],
      ['GET', '/metrics'],
      ['GET', '/health'],
      ['GET', '/ready'],
      ['GET', '/api/v1/docs'],
      ['GET', '/api/v1/openapi.json'],
      ['GET', '/'],
      ['GET', '/console/settings.json'],
      ['GET', '/no-such-path'],
      ['OPTIONS', PATH],
    ];
    for (const [method = '', path = ''] of paths) {
      expectRefused(
        await attack(host, method, path, method === 'POST' ? { alias: 'x' } : undefined),
        421,
        'host_not_allowed',
        path,
      );
    }
    const explorer = await call('GET', '/graphql', { headers: { host, accept: 'text/html' } });
    expectRefused(explorer, 421, 'host_not_allowed', '/graphql');
    const subscription = await call('POST', '/graphql', {
      headers: { host, accept: 'text/event-stream' },
      body: { query: 'subscription { databaseConnectionEvents { action } }' },
    });
    expectRefused(subscription, 421, 'host_not_allowed', '/graphql');
    // Nothing was written or deleted.
    const list = await call('GET', PATH);
    expect(list.body.map((connection: { id: string }) => connection.id)).toEqual([id]);
  });

  it.each([
    ['a subdomain of the attacker', `127.0.0.1.${ATTACKER}`],
    ['localhost under the attacker', `localhost.${ATTACKER}:4000`],
    ['a name ending in localhost', 'attacker-localhost'],
    ['user information before an address', `127.0.0.1@${ATTACKER}`],
    ['user information before localhost', `localhost@${ATTACKER}`],
    ['a loopback address in hex', '0x7f.0.0.1'],
    ['a loopback address as a number', '2130706433'],
    ['a private address', '10.0.0.1:4000'],
    ['another IPv6 address', '[::2]:4000'],
    ['a mapped private address', '[::ffff:10.0.0.1]'],
    ['a link-local address', '[fe80::1]'],
    ['an unclosed bracket', '[::1'],
    ['two ports', 'localhost:4000:4000'],
    ['a path ending in .localhost', `${ATTACKER}/x.localhost`],
    ['an IPv4 address in brackets', '[127.0.0.1]:4000'],
  ])('refuses %s as Host (%s)', async (_what, host) => {
    expectRefused(await attack(host), 421, 'host_not_allowed', PATH);
  });

  it.each([
    ['names no Host (HTTP/1.0)', `GET ${PATH}/{id}?reveal=true HTTP/1.0\r\n\r\n`],
    ['names an empty Host', `GET ${PATH}/{id}?reveal=true HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n`],
  ])('refuses a request that %s', async (_what, bytes) => {
    const answer = await sendBytes(`http://127.0.0.1:${port()}`, bytes.replace('{id}', id));
    expect(answer).toMatch(/^HTTP\/1\.1 421 /);
    expect(answer).toContain('"code":"host_not_allowed"');
    expect(answer).not.toContain(SECRET);
  });

  it.each([
    'localhost',
    'LOCALHOST',
    'localhost.',
    'console.localhost',
    '127.0.0.1',
    '127.8.9.10',
    '[::1]',
    '[0:0:0:0:0:0:0:1]',
    '[::ffff:127.0.0.1]',
  ])('answers the loopback name %s, with any port or none', async (name) => {
    for (const host of [name, `${name}:${port()}`, `${name}:80`]) {
      const reply = await call('GET', `${PATH}/${id}?reveal=true`, { headers: { host } });
      expect(reply.status, host).toBe(200);
      expect(reply.body.connection_uri).toContain(SECRET);
    }
  });
});

describe('ALLOWED_HOSTS, with API keys (behind a proxy)', () => {
  const key = generateApiKey();
  const { call } = serviceWith({
    ALLOWED_HOSTS: 'api.example.test, 10.1.2.3, [fd00::7]',
    API_KEYS: JSON.stringify([{ name: 'ops', hash: hashApiKey(key), scopes: ['connections:read'] }]),
  });
  const withKey = (host: string) => call('GET', PATH, { headers: { host, authorization: `Bearer ${key}` } });

  it('answers the names it lists and loopback names, in any case and with any port', async () => {
    for (const host of ['api.example.test', 'API.Example.TEST.:443', '10.1.2.3:8080', '[fd00:0::7]', 'localhost:1']) {
      expect((await withKey(host)).status, host).toBe(200);
    }
  });

  it('refuses any other name, even with a valid key, before authenticating', async () => {
    for (const host of [ATTACKER, 'example.test', 'api.example.test.evil', '10.1.2.4', '[fd00::8]']) {
      const reply = await withKey(host);
      expectRefused(reply, 421, 'host_not_allowed', PATH);
      expect(reply.body.detail).toContain('ALLOWED_HOSTS');
    }
    const withoutKey = await call('GET', PATH, { headers: { host: ATTACKER } });
    expectRefused(withoutKey, 421, 'host_not_allowed', PATH);
    expect(withoutKey.headers.get('www-authenticate')).toBeNull();
  });
});

describe('with API keys and no ALLOWED_HOSTS', () => {
  const key = generateApiKey();
  const { call } = serviceWith({
    API_KEYS: JSON.stringify([{ name: 'ops', hash: hashApiKey(key), scopes: ['connections:read'] }]),
  });

  it('answers any name, as every caller needs a key', async () => {
    const reply = await call('GET', PATH, { headers: { host: ATTACKER, authorization: `Bearer ${key}` } });
    expect(reply.status).toBe(200);
    expect((await call('GET', PATH, { headers: { host: ATTACKER } })).status).toBe(401);
  });
});

describe('a page of another origin changing state (local mode, CORS_ORIGINS set)', () => {
  const { call, port } = serviceWith({ CORS_ORIGINS: 'https://bi.example' });
  const EVIL = 'https://evil.example';
  let listener: Awaited<ReturnType<typeof startCountingListener>>;
  let id: string;

  beforeAll(async () => {
    listener = await startCountingListener();
    const created = await call('POST', PATH, {
      body: { alias: 'target', connection_uri: `postgresql://bi:${SECRET}@127.0.0.1:${listener.port}/sales` },
    });
    expect(created.status).toBe(201);
    id = created.body.id;
  });
  afterAll(() => listener?.close());

  const fromPage = (origin: string, method: string, path: string, body?: unknown, type = 'application/json') =>
    call(method, path, {
      headers: { origin, ...(body !== undefined && { 'content-type': type }) },
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });

  it('refuses every write a foreign page sends, and writes nothing', async () => {
    const before = (await call('GET', `${PATH}/${id}`)).body;
    // Each with its path in the OpenAPI document, where it has one.
    const writes: [string, string, unknown, string?][] = [
      ['POST', PATH, { alias: 'planted', connection_uri: 'postgresql://u:p@h/db' }, PATH],
      ['PUT', `${PATH}/${id}`, { alias: 'renamed', connection_uri: 'postgresql://u:p@elsewhere/db' }, `${PATH}/{id}`],
      ['DELETE', `${PATH}/${id}`, undefined, `${PATH}/{id}`],
      ['PATCH', `${PATH}/${id}`, { alias: 'patched' }],
      ['POST', '/api/v1/workspaces', { name: 'planted' }, '/api/v1/workspaces'],
      [
        'POST',
        '/api/v1/api-keys',
        { name: 'planted', grants: [{ workspace: '*', scopes: ['connections:reveal'] }] },
        '/api/v1/api-keys',
      ],
    ];
    for (const origin of [
      EVIL,
      'null',
      `http://127.0.0.1:${Number(port()) + 1}`,
      `http://127.0.0.1:${port()}.evil.example`,
    ]) {
      for (const [method, path, body, template] of writes) {
        const reply = await fromPage(origin, method, path, body);
        expectRefused(reply, 403, 'origin_not_allowed', path);
        expect(reply.body.detail).toContain('CORS_ORIGINS');
        if (template) conform(template, method, reply);
      }
      const mutation = await fromPage(origin, 'POST', '/graphql', {
        query: 'mutation { createWorkspace(name: "planted") { __typename } }',
      });
      expectRefused(mutation, 403, 'origin_not_allowed', '/graphql');
    }
    expect((await call('GET', `${PATH}/${id}`)).body).toEqual(before);
    expect((await call('GET', PATH)).body).toHaveLength(1);
    expect((await call('GET', '/api/v1/workspaces')).body.map((w: { name: string }) => w.name)).toEqual(['default']);
    expect((await call('GET', '/api/v1/api-keys')).body).toEqual([]);
    expect((await call('GET', '/api/v1/audit-events')).body.map((e: { action: string }) => e.action)).toEqual([
      'create',
    ]);
  });

  it('refuses a connection test sent as a simple request (no preflight): the database sees no connection', async () => {
    const rest = await fromPage(EVIL, 'POST', `${PATH}/${id}/test`, '', 'text/plain');
    expectRefused(rest, 403, 'origin_not_allowed', PATH);
    const graphql = await fromPage(EVIL, 'POST', '/graphql', {
      query: `mutation { testDatabaseConnection(id: "${id}") { __typename } }`,
    });
    expectRefused(graphql, 403, 'origin_not_allowed', '/graphql');
    expect(listener.connections()).toBe(0);
    // The same request from the service's own page (the console) does reach it.
    const own = await fromPage(`http://127.0.0.1:${port()}`, 'POST', `${PATH}/${id}/test`);
    expect(own.status).toBe(200);
    expect(listener.connections()).toBeGreaterThan(0);
  });

  it('lets through its own pages, the origins of CORS_ORIGINS and clients that send no Origin', async () => {
    const create = (alias: string) => ({ alias, connection_uri: 'postgresql://u:p@h/db' });
    for (const [origin, alias] of [
      [`http://127.0.0.1:${port()}`, 'own'],
      [`http://localhost:${port()}`, 'own-by-name'],
      ['https://bi.example', 'allowed'],
    ] as const) {
      const host = origin.includes('localhost') ? `localhost:${port()}` : `127.0.0.1:${port()}`;
      const reply = await call('POST', PATH, { headers: { origin, host }, body: create(alias) });
      expect(reply.status, origin).toBe(201);
    }
    expect((await call('POST', PATH, { body: create('no-origin') })).status).toBe(201);
    const ownGraphql = await fromPage(`http://127.0.0.1:${port()}`, 'POST', '/graphql', REVEAL_QUERY);
    expect(ownGraphql.status).toBe(200);
  });

  it('answers reads from any page (CORS keeps the answer from it)', async () => {
    const read = await fromPage(EVIL, 'GET', PATH);
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
  });
});
