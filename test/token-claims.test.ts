/**
 * Claims of the wrong type in an identity provider's token, on both stores and both interfaces: a
 * subject that is no string of 1 to 255 characters refuses the token (401) for reads and writes
 * alike, grants and groups that are no strings give nothing, and nothing is written. Before, a
 * numeric `sub` read, and its first write was a 500 whose log line carried the whole row.
 */
import { type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../src/service.ts';
import { runSql, STORES, type TestDatabase } from './support/databases.ts';
import { AUDIENCE, type RunningProvider, type SigningKey, signingKey, startProvider } from './support/oidc.ts';
import { clientFor, startTestService } from './support/service.ts';

const PATH = '/api/v1/database-connections';
const ALL = ['*:connections:read', '*:connections:write', '*:audit:read'];

describe.each(STORES)('token claims of the wrong type on $name', (store) => {
  let database: TestDatabase;
  let service: RunningService;
  let provider: RunningProvider;
  let key: SigningKey;
  const log: string[] = [];
  /** A token the provider's key signs, with these claims: what a misconfigured or hostile provider could send. */
  const token = (claims: Record<string, unknown>) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ dcapi_grants: ALL, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: key.jwk.kid })
      .setIssuer(provider.issuer)
      .setAudience(AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(key.jwk as JWK);
  };
  const as = (bearer: string) => (method: string, path: string, body?: unknown) =>
    clientFor(service.url).request(method, path, body, { authorization: `Bearer ${bearer}` });
  const rowCount = async () => (await runSql(database, 'SELECT id FROM database_connections')).length;

  beforeAll(async () => {
    if (store.skip) return;
    key = await signingKey('claims');
    provider = await startProvider([], [key]);
    database = await store.create();
    service = await startTestService(
      database.url,
      { OIDC_ISSUER: provider.issuer, OIDC_AUDIENCE: AUDIENCE, OIDC_JWKS_COOLDOWN_S: '0' },
      log,
    );
  });
  afterAll(async () => {
    await service?.stop();
    await provider?.close();
    await database?.drop();
  });

  it.skipIf(store.skip)(
    'refuses a subject that is no string of 1 to 255 characters, for reads and writes',
    async () => {
      const subjects = [42, 0, true, null, { id: 'x' }, ['x'], '', 'a\u0000b', 'line\nbreak', 's'.repeat(256)];
      for (const sub of subjects) {
        const call = as(await token({ sub }));
        const what = JSON.stringify(sub).slice(0, 20);
        const read = await call('GET', PATH);
        expect(read.status, what).toBe(401);
        expect(read.headers.get('www-authenticate'), what).toContain('invalid_token');
        const write = await call('POST', PATH, { alias: 'by-token', connection_uri: 'postgresql://u:p@db.example/x' });
        expect(write.status, what).toBe(401);
        const graphql = await call('POST', '/graphql', {
          query:
            'mutation { createDatabaseConnection(input: {alias: "g", connectionUri: "postgresql://db.example/x"}) { __typename } }',
        });
        expect(graphql.status, what).toBe(401);
      }
      expect(await rowCount()).toBe(0);
      expect(log.join('\n')).toContain('its sub claim is not a string of 1 to 255 characters');
    },
  );

  it.skipIf(store.skip)('takes a subject of 255 characters, and names it in the audit trail', async () => {
    const sub = `s${'x'.repeat(254)}`;
    const created = await as(await token({ sub }))('POST', PATH, {
      alias: 'by-token',
      connection_uri: 'postgresql://u:p@db.example/x',
    });
    expect(created.status, created.text).toBe(201);
    const trail = await as(await token({ sub }))('GET', '/api/v1/audit-events?action=create');
    expect(trail.body[0]).toMatchObject({ actor: sub, actor_id: `oidc:${provider.issuer}#${sub}` });
    await runSql(database, 'DELETE FROM database_connections');
  });

  it.skipIf(store.skip)('gives nothing for grants and groups that are no strings, and writes nothing', async () => {
    const claims = [
      { dcapi_grants: 5 },
      { dcapi_grants: { '*': 'connections:write' } },
      { dcapi_grants: [7, null, { workspace: '*' }, ['*:connections:write']] },
      { dcapi_grants: '*:connections:write\u0000' },
      { dcapi_grants: [], groups: { admins: true } },
      { dcapi_grants: [], groups: [1, { name: 'admins' }, null] },
    ];
    for (const claim of claims) {
      const call = as(await token({ sub: 'typed-wrong', ...claim }));
      const what = JSON.stringify(claim);
      // Known, and allowed nothing: 403 where a scope is needed, never a 500.
      expect((await call('GET', PATH)).status, what).toBe(403);
      expect((await call('POST', PATH, { alias: 'x', connection_uri: 'postgresql://db.example/x' })).status, what).toBe(
        403,
      );
    }
    expect(await rowCount()).toBe(0);
  });

  it.skipIf(store.skip)('logged no error for any of it', () => {
    expect(log.filter((line) => JSON.parse(line).level >= 50)).toEqual([]);
  });
});
