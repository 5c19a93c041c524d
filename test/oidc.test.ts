/**
 * Sign-in with an OpenID Connect provider: access tokens of a real provider run by the test
 * (oidc-provider, client-credentials grant), verified against the keys it publishes, the grants
 * read from its claim; and the tokens it must refuse.
 */
import { type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import type { RunningService } from '../src/service.ts';
import { createSqliteDatabase, type TestDatabase } from './support/databases.ts';
import { AUDIENCE, type RunningProvider, type SigningKey, signingKey, startProvider } from './support/oidc.ts';
import { clientFor, startTestService } from './support/service.ts';

const PATH = '/api/v1/database-connections';
const CLIENTS = [
  { id: 'sales-reader', grants: ['sales:connections:read'] },
  { id: 'operator', grants: ['*:connections:read', '*:connections:write', '*:audit:read', '*:access:admin'] },
  { id: 'nobody', grants: ['not-a-grant', 'sales:no-such-scope'] },
  { id: 'platform', grants: [], groups: ['platform-team', 'unmapped-team'] },
];
const GROUP_GRANTS = JSON.stringify({ 'platform-team': ['default:connections:read'] });

/** A token signed by this key as if by the issuer: for the tokens a provider would never give. */
const forge = (key: SigningKey, issuer: string, claims: { exp: number; aud?: string }) =>
  new SignJWT({ dcapi_grants: ['*:connections:read'] })
    .setProtectedHeader({ alg: 'RS256', kid: key.jwk.kid })
    .setIssuer(issuer)
    .setSubject('forged')
    .setAudience(claims.aud ?? AUDIENCE)
    .setIssuedAt(claims.exp - 600)
    .setExpirationTime(claims.exp)
    .sign(key.jwk as JWK);

const unsigned = (issuer: string) => {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ iss: issuer, sub: 'x', aud: AUDIENCE, exp: now + 600, dcapi_grants: ['*:connections:read'] })}.`;
};

describe('with an OpenID Connect provider', () => {
  let database: TestDatabase;
  let service: RunningService;
  let provider: RunningProvider;
  const logLines: string[] = [];
  let first: SigningKey;
  const call = (token: string, method = 'GET', path = PATH, body?: unknown) =>
    clientFor(service.url).request(method, path, body, { authorization: `Bearer ${token}` });

  beforeAll(async () => {
    first = await signingKey('first');
    provider = await startProvider(CLIENTS, [first]);
    database = createSqliteDatabase();
    service = await startTestService(
      database.url,
      {
        OIDC_ISSUER: provider.issuer,
        OIDC_AUDIENCE: AUDIENCE,
        OIDC_JWKS_COOLDOWN_S: '0',
        OIDC_GROUP_GRANTS: GROUP_GRANTS,
      },
      logLines,
    );
    const operator = await provider.token('operator');
    expect((await call(operator, 'POST', '/api/v1/workspaces', { name: 'sales' })).status).toBe(201);
    for (const [alias, workspace] of [
      ['orders', 'sales'],
      ['payroll', 'default'],
    ] as const) {
      const created = await call(operator, 'POST', PATH, {
        alias,
        workspace,
        connection_uri: `postgresql://u:p@db.example.com/${alias}`,
      });
      expect(created.status).toBe(201);
    }
  });
  afterAll(async () => {
    await service?.stop();
    await provider?.close();
    await database?.drop();
  });

  it('takes client-credentials tokens, with the grants of their claim', async () => {
    const token = await provider.token('sales-reader');
    const list = await call(token);
    expect(list.status).toBe(200);
    expect(list.body.map((row: { alias: string }) => row.alias)).toEqual(['orders']);
    expect((await call(token, 'POST', PATH, { alias: 'x', connection_uri: 'postgresql://h/x' })).status).toBe(403);
    // Grants that name no scope give nothing: the caller is known, and may do nothing.
    const nobody = await call(await provider.token('nobody'));
    expect(nobody.status).toBe(403);
  });

  it('gives the grants of the token’s groups, as OIDC_GROUP_GRANTS maps them', async () => {
    const list = await call(await provider.token('platform'));
    expect(list.status).toBe(200);
    expect(list.body.map((row: { alias: string }) => row.alias)).toEqual(['payroll']);
  });

  it('names the token’s issuer and subject in the audit trail', async () => {
    const operator = await provider.token('operator');
    const trail = await call(operator, 'GET', '/api/v1/audit-events?action=create');
    expect(trail.body[0]).toMatchObject({
      actor: 'operator',
      actor_id: `oidc:${provider.issuer}#operator`,
      workspace: 'default',
    });
  });

  it('refuses a token for another audience, an expired one, one signed by an unpublished key, and alg none', async () => {
    const now = Math.floor(Date.now() / 1000);
    const refused = {
      'another audience': await provider.token('operator', 'https://another-api.example'),
      expired: await forge(first, provider.issuer, { exp: now - 60 }),
      'an unpublished key': await forge(await signingKey('first'), provider.issuer, { exp: now + 600 }),
      'an unknown key id': await forge(await signingKey('rogue'), provider.issuer, { exp: now + 600 }),
      'another issuer': await forge(first, 'http://127.0.0.1:1', { exp: now + 600 }),
      'alg none': unsigned(provider.issuer),
      'not a JWT': 'eyJhbGciOiJSUzI1NiJ9.e30',
    };
    for (const [what, token] of Object.entries(refused)) {
      const reply = await call(token);
      expect(reply.status, what).toBe(401);
      expect(reply.headers.get('www-authenticate'), what).toContain('invalid_token');
      const graphql = await clientFor(service.url).request(
        'POST',
        '/graphql',
        { query: '{ databaseConnections { totalCount } }' },
        { authorization: `Bearer ${token}` },
      );
      expect(graphql.status, what).toBe(401);
    }
    // A forged token is valid but for its signature: checked with the issuer's key, it would pass.
    expect((await call(await forge(first, provider.issuer, { exp: now + 600 }))).status).toBe(200);
    // Why each was refused is logged; the tokens never are.
    const log = logLines.join('\n');
    expect(log).toContain('an identity provider token was refused');
    for (const token of Object.values(refused)) expect(log).not.toContain(token);
  });

  it('follows a key rotation at the provider', async () => {
    const before = await provider.token('sales-reader');
    expect((await call(before)).status).toBe(200);
    // The provider starts again on its address with a new key only: the old one is retired.
    const { issuer } = provider;
    await provider.close();
    provider = await startProvider(CLIENTS, [await signingKey('second')], Number(new URL(issuer).port));
    const after = await provider.token('sales-reader');
    // Its kid is new to the service, which fetches the keys again and takes the token.
    expect((await call(after)).status).toBe(200);
    // A token signed with the retired key is refused once the keys are fetched again.
    expect((await call(before)).status).toBe(401);
  });
});

describe('the identity provider settings', () => {
  it('go together, and allow no local mode', () => {
    expect(() => loadConfig({ OIDC_ISSUER: 'https://id.example.com' })).toThrow(/OIDC_ISSUER and OIDC_AUDIENCE/);
    expect(() => loadConfig({ OIDC_ISSUER: 'ftp://id.example.com', OIDC_AUDIENCE: 'a' })).toThrow(/OIDC_ISSUER/);
    expect(() => loadConfig({ OIDC_GROUP_GRANTS: '{"team": ["sales:connections:read", "sales"]}' })).toThrow(
      /OIDC_GROUP_GRANTS team: sales name no workspace:scope/,
    );
    expect(() => loadConfig({ OIDC_GROUP_GRANTS: '["sales:connections:read"]' })).toThrow(/OIDC_GROUP_GRANTS must be/);
    // A provider is configured: the service may listen beyond loopback without API keys.
    expect(loadConfig({ OIDC_ISSUER: 'https://id.example.com', OIDC_AUDIENCE: 'a', HOST: '0.0.0.0' }).OIDC_ISSUER).toBe(
      'https://id.example.com',
    );
  });
});
