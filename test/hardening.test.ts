/** HTTP and GraphQL hardening: headers, CORS, production mode, query limits, CSRF, timeouts. */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../src/auth/api-keys.ts';
import { conform } from './support/openapi.ts';
import { clientFor, useService } from './support/service.ts';

const PATH = '/api/v1/database-connections';

/** One service per block, with the settings given. */
function serviceWith(env: Record<string, string>) {
  const { url } = useService(env);
  return { api: () => clientFor(url()), url };
}

describe('security headers, CORS and query limits (defaults)', () => {
  const { api, url } = serviceWith({});

  it('puts strict security headers on every API response', async () => {
    for (const reply of [
      await api().request('GET', PATH),
      await api().request('GET', `${PATH}/nope`),
      await api()
        .graphql('{ __typename }')
        .then(() => api().request('POST', '/graphql', { query: '{ __typename }' })),
      await api().request('GET', '/health'),
    ]) {
      expect(reply.headers.get('content-security-policy')?.split(/;\s*/)).toEqual([
        "default-src 'none'",
        "frame-ancestors 'none'",
      ]);
      expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
      expect(reply.headers.get('x-frame-options')).toBe('DENY');
      expect(reply.headers.get('referrer-policy')).toBe('no-referrer');
      expect(reply.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('gives the GraphiQL page a policy that allows only its own script, by hash', async () => {
    const reply = await api().request('GET', '/graphql', undefined, { accept: 'text/html' });
    const policy = reply.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'; /);
    expect(policy).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|https?:/);
  });

  it('keeps CORS closed when no origin is allowed', async () => {
    const reply = await api().request('GET', PATH, undefined, { origin: 'https://evil.example' });
    expect(reply.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await api().request('OPTIONS', PATH, undefined, {
      origin: 'https://evil.example',
      'access-control-request-method': 'POST',
    });
    // @fastify/cors answers no preflight for an origin it does not allow.
    expect(preflight.status).toBe(404);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('refuses GraphQL requests a cross-site page could forge (CSRF)', async () => {
    const forged = await fetch(`${url()}/graphql?query=%7B__typename%7D`);
    expect(forged.status).toBe(403);
    const form = await fetch(`${url()}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'query=%7B__typename%7D',
    });
    expect(form.status).toBe(403);
  });

  it.each([
    [
      'too many aliases',
      `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: databaseConnections { totalCount }`).join(' ')} }`,
      'aliases',
    ],
    ['too many tokens', `{ ${'__typename '.repeat(4100)}}`, 'tokens'],
    ['too many fields', `{ ${'__typename '.repeat(400)} databaseConnection(id: "x") { id } }`, 'breadth'],
  ])('refuses a query that is %s, saying which limit', async (_name, query, limit) => {
    const { errors, data } = await api().graphql(query);
    // Refused before any field that reads the database resolves: no connection data comes back.
    for (const value of Object.values(data ?? {})) expect(typeof value === 'object' ? value : null).toBeNull();
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_LIMIT_EXCEEDED', limit });
    expect(errors?.[0]?.message).not.toMatch(/Syntax Error/);
  });

  it('answers introspection and suggests fields outside production', async () => {
    const { data } = await api().graphql('{ __schema { queryType { name } } }');
    expect(data.__schema.queryType.name).toBe('Query');
    const { errors } = await api().graphql('{ databaseConnectionz { totalCount } }');
    expect(errors?.[0]?.message).toMatch(/Did you mean/);
  });
});

describe('with REQUEST_TIMEOUT_MS, CORS_ORIGINS and NODE_ENV=production', () => {
  const { api, url } = serviceWith({
    NODE_ENV: 'production',
    CORS_ORIGINS: 'https://bi.example, https://portal.example',
    REQUEST_TIMEOUT_MS: '1000',
  });

  it('opens CORS to the listed origins only', async () => {
    const allowed = await api().request('GET', PATH, undefined, { origin: 'https://bi.example' });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://bi.example');
    expect(allowed.headers.get('vary')).toContain('Origin');
    const preflight = await api().request('OPTIONS', PATH, undefined, {
      origin: 'https://portal.example',
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'authorization, content-type',
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    const other = await api().request('GET', PATH, undefined, { origin: 'https://evil.example' });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('times out a client that stops sending its request', async () => {
    const { port } = new URL(url());
    const socket = net.connect(Number(port), '127.0.0.1');
    socket.write(
      `POST ${PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"alias":`,
    );
    const closed = new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (chunk) => (text += chunk));
      socket.on('close', () => resolve(text));
    });
    expect(await closed).toMatch(/^HTTP\/1\.1 408/);
    expect((await api().request('GET', PATH)).body).toEqual([]);
  }, 10_000);

  it('serves no introspection, no GraphiQL and no field suggestions', async () => {
    const introspection = await api().graphql('{ __schema { queryType { name } } }');
    expect(introspection.errors?.[0]?.message).toMatch(/introspection/i);
    expect((await api().request('GET', '/graphql', undefined, { accept: 'text/html' })).status).toBe(404);
    const typo = await api().graphql('{ databaseConnectionz { totalCount } }');
    expect(typo.errors?.[0]?.message).not.toMatch(/Did you mean/);
  });
});

describe('with GRAPHQL_EXPLORER=true in production', () => {
  const { api } = serviceWith({ NODE_ENV: 'production', GRAPHQL_EXPLORER: 'true' });

  it('serves introspection and GraphiQL again', async () => {
    expect((await api().graphql('{ __schema { queryType { name } } }')).data.__schema.queryType.name).toBe('Query');
    expect((await api().request('GET', '/graphql', undefined, { accept: 'text/html' })).status).toBe(200);
  });
});

describe('with RATE_LIMIT_PER_MINUTE=3 and two API keys', () => {
  const keys = { one: generateApiKey(), two: generateApiKey(), scraper: generateApiKey() };
  const { api } = serviceWith({
    RATE_LIMIT_PER_MINUTE: '3',
    API_KEYS: JSON.stringify([
      { name: 'one', hash: hashApiKey(keys.one), scopes: ['connections:read'] },
      { name: 'two', hash: hashApiKey(keys.two), scopes: ['connections:read'] },
      { name: 'scraper', hash: hashApiKey(keys.scraper), scopes: ['metrics:read'] },
    ]),
  });
  const as = (key: string) => ({ authorization: `Bearer ${key}` });

  it('answers 429 problem+json with Retry-After past the limit, per API key, sparing /health and /metrics', async () => {
    for (let i = 0; i < 3; i++) expect((await api().request('GET', PATH, undefined, as(keys.one))).status).toBe(200);
    const limited = await api().request('GET', PATH, undefined, as(keys.one));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toBe('application/problem+json');
    expect(limited.body).toMatchObject({ status: 429, code: 'too_many_requests' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    conform(PATH, 'GET', limited);
    // GraphQL counts against the same budget, and answers in its own shape.
    const graphql = await api().request('POST', '/graphql', { query: '{ __typename }' }, as(keys.one));
    expect(graphql.status).toBe(429);
    expect(graphql.body.errors[0].extensions.code).toBe('TOO_MANY_REQUESTS');
    // Another key has its own budget; the platform's probes have none.
    expect((await api().request('GET', PATH, undefined, as(keys.two))).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await api().request('GET', '/health')).status).toBe(200);
    for (let i = 0; i < 5; i++)
      expect((await api().request('GET', '/metrics', undefined, as(keys.scraper))).status).toBe(200);
  });
});
