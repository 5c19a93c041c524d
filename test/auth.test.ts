/** API keys and scopes, enforced alike on REST and GraphQL. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../src/auth/api-keys.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import type { RunningService } from '../src/service.ts';
import { createSqliteDatabase, type TestDatabase } from './support/databases.ts';
import { send } from './support/raw-http.ts';
import { clientFor, startTestService } from './support/service.ts';

const PATH = '/api/v1/database-connections';
const URI = 'postgresql://bi:Hunter2-reveal@warehouse:5432/sales';
const BODY = { alias: 'sales', connection_uri: URI };

const keys = {
  reader: generateApiKey(),
  writer: generateApiKey(),
  revealer: generateApiKey(),
};
const API_KEYS = JSON.stringify([
  { name: 'reader', hash: hashApiKey(keys.reader), scopes: ['connections:read'] },
  { name: 'writer', hash: hashApiKey(keys.writer), scopes: ['connections:read', 'connections:write'] },
  { name: 'revealer', hash: hashApiKey(keys.revealer), scopes: ['connections:read', 'connections:reveal'] },
]);
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('with API keys configured', () => {
  let database: TestDatabase;
  let service: RunningService;
  const logLines: string[] = [];
  const http = () => clientFor(service.url);
  const graphql = (key: string | undefined, query: string, variables?: object) =>
    http().request('POST', '/graphql', { query, variables }, key ? bearer(key) : {});

  beforeAll(async () => {
    database = createSqliteDatabase();
    service = await startTestService(database.url, { API_KEYS }, logLines);
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });

  it('answers 401 with WWW-Authenticate without a key, on REST and GraphQL', async () => {
    const rest = await http().request('GET', PATH);
    expect(rest.status).toBe(401);
    expect(rest.headers.get('www-authenticate')).toBe('Bearer realm="database-connection-api"');
    expect(rest.headers.get('content-type')).toBe('application/problem+json');
    expect(rest.body).toMatchObject({ status: 401, code: 'unauthenticated' });

    const gql = await graphql(undefined, '{ databaseConnections { totalCount } }');
    expect(gql.status).toBe(401);
    expect(gql.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(gql.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('answers 401 without a key to every spelling of a path the router reads as the API’s, reading and writing nothing', async () => {
    const stored = await http().request('POST', PATH, BODY, bearer(keys.writer));
    expect(stored.status).toBe(201);
    const { port } = new URL(service.url);
    const csrf = { 'x-graphql-yoga-csrf': '1' };
    // Percent-encoded letters the router decodes, and the absolute form a proxy sends (RFC 9112, 3.2.2).
    for (const [method, path, body] of [
      ['GET', `/%61pi/v1/database-connections/${stored.body.id}?reveal=true`],
      ['GET', `http://127.0.0.1:${port}${PATH}`],
      ['GET', `HTTP://127.0.0.1:${port}${PATH}/${stored.body.id}?reveal=true`],
      ['GET', '/%61pi/v1/dialects'],
      ['GET', `/%61pi/v1/workspaces`],
      ['DELETE', `/api/v1/d%61tabase-connections/${stored.body.id}`],
      ['POST', `http://127.0.0.1:${port}${PATH}`, { alias: 'planted', connection_uri: URI }],
      ['POST', `http://127.0.0.1:${port}/graphql`, { query: '{ dialects { name } }' }],
      ['GET', `http://127.0.0.1:${port}/graphql?query=${encodeURIComponent('{ dialects { name } }')}`],
    ] as const) {
      const reply = await send(service.url, method, path, { body, headers: csrf });
      expect(reply.status, `${method} ${path}: ${reply.text.slice(0, 200)}`).toBe(401);
    }
    const listed = await http().request('GET', PATH, undefined, bearer(keys.reader));
    expect(listed.body.map((connection: { alias: string }) => connection.alias)).toEqual(['sales']);
    await http().request('DELETE', `${PATH}/${stored.body.id}`, undefined, bearer(keys.writer));
  });

  it('answers 401 naming an invalid token for an unknown key', async () => {
    for (const authorization of [
      `Bearer ${generateApiKey()}`,
      'Bearer ',
      'Basic dXNlcjpwYXNz',
      `Bearer ${keys.reader}x`,
    ]) {
      const reply = await http().request('POST', PATH, BODY, { authorization });
      expect(reply.status).toBe(401);
    }
    const reply = await http().request('GET', PATH, undefined, bearer(generateApiKey()));
    expect(reply.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('lets /health, /ready and the GraphiQL page through without a key', async () => {
    expect((await http().request('GET', '/health')).status).toBe(200);
    expect((await http().request('GET', '/ready')).status).toBe(200);
    expect((await http().request('GET', '/graphql', undefined, { accept: 'text/html' })).status).toBe(200);
  });

  it('answers 403 naming the missing scope, and writes nothing', async () => {
    const rest = await http().request('POST', PATH, BODY, bearer(keys.reader));
    expect(rest.status).toBe(403);
    expect(rest.body).toMatchObject({ code: 'forbidden', detail: 'This API key lacks the connections:write scope.' });

    const gql = await graphql(
      keys.reader,
      'mutation ($input: CreateDatabaseConnectionInput!) { createDatabaseConnection(input: $input) { __typename } }',
      { input: { alias: 'x', connectionUri: URI } },
    );
    expect(gql.body.errors[0]).toMatchObject({
      message: 'This API key lacks the connections:write scope.',
      extensions: { code: 'FORBIDDEN', requiredScopes: ['connections:write'] },
    });
    expect((await http().request('GET', PATH, undefined, bearer(keys.reader))).body).toEqual([]);
  });

  it('reveals the URI only to a key with connections:reveal, and logs who and which id, never the secret', async () => {
    const created = (await http().request('POST', PATH, BODY, bearer(keys.writer))).body;
    expect(created.connection_uri).toBe('postgresql://bi:****@warehouse:5432/sales');
    const item = `${PATH}/${created.id}`;

    const denied = await http().request('GET', `${item}?reveal=true`, undefined, bearer(keys.writer));
    expect(denied.status).toBe(403);
    expect(denied.body.detail).toBe('This API key lacks the connections:reveal scope.');

    const revealed = await http().request('GET', `${item}?reveal=true`, undefined, bearer(keys.revealer));
    expect(revealed.status).toBe(200);
    expect(revealed.body.connection_uri).toBe(URI);
    expect(
      (await http().request('GET', `${item}?reveal=false`, undefined, bearer(keys.revealer))).body.connection_uri,
    ).toBe(created.connection_uri);
    expect((await http().request('GET', `${item}?reveal=yes`, undefined, bearer(keys.revealer))).status).toBe(400);

    const query = 'query ($id: ID!) { databaseConnection(id: $id) { connectionUri(reveal: true) } }';
    const viaGraphQL = await graphql(keys.revealer, query, { id: created.id });
    expect(viaGraphQL.body.data.databaseConnection.connectionUri).toBe(URI);
    const refused = await graphql(keys.reader, query, { id: created.id });
    expect(refused.body.errors[0].extensions.code).toBe('FORBIDDEN');

    const reveals = logLines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'connectionUri revealed');
    expect(reveals).toHaveLength(2);
    for (const entry of reveals) expect(entry).toMatchObject({ apiKey: 'revealer', connectionId: created.id });
    expect(logLines.join('\n')).not.toContain('Hunter2-reveal');
  });

  it('logs one line per request with its request id, echoing a given X-Request-Id', async () => {
    const reply = await http().request('GET', PATH, undefined, { ...bearer(keys.reader), 'x-request-id': 'trace-42' });
    expect(reply.headers.get('x-request-id')).toBe('trace-42');
    const fresh = await http().request('GET', PATH, undefined, bearer(keys.reader));
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const line = logLines.map((entry) => JSON.parse(entry)).find((entry) => entry.requestId === 'trace-42');
    expect(line).toMatchObject({ msg: 'request', method: 'GET', path: PATH, status: 200, apiKey: 'reader' });
    expect(logLines.join('\n')).not.toContain(keys.reader);
  });
});

describe('configuration of API keys', () => {
  it('runs in local mode without keys only on a loopback address', () => {
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(ConfigError);
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(/local mode the service listens only on a loopback address/);
    expect(loadConfig({ HOST: '127.0.0.2' }).apiKeys).toEqual([]);
    expect(loadConfig({ HOST: '0.0.0.0', API_KEYS }).apiKeys).toHaveLength(3);
  });

  it('refuses malformed entries without echoing them', () => {
    const secretLooking = 'dcapi_this-is-not-a-hash';
    expect(() =>
      loadConfig({ API_KEYS: JSON.stringify([{ name: 'x', hash: secretLooking, scopes: ['connections:read'] }]) }),
    ).toThrow(/API_KEYS: key "x": hash must be sha256:/);
    expect(() => loadConfig({ API_KEYS: secretLooking })).not.toThrow(secretLooking);
    expect(() =>
      loadConfig({ API_KEYS: `[{"name":"x","hash":"sha256:${'0'.repeat(64)}","scopes":["admin"]}]` }),
    ).toThrow(/API_KEYS: key "x": scopes\[0\] is "admin", which is not one of connections:read, /);
  });

  it('reads the entries from API_KEYS_FILE, but not from both settings at once', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dcapi-keys-')), 'api-keys.json');
    writeFileSync(file, API_KEYS);
    expect(loadConfig({ API_KEYS_FILE: file }).apiKeys.map((entry) => entry.name)).toEqual([
      'reader',
      'writer',
      'revealer',
    ]);
    expect(() => loadConfig({ API_KEYS_FILE: file, API_KEYS })).toThrow(/not both/);
    expect(() => loadConfig({ API_KEYS_FILE: `${file}.missing` })).toThrow(/cannot be read/);
  });

  it('npm run create-api-key prints a key and the entry that admits it', () => {
    const output = execFileSync(
      'npm',
      ['run', '-s', 'create-api-key', '--', '--name', 'etl', '--scopes', 'connections:read'],
      {
        encoding: 'utf8',
      },
    );
    const key = /\b(dcapi_\S+)/.exec(output)?.[1] ?? '';
    const entry = JSON.parse(output.slice(output.indexOf('{')));
    expect(entry).toEqual({ name: 'etl', hash: hashApiKey(key), scopes: ['connections:read'] });
  });
});
