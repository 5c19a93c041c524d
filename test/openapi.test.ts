/**
 * The OpenAPI document against the service's real behaviour: every route is
 * called into each status it can be brought to here, and each response must be
 * documented for its route, method and status, with its content type, its
 * required headers, and a body its schema accepts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../src/auth/api-keys.ts';
import { OPENAPI_DOCUMENT } from '../src/rest/openapi.ts';
import type { RunningService } from '../src/service.ts';
import { createSqliteDatabase, dropTable, postgresAvailable, type TestDatabase } from './support/databases.ts';
import { ajv, conform, type Reply } from './support/openapi.ts';
import { type Client, clientFor, startTestService } from './support/service.ts';
import { closedPort, createPostgresTarget } from './support/targets.ts';

const PATH = '/api/v1/database-connections';
const ITEM = `${PATH}/{id}`;
const keys = { writer: generateApiKey(), reader: generateApiKey(), admin: generateApiKey() };
const API_KEYS = JSON.stringify([
  { name: 'writer', hash: hashApiKey(keys.writer), scopes: ['connections:read', 'connections:write', 'audit:read'] },
  { name: 'reader', hash: hashApiKey(keys.reader), scopes: ['connections:read'] },
  { name: 'admin', hash: hashApiKey(keys.admin), scopes: ['access:admin'] },
]);

type Document = typeof OPENAPI_DOCUMENT;

describe.skipIf(!postgresAvailable)('the OpenAPI document', () => {
  let database: TestDatabase;
  let service: RunningService;
  let api: Client;
  beforeAll(async () => {
    database = createSqliteDatabase();
    service = await startTestService(database.url, { API_KEYS });
    api = clientFor(service.url);
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });

  it('is served at /api/v1/openapi.json without an API key, as OpenAPI 3.1 whose schemas compile', async () => {
    const reply = await api.request('GET', '/api/v1/openapi.json');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(JSON.parse(JSON.stringify(OPENAPI_DOCUMENT)));
    expect(reply.body.openapi).toBe('3.1.0');
    for (const name of Object.keys(OPENAPI_DOCUMENT.components.schemas)) {
      expect(() => ajv.getSchema(`openapi.json#/components/schemas/${name}`)).not.toThrow();
    }
  });

  it('describes every response of every route, for every status reached here', async () => {
    const as =
      (key: string | undefined) =>
      (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
        api.request(method, path, body, key ? { authorization: `Bearer ${key}`, ...headers } : headers);
    const writer = as(keys.writer);
    const port = await closedPort();
    const body = (alias: string) => ({
      alias,
      connection_uri: `postgresql://u:pw@127.0.0.1:${port}/db`,
      schemas: ['public'],
      metadata: { team: 'bi' },
    });
    const covered = new Set<string>();
    const check = async (template: string, method: string, call: Promise<Reply>, status: number) => {
      const reply = await call;
      expect(reply.status, `${method} ${template}`).toBe(status);
      covered.add(conform(template, method, reply));
      return reply;
    };

    const created = await check(PATH, 'POST', writer('POST', PATH, body('main')), 201);
    const id = created.body.id as string;
    const item = `${PATH}/${id}`;
    const missing = `${PATH}/00000000-0000-4000-8000-000000000000`;
    await check(PATH, 'POST', writer('POST', PATH, body('')), 400);
    await check(PATH, 'POST', writer('POST', PATH, '{"alias":'), 400);
    await check(PATH, 'POST', writer('POST', PATH, body('main')), 409);
    await check(PATH, 'POST', writer('POST', PATH, 'alias=x', { 'content-type': 'text/plain' }), 415);
    await check(PATH, 'POST', writer('POST', PATH, { alias: 'x'.repeat(1024 * 1024) }), 413);
    await check(PATH, 'POST', writer('POST', PATH, body('once'), { 'idempotency-key': 'k' }), 201);
    await check(PATH, 'POST', writer('POST', PATH, body('twice'), { 'idempotency-key': 'k' }), 422);
    await check(PATH, 'POST', as(undefined)('POST', PATH, body('anonymous')), 401);
    await check(PATH, 'POST', as(keys.reader)('POST', PATH, body('reader')), 403);

    await check(PATH, 'GET', writer('GET', PATH), 200);
    await check(PATH, 'GET', writer('GET', `${PATH}?dialect=nosql`), 400);
    await check(ITEM, 'GET', writer('GET', item), 200);
    await check(ITEM, 'GET', writer('GET', `${item}?reveal=maybe`), 400);
    await check(ITEM, 'GET', writer('GET', missing), 404);

    await check(ITEM, 'PUT', writer('PUT', item, body('renamed'), { 'if-match': '"1"' }), 200);
    await check(ITEM, 'PUT', writer('PUT', item, body('lost'), { 'if-match': '"1"' }), 412);
    await check(ITEM, 'PUT', writer('PUT', item, body('once')), 409);
    await check(ITEM, 'PUT', writer('PUT', item, { alias: 'no uri' }), 400);
    await check(ITEM, 'PUT', writer('PUT', missing, body('ghost')), 404);

    await check(
      `${PATH}/test`,
      'POST',
      writer('POST', `${PATH}/test`, { connection_uri: body('t').connection_uri }),
      200,
    );
    await check(`${PATH}/test`, 'POST', writer('POST', `${PATH}/test`, { schemas: [] }), 400);
    await check(`${ITEM}/test`, 'POST', writer('POST', `${item}/test`), 200);
    await check(`${ITEM}/test`, 'POST', writer('POST', `${missing}/test`), 404);
    await check(`${ITEM}/schemas`, 'GET', writer('GET', `${item}/schemas`), 422);
    // A connection to a real database, for the schemas and the working test.
    const target = await createPostgresTarget();
    try {
      const real = await check(PATH, 'POST', writer('POST', PATH, { alias: 'real', connection_uri: target.uri }), 201);
      const scanned = await check(`${ITEM}/schemas`, 'GET', writer('GET', `${PATH}/${real.body.id}/schemas`), 200);
      const unchanged = { 'if-none-match': scanned.headers.get('etag') ?? '' };
      await check(
        `${ITEM}/schemas`,
        'GET',
        writer('GET', `${PATH}/${real.body.id}/schemas`, undefined, unchanged),
        304,
      );
      await check(`${ITEM}/schema-changes`, 'GET', writer('GET', `${PATH}/${real.body.id}/schema-changes`), 200);
      await check(`${ITEM}/test`, 'POST', writer('POST', `${PATH}/${real.body.id}/test`), 200);
    } finally {
      await target.drop();
    }
    await check(`${ITEM}/schemas`, 'GET', writer('GET', `${missing}/schemas`), 404);
    await check(`${ITEM}/schema-changes`, 'GET', writer('GET', `${missing}/schema-changes`), 404);
    await check(`${ITEM}/schema-changes`, 'GET', writer('GET', `${item}/schema-changes?cursor=x`), 400);

    await check(ITEM, 'DELETE', writer('DELETE', item, undefined, { 'if-match': '"1"' }), 412);
    await check(ITEM, 'DELETE', writer('DELETE', item), 200);
    await check(ITEM, 'DELETE', writer('DELETE', missing), 404);

    // The audit trail of all the above: a page, its next page through the Link header, a refusal.
    const page = await check('/api/v1/audit-events', 'GET', writer('GET', '/api/v1/audit-events?limit=2'), 200);
    const next = /<([^>]+)>/.exec(page.headers.get('link') ?? '')?.[1] ?? '';
    await check('/api/v1/audit-events', 'GET', writer('GET', next), 200);
    await check('/api/v1/audit-events', 'GET', writer('GET', '/api/v1/audit-events?since=soon'), 400);
    await check('/api/v1/audit-events', 'GET', as(keys.reader)('GET', '/api/v1/audit-events'), 403);

    // Workspaces, a connection in one, and API keys.
    const admin = as(keys.admin);
    const WORKSPACES = '/api/v1/workspaces';
    const WORKSPACE = `${WORKSPACES}/{name}`;
    await check(WORKSPACES, 'POST', admin('POST', WORKSPACES, { name: 'sales' }), 201);
    await check(WORKSPACES, 'POST', admin('POST', WORKSPACES, { name: 'sales' }), 409);
    await check(WORKSPACES, 'POST', admin('POST', WORKSPACES, { name: 'Sales!' }), 400);
    await check(WORKSPACES, 'POST', as(keys.reader)('POST', WORKSPACES, { name: 'ops' }), 403);
    await check(WORKSPACES, 'GET', admin('GET', WORKSPACES), 200);
    await check(WORKSPACE, 'PUT', admin('PUT', `${WORKSPACES}/sales`, { name: 'revenue' }), 200);
    await check(WORKSPACE, 'PUT', admin('PUT', `${WORKSPACES}/nowhere`, { name: 'elsewhere' }), 404);
    await check(WORKSPACE, 'PUT', admin('PUT', `${WORKSPACES}/revenue`, { name: 'default' }), 409);
    const held = await check(PATH, 'POST', writer('POST', PATH, { ...body('held'), workspace: 'revenue' }), 201);
    await check(WORKSPACE, 'DELETE', admin('DELETE', `${WORKSPACES}/revenue`), 409);
    await check(WORKSPACE, 'DELETE', admin('DELETE', `${WORKSPACES}/default`), 400);
    await check(WORKSPACE, 'DELETE', admin('DELETE', `${WORKSPACES}/nowhere`), 404);
    await check(ITEM, 'DELETE', writer('DELETE', `${PATH}/${held.body.id}`), 200);
    await check(WORKSPACE, 'DELETE', admin('DELETE', `${WORKSPACES}/revenue`), 200);

    const KEYS = '/api/v1/api-keys';
    const grants = (workspace: string) => [{ workspace, scopes: ['connections:read'] }];
    const made = await check(KEYS, 'POST', admin('POST', KEYS, { name: 'etl', grants: grants('default') }), 201);
    await check(KEYS, 'POST', admin('POST', KEYS, { name: 'etl', grants: grants('nowhere') }), 400);
    await check(KEYS, 'POST', writer('POST', KEYS, { name: 'etl', grants: grants('default') }), 403);
    await check(KEYS, 'GET', admin('GET', KEYS), 200);
    await check(`${KEYS}/{id}`, 'DELETE', admin('DELETE', `${KEYS}/${made.body.id}`), 200);
    await check(`${KEYS}/{id}`, 'DELETE', admin('DELETE', `${KEYS}/00000000-0000-4000-8000-000000000000`), 404);

    await check('/api/v1/dialects', 'GET', as(keys.reader)('GET', '/api/v1/dialects'), 200);

    await dropTable(database, 'database_connections');
    await check(PATH, 'GET', writer('GET', PATH), 500);

    // Every documented operation was seen succeeding.
    for (const [template, operations] of Object.entries(OPENAPI_DOCUMENT.paths as Document['paths'])) {
      for (const [method, operation] of Object.entries<any>(operations)) {
        if (method === 'parameters') continue;
        const success = Object.keys(operation.responses).find((status) => status.startsWith('2'));
        expect(covered, `${method} ${template}`).toContain(`${method.toUpperCase()} ${template} ${success}`);
      }
    }
  });
});
