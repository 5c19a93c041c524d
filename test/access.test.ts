/**
 * Who may see which connection: workspaces, grants and API keys made through the API, on both
 * interfaces and both stores, with the hostile calls of a caller reaching past its grants. Each
 * answers as if the connection did not exist (404, null), or 403 where the caller may know it
 * exists, and nothing is written.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../src/auth/api-keys.ts';
import type { RunningService } from '../src/service.ts';
import { createSqliteDatabase, runSql, STORES, type TestDatabase } from './support/databases.ts';
import { type Client, clientFor, startTestService } from './support/service.ts';
import { subscribe } from './support/sse.ts';
import { until } from './support/until.ts';

const PATH = '/api/v1/database-connections';
const WORKSPACES = '/api/v1/workspaces';
const KEYS = '/api/v1/api-keys';
const OPERATOR = generateApiKey();
// A key configured before workspaces existed: scopes alone, which hold in every workspace.
const API_KEYS = JSON.stringify([
  {
    name: 'operator',
    hash: hashApiKey(OPERATOR),
    scopes: ['connections:read', 'connections:write', 'connections:reveal', 'audit:read', 'access:admin'],
  },
]);
const uri = (database: string) => `postgresql://bi:Secret-${database}@db.example.com:5432/${database}`;

type As = (method: string, path: string, body?: unknown) => ReturnType<Client['request']>;

describe.each(STORES)('access on $name', (store) => {
  let database: TestDatabase;
  let service: RunningService;
  let second: RunningService;
  const as =
    (key: string, url = () => service.url): As =>
    (method, path, body) =>
      clientFor(url()).request(method, path, body, { authorization: `Bearer ${key}` });
  const gql = (key: string, query: string, variables: Record<string, unknown> = {}) =>
    as(key)('POST', '/graphql', { query, variables }).then((reply) => reply.body);
  const operator = as(OPERATOR);
  const keys = { salesReader: '', salesAdmin: '', opsWriter: '', salesAuditor: '' };
  const ids = new Map<string, string>();
  const idOf = (name: string) => ids.get(name) as string;
  const makeKey = async (name: string, grants: object[], caller = operator) => {
    const reply = await caller('POST', KEYS, { name, grants });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    return reply.body as { id: string; key: string };
  };
  const rowCount = async () => (await runSql(database, 'SELECT id FROM database_connections')).length;

  beforeAll(async () => {
    if (store.skip) return;
    database = await store.create();
    service = await startTestService(database.url, { API_KEYS });
    second = await startTestService(database.url, { API_KEYS });
    for (const name of ['sales', 'ops']) expect((await operator('POST', WORKSPACES, { name })).status).toBe(201);
    keys.salesReader = (await makeKey('sales-reader', [{ workspace: 'sales', scopes: ['connections:read'] }])).key;
    keys.salesAdmin = (
      await makeKey('sales-admin', [
        { workspace: 'sales', scopes: ['access:admin', 'connections:read', 'connections:write'] },
      ])
    ).key;
    keys.opsWriter = (
      await makeKey('ops-writer', [{ workspace: 'ops', scopes: ['connections:read', 'connections:write'] }])
    ).key;
    keys.salesAuditor = (await makeKey('sales-auditor', [{ workspace: 'sales', scopes: ['audit:read'] }])).key;
    const made: [string, string][] = [
      ['orders', 'sales'],
      ['billing', 'ops'],
      ['shared', 'sales'],
      ['shared', 'ops'],
    ];
    for (const [name, workspace] of made) {
      const reply = await operator('POST', PATH, { alias: name, connection_uri: uri(name), workspace });
      expect(reply.status).toBe(201);
      ids.set(`${workspace}/${name}`, reply.body.id);
    }
  });
  afterAll(async () => {
    await second?.stop();
    await service?.stop();
    await database?.drop();
  });

  it.skipIf(store.skip)('keeps an alias unique within its workspace, not across', async () => {
    const again = await operator('POST', PATH, { alias: 'ORDERS', connection_uri: uri('x'), workspace: 'sales' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('alias_conflict');
    // Left out, the workspace is `default`; a PUT that leaves it out keeps it.
    const plain = await operator('POST', PATH, { alias: 'orders', connection_uri: uri('d') });
    expect(plain.body.workspace).toBe('default');
    const replaced = await operator('PUT', `${PATH}/${idOf('ops/billing')}`, {
      alias: 'billing',
      connection_uri: uri('billing'),
    });
    expect(replaced.body.workspace).toBe('ops');
    await operator('DELETE', `${PATH}/${plain.body.id}`);
  });

  it.skipIf(store.skip)('lists only what the grants reach, on REST and GraphQL, counts included', async () => {
    const list = await as(keys.salesReader)('GET', PATH);
    expect(list.body.map((row: { alias: string }) => row.alias).sort()).toEqual(['orders', 'shared']);
    const page = await gql(keys.salesReader, '{ databaseConnections { totalCount edges { node { workspace } } } }');
    expect(page.data.databaseConnections.totalCount).toBe(2);
    expect(new Set(page.data.databaseConnections.edges.map((e: any) => e.node.workspace))).toEqual(new Set(['sales']));
    const filtered = await gql(
      keys.salesReader,
      '{ databaseConnections(filter: {workspace: "ops"}) { totalCount edges { node { id } } } }',
    );
    expect(filtered.data.databaseConnections).toEqual({ totalCount: 0, edges: [] });
    const workspaces = await as(keys.salesReader)('GET', WORKSPACES);
    expect(workspaces.body.map((w: { name: string }) => w.name)).toEqual(['sales']);
  });

  it.skipIf(store.skip)('answers another workspace’s ids and aliases as if they did not exist', async () => {
    const other = idOf('ops/billing');
    const reader = as(keys.salesReader);
    expect((await reader('GET', `${PATH}/${other}`)).status).toBe(404);
    expect((await reader('POST', `${PATH}/${other}/test`)).status).toBe(404);
    expect((await reader('GET', `${PATH}/${other}/schemas`)).status).toBe(404);
    const byId = await gql(
      keys.salesReader,
      'query ($id: ID!) { databaseConnection(id: $id) { id } node(id: $id) { id } nodes(ids: [$id]) { id } }',
      { id: other },
    );
    expect(byId.data).toEqual({ databaseConnection: null, node: null, nodes: [null] });
    const tested = await gql(
      keys.salesReader,
      'mutation ($id: ID!) { testDatabaseConnection(id: $id) { __typename ... on Error { code } } }',
      { id: other },
    );
    expect(tested.data.testDatabaseConnection).toEqual({ __typename: 'NotFoundError', code: 'not_found' });
    const byAlias = await gql(keys.salesReader, '{ databaseConnections(filter: {alias: "billing"}) { totalCount } }');
    expect(byAlias.data.databaseConnections.totalCount).toBe(0);
    // A writer of ops cannot delete or change sales' connection either, nor learn it exists.
    const writer = as(keys.opsWriter);
    expect((await writer('DELETE', `${PATH}/${idOf('sales/orders')}`)).status).toBe(404);
    const put = await writer('PUT', `${PATH}/${idOf('sales/orders')}`, { alias: 'mine', connection_uri: uri('m') });
    expect(put.status).toBe(404);
    const update = await gql(
      keys.opsWriter,
      'mutation ($id: ID!) { updateDatabaseConnection(id: $id, input: {alias: "mine"}) { __typename ... on Error { code } } }',
      { id: idOf('sales/orders') },
    );
    expect(update.data.updateDatabaseConnection).toEqual({ __typename: 'NotFoundError', code: 'not_found' });
    const orders = await operator('GET', `${PATH}/${idOf('sales/orders')}`);
    expect(orders.body.alias).toBe('orders');
    expect(orders.headers.get('etag')).toBe('"1"');
  });

  it.skipIf(store.skip)('keeps cursors from another workspace’s pages to the caller’s own rows', async () => {
    const opsPage = await gql(
      OPERATOR,
      '{ databaseConnections(first: 1, filter: {workspace: "ops"}) { pageInfo { endCursor } } }',
    );
    const cursor = opsPage.data.databaseConnections.pageInfo.endCursor;
    const page = await gql(
      keys.salesReader,
      'query ($after: String) { databaseConnections(after: $after) { edges { node { workspace alias } } } }',
      { after: cursor },
    );
    for (const edge of page.data.databaseConnections.edges) expect(edge.node.workspace).toBe('sales');
  });

  it.skipIf(store.skip)('refuses reveal and writes without the scope with 403, writing nothing', async () => {
    const id = idOf('sales/orders');
    const reader = as(keys.salesReader);
    const reveal = await reader('GET', `${PATH}/${id}?reveal=true`);
    expect(reveal.status).toBe(403);
    expect(reveal.body.detail).toContain('connections:reveal');
    const revealed = await gql(
      keys.salesReader,
      'query ($id: ID!) { databaseConnection(id: $id) { connectionUri(reveal: true) } }',
      { id },
    );
    expect(revealed.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(JSON.stringify(revealed)).not.toContain('Secret-orders');
    // Revealing in one workspace is not revealing in another.
    const revealer = await makeKey('ops-revealer', [
      { workspace: 'sales', scopes: ['connections:read'] },
      { workspace: 'ops', scopes: ['connections:reveal'] },
    ]);
    const elsewhere = await gql(
      revealer.key,
      'query ($id: ID!) { databaseConnection(id: $id) { connectionUri(reveal: true) } }',
      { id },
    );
    expect(elsewhere.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', workspace: 'sales' });
    expect(elsewhere.errors[0].message).toBe('This needs the connections:reveal scope in the workspace "sales".');
    expect(JSON.stringify(elsewhere)).not.toContain('Secret-orders');
    expect((await as(revealer.key)('GET', `${PATH}/${id}?reveal=true`)).status).toBe(403);
    expect((await reader('DELETE', `${PATH}/${id}`)).status).toBe(403);
    expect((await reader('PUT', `${PATH}/${id}`, { alias: 'x', connection_uri: uri('x') })).status).toBe(403);
    // Testing needs connections:read where the connection is: a sales reader may.
    expect((await reader('POST', `${PATH}/${id}/test`)).status).toBe(200);
    const before = await rowCount();
    expect((await reader('POST', PATH, { alias: 'new', connection_uri: uri('n'), workspace: 'sales' })).status).toBe(
      403,
    );
    // A writer of ops moving its connection to sales needs connections:write there too.
    const move = await as(keys.opsWriter)('PUT', `${PATH}/${idOf('ops/billing')}`, {
      alias: 'billing',
      connection_uri: uri('billing'),
      workspace: 'sales',
    });
    expect(move.status).toBe(403);
    const createElsewhere = await as(keys.opsWriter)('POST', PATH, {
      alias: 'new',
      connection_uri: uri('n'),
      workspace: 'nowhere',
    });
    expect(createElsewhere.status).toBe(403);
    expect(await rowCount()).toBe(before);
    expect((await operator('GET', `${PATH}/${idOf('ops/billing')}`)).body.workspace).toBe('ops');
  });

  it.skipIf(store.skip)('lets a writer of any one workspace test a URI before saving it', async () => {
    const draft = await as(keys.opsWriter)('POST', `${PATH}/test`, {
      connection_uri: 'postgresql://u:p@127.0.0.1:1/x',
    });
    expect(draft.status).toBe(200);
    expect(draft.body.ok).toBe(false);
    expect((await as(keys.salesReader)('POST', `${PATH}/test`, { connection_uri: uri('x') })).status).toBe(403);
  });

  it.skipIf(store.skip)('moves a connection for a caller who writes in both workspaces', async () => {
    const made = await operator('POST', PATH, { alias: 'mover', connection_uri: uri('m'), workspace: 'ops' });
    const moved = await gql(
      OPERATOR,
      'mutation ($id: ID!) { updateDatabaseConnection(id: $id, input: {workspace: "sales"}) { ... on UpdateDatabaseConnectionSuccess { databaseConnection { workspace } } } }',
      { id: made.body.id },
    );
    expect(moved.data.updateDatabaseConnection.databaseConnection.workspace).toBe('sales');
    expect((await as(keys.salesReader)('GET', `${PATH}/${made.body.id}`)).status).toBe(200);
    expect((await as(keys.opsWriter)('GET', `${PATH}/${made.body.id}`)).status).toBe(404);
    await operator('DELETE', `${PATH}/${made.body.id}`);
  });

  it.skipIf(store.skip)('lets an admin of one workspace grant only there', async () => {
    const admin = as(keys.salesAdmin);
    const own = await admin('POST', KEYS, {
      name: 'etl',
      grants: [{ workspace: 'sales', scopes: ['connections:read'] }],
    });
    expect(own.status).toBe(201);
    expect(own.body.created_by).toMatch(/^key:[0-9a-f-]{36}$/);
    const before = (await operator('GET', KEYS)).body.length;
    for (const workspace of ['ops', '*', 'ghost']) {
      const reply = await admin('POST', KEYS, { name: 'escalate', grants: [{ workspace, scopes: ['access:admin'] }] });
      expect(reply.status, workspace).toBe(403);
      expect(reply.body.code).toBe('forbidden');
    }
    const escalate = await gql(
      keys.salesAdmin,
      'mutation { createApiKey(name: "escalate", grants: [{workspace: "ops", scopes: [ACCESS_ADMIN]}]) { __typename } }',
    );
    expect(escalate.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', workspace: 'ops' });
    expect(escalate.data).toBeNull();
    // Workspaces are made by admins of every workspace.
    expect((await admin('POST', WORKSPACES, { name: 'mine' })).status).toBe(403);
    // Only an admin of every workspace learns that one does not exist.
    const ghost = await operator('POST', KEYS, { name: 'g', grants: [{ workspace: 'ghost', scopes: ['audit:read'] }] });
    expect(ghost.status).toBe(400);
    expect(ghost.body.errors).toEqual([{ field: 'grants[0].workspace', message: 'names no workspace' }]);
    // A body's shape refused in plain words, as the settings are: the scope not known, the grant not an object.
    const typo = await operator('POST', KEYS, {
      name: 't',
      grants: [{ workspace: 'ops', scopes: ['audit:raed'] }, 'ops'],
    });
    expect(typo.status).toBe(400);
    expect(typo.body.errors).toEqual([
      {
        field: 'grants[0].scopes[0]',
        message:
          'is "audit:raed", which is not one of connections:read, connections:write, connections:reveal, ' +
          'audit:read, access:admin, metrics:read',
      },
      { field: 'grants[1]', message: 'must be an object' },
    ]);
    expect((await operator('GET', KEYS)).body.length).toBe(before);
    // The sales admin sees the keys of sales only, never a key's secret.
    const listed = await admin('GET', KEYS);
    expect(listed.body.map((key: { name: string }) => key.name).sort()).toEqual(
      ['etl', 'sales-admin', 'sales-reader', 'sales-auditor'].sort(),
    );
    expect(JSON.stringify(listed.body)).not.toContain('dcapi_');
    const opsKey = (await operator('GET', KEYS)).body.find((key: { name: string }) => key.name === 'ops-writer');
    expect((await admin('DELETE', `${KEYS}/${opsKey.id}`)).status).toBe(404);
  });

  it.skipIf(store.skip)('shows each auditor the events of its workspaces, naming caller and workspace', async () => {
    await as(keys.salesReader)('POST', `${PATH}/${idOf('sales/orders')}/test`);
    await as(keys.opsWriter)('POST', `${PATH}/${idOf('ops/billing')}/test`);
    const trail = await as(keys.salesAuditor)('GET', '/api/v1/audit-events?limit=1000');
    expect(trail.status).toBe(200);
    expect(trail.body.length).toBeGreaterThan(0);
    for (const event of trail.body) expect(event.workspace).toBe('sales');
    const tested = trail.body.find((event: { action: string }) => event.action === 'test');
    expect(tested).toMatchObject({ actor: 'sales-reader', actor_id: expect.stringMatching(/^key:[0-9a-f-]{36}$/) });
    const created = trail.body.find((event: { action: string }) => event.action === 'create');
    expect(created).toMatchObject({ actor: 'operator', actor_id: expect.stringMatching(/^key:[0-9a-f]{12}$/) });
    // Keys made for sales, with their ids, are in sales' trail too; workspaces made, in the operator's.
    const salesKeys = (await operator('GET', KEYS)).body.filter((key: { grants: { workspace: string }[] }) =>
      key.grants.every((grant) => grant.workspace === 'sales'),
    );
    const keyEvents = trail.body.filter((event: { action: string }) => event.action === 'create_api_key');
    expect(keyEvents.map((event: { subject: string }) => event.subject).sort()).toEqual(
      salesKeys.map((key: { id: string }) => key.id).sort(),
    );
    expect(keyEvents[0]).toMatchObject({ actor_id: expect.stringMatching(/^key:/), connection_id: null });
    const made = await operator('GET', '/api/v1/audit-events?action=create_workspace');
    expect(made.body.map((event: { workspace: string }) => event.workspace)).toEqual(
      expect.arrayContaining(['ops', 'sales']),
    );
    const graph = await gql(keys.salesAuditor, '{ auditEvents(first: 1000) { edges { node { workspace } } } }');
    expect(new Set(graph.data.auditEvents.edges.map((e: any) => e.node.workspace))).toEqual(new Set(['sales']));
  });

  it.skipIf(store.skip)('sends a subscriber only the events of workspaces it reads', async () => {
    const subscriber = await subscribe(
      service.url,
      'subscription { databaseConnectionEvents { action connection { alias workspace } } }',
      {},
      { authorization: `Bearer ${keys.salesReader}` },
    );
    try {
      // Made on the other instance too: its events reach this one (PostgreSQL) or its trail is read (SQLite).
      const elsewhere = await as(OPERATOR, () => second.url)('POST', PATH, {
        alias: 'hidden',
        connection_uri: uri('h'),
        workspace: 'ops',
      });
      await operator('DELETE', `${PATH}/${elsewhere.body.id}`);
      const seen = await operator('POST', PATH, { alias: 'seen', connection_uri: uri('s'), workspace: 'sales' });
      const event = await subscriber.next(5_000);
      expect(event.data?.databaseConnectionEvents).toEqual({
        action: 'CREATED',
        connection: { alias: 'seen', workspace: 'sales' },
      });
      await operator('DELETE', `${PATH}/${seen.body.id}`);
      expect((await subscriber.next(5_000)).data?.databaseConnectionEvents.action).toBe('DELETED');
    } finally {
      subscriber.close();
    }
  });

  it.skipIf(store.skip)('refuses a revoked key at once on every instance, and an expired one', async () => {
    const made = await makeKey('short-lived', [{ workspace: 'sales', scopes: ['connections:read'] }]);
    const onSecond = as(made.key, () => second.url);
    expect((await onSecond('GET', PATH)).status).toBe(200);
    const revoked = await operator('DELETE', `${KEYS}/${made.id}`);
    expect(revoked.body.revoked_at).not.toBeNull();
    const [revocation] = (await operator('GET', '/api/v1/audit-events?action=revoke_api_key&limit=1')).body;
    expect(revocation).toMatchObject({ subject: made.id, workspace: 'sales', fields: ['revoked_at'] });
    const refused = await onSecond('GET', PATH);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('invalid_token');
    const graphql = await clientFor(second.url).request(
      'POST',
      '/graphql',
      { query: '{ workspaces { name } }' },
      { authorization: `Bearer ${made.key}` },
    );
    expect(graphql.status).toBe(401);

    const expiresAt = new Date(Date.now() + 1_500).toISOString();
    const expiring = await operator('POST', KEYS, {
      name: 'expiring',
      grants: [{ workspace: 'sales', scopes: ['connections:read'] }],
      expires_at: expiresAt,
    });
    expect(expiring.body.expires_at).toBe(expiresAt);
    expect((await as(expiring.body.key)('GET', PATH)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, Date.parse(expiresAt) - Date.now() + 50));
    expect((await as(expiring.body.key)('GET', PATH)).status).toBe(401);
    const past = await operator('POST', KEYS, {
      name: 'past',
      grants: [{ workspace: 'sales', scopes: ['connections:read'] }],
      expires_at: '2020-01-01T00:00:00Z',
    });
    expect(past.status).toBe(400);
    expect(past.body.errors).toEqual([{ field: 'expires_at', message: 'must be in the future' }]);
  });

  it.skipIf(store.skip)(
    'makes, lists and revokes keys through GraphQL, recording when each was last used',
    async () => {
      const created = await gql(
        OPERATOR,
        `mutation ($expiresAt: DateTime) {
        createApiKey(name: "graph", grants: [{workspace: "ops", scopes: [CONNECTIONS_READ]}], expiresAt: $expiresAt) {
          __typename
          ... on CreateApiKeySuccess { created { key apiKey { id name grants { workspace scopes } createdBy lastUsedAt } } }
        }
      }`,
        { expiresAt: null },
      );
      const { key, apiKey } = created.data.createApiKey.created;
      expect(apiKey).toMatchObject({
        name: 'graph',
        grants: [{ workspace: 'ops', scopes: ['CONNECTIONS_READ'] }],
        createdBy: expect.stringMatching(/^key:[0-9a-f]{12}$/),
        lastUsedAt: null,
      });
      expect((await as(key)('GET', PATH)).status).toBe(200);
      const lastUsed = () =>
        gql(OPERATOR, '{ apiKeys { id lastUsedAt } }').then(
          (reply) => reply.data.apiKeys.find((k: { id: string }) => k.id === apiKey.id)?.lastUsedAt,
        );
      expect(await until(lastUsed, (at) => at !== null, 5_000)).not.toBeNull();
      expect(JSON.stringify(await gql(OPERATOR, '{ apiKeys { id name } }'))).not.toContain(key);
      const revoked = await gql(
        OPERATOR,
        'mutation ($id: ID!) { revokeApiKey(id: $id) { __typename ... on RevokeApiKeySuccess { apiKey { revokedAt } } } }',
        { id: apiKey.id },
      );
      expect(revoked.data.revokeApiKey.apiKey.revokedAt).not.toBeNull();
      expect((await as(key)('GET', PATH)).status).toBe(401);
      const invalid = await gql(
        OPERATOR,
        'mutation { createApiKey(name: " ", grants: [{workspace: "No!", scopes: []}]) { __typename ... on ValidationError { fieldErrors { field } } } }',
      );
      expect(invalid.data.createApiKey.fieldErrors.map((e: { field: string }) => e.field).sort()).toEqual([
        'grants[0].scopes',
        'grants[0].workspace',
        'name',
      ]);
    },
  );

  it.skipIf(store.skip)(
    'creates, renames and deletes workspaces through GraphQL, deleting only empty ones',
    async () => {
      const run = (query: string) => gql(OPERATOR, query);
      expect(
        (await run('mutation { createWorkspace(name: "lab") { __typename } }')).data.createWorkspace.__typename,
      ).toBe('CreateWorkspaceSuccess');
      const labKey = await makeKey('lab-reader', [{ workspace: 'lab', scopes: ['connections:read'] }]);
      const held = await operator('POST', PATH, { alias: 'probe', connection_uri: uri('p'), workspace: 'lab' });
      const renamed = await run(
        'mutation { renameWorkspace(name: "lab", newName: "research") { ... on RenameWorkspaceSuccess { workspace { name } } } }',
      );
      expect(renamed.data.renameWorkspace.workspace.name).toBe('research');
      const [event] = (await operator('GET', '/api/v1/audit-events?action=rename_workspace&limit=1')).body;
      expect(event).toMatchObject({ actor: 'operator', workspace: 'research', subject: 'lab', fields: ['name'] });
      // The connection and the key's grant followed the new name.
      expect((await operator('GET', `${PATH}/${held.body.id}`)).body.workspace).toBe('research');
      expect((await as(labKey.key)('GET', `${PATH}/${held.body.id}`)).status).toBe(200);
      const refused = await run(
        'mutation { deleteWorkspace(name: "research") { __typename ... on WorkspaceNotEmptyError { workspace } } }',
      );
      expect(refused.data.deleteWorkspace).toEqual({ __typename: 'WorkspaceNotEmptyError', workspace: 'research' });
      await operator('DELETE', `${PATH}/${held.body.id}`);
      const deleted = await run('mutation { deleteWorkspace(name: "research") { __typename } }');
      expect(deleted.data.deleteWorkspace.__typename).toBe('DeleteWorkspaceSuccess');
      const keptDefault = await run(
        'mutation { deleteWorkspace(name: "default") { __typename ... on ValidationError { fieldErrors { field } } } }',
      );
      expect(keptDefault.data.deleteWorkspace).toEqual({
        __typename: 'ValidationError',
        fieldErrors: [{ field: 'name' }],
      });
    },
  );
});

describe('workspaces in the provisioning file', () => {
  it('makes those it names, matches entries by workspace and alias, and prunes its own once empty', async () => {
    const database = createSqliteDatabase();
    const file = `${database.url.slice('file:'.length)}.yaml`;
    const start = async (lines: string[], env: Record<string, string> = {}) => {
      writeFileSync(file, lines.join('\n'));
      return startTestService(database.url, { CONNECTIONS_FILE: file, ...env });
    };
    const names = async (service: RunningService, path: string, name: (row: any) => string) =>
      (await clientFor(service.url).request('GET', path)).body.map(name).sort();
    let service = await start([
      'workspaces: [lab]',
      'connections:',
      '  - { alias: finance, workspace: finance, connection_uri: "postgresql://u:p@h/f" }',
      '  - { alias: finance, connection_uri: "postgresql://u:p@h/d" }',
    ]);
    try {
      const rows = await names(service, PATH, (row) => `${row.workspace}/${row.alias}`);
      expect(rows).toEqual(['default/finance', 'finance/finance']);
      expect(await names(service, WORKSPACES, (w) => w.name)).toEqual(['default', 'finance', 'lab']);
      // A workspace made through the API is not the file's: pruning leaves it.
      expect((await clientFor(service.url).request('POST', WORKSPACES, { name: 'kept' })).status).toBe(201);
      await service.stop();
      service = await start(['connections:', '  - { alias: finance, connection_uri: "postgresql://u:p@h/d" }'], {
        CONNECTIONS_FILE_PRUNE: 'true',
      });
      expect(await names(service, WORKSPACES, (w) => w.name)).toEqual(['default', 'kept']);
      expect(await names(service, PATH, (row) => `${row.workspace}/${row.alias}`)).toEqual(['default/finance']);
    } finally {
      await service.stop();
      await database.drop();
    }
  });

  it('refuses names that break the rules, with their lines', async () => {
    const database = createSqliteDatabase();
    const file = `${database.url.slice('file:'.length)}.yaml`;
    writeFileSync(file, ['workspaces: [ok, "Not OK", 7]', 'connections: []'].join('\n'));
    try {
      await expect(startTestService(database.url, { CONNECTIONS_FILE: file })).rejects.toThrow(
        /line 1: workspaces\[1\] must be 1 to 63 lowercase letters[\s\S]*line 1: workspaces\[2\] must be a name/,
      );
    } finally {
      await database.drop();
    }
  });
});
