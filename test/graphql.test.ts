/** The GraphQL API, against the real HTTP server, on SQLite and on PostgreSQL. */
import { describe, expect, it } from 'vitest';
import { STORES } from './support/databases.ts';
import { useServiceFixture } from './support/service.ts';

const FIELDS = 'id alias connectionUri schemas metadata createdAt updatedAt';
const ERROR_FIELDS = '... on Error { __typename code message }';
const FIELD_ERRORS = '... on ValidationError { fieldErrors { field message } }';

const CREATE = `mutation ($input: CreateDatabaseConnectionInput!) {
  createDatabaseConnection(input: $input) {
    __typename
    ... on CreateDatabaseConnectionSuccess { databaseConnection { ${FIELDS} } }
    ${ERROR_FIELDS}
    ${FIELD_ERRORS}
  }
}`;
const UPDATE = `mutation ($id: ID!, $input: UpdateDatabaseConnectionInput!, $expectedVersion: Int) {
  updateDatabaseConnection(id: $id, input: $input, expectedVersion: $expectedVersion) {
    __typename
    ... on UpdateDatabaseConnectionSuccess { databaseConnection { ${FIELDS} } }
    ${ERROR_FIELDS}
    ${FIELD_ERRORS}
    ... on NotFoundError { id }
    ... on AliasConflictError { alias }
    ... on VersionMismatchError { expectedVersion currentVersion }
  }
}`;
const DELETE = `mutation ($id: ID!, $expectedVersion: Int) {
  deleteDatabaseConnection(id: $id, expectedVersion: $expectedVersion) {
    __typename
    ... on DeleteDatabaseConnectionSuccess { databaseConnection { ${FIELDS} } }
    ${ERROR_FIELDS}
    ... on VersionMismatchError { expectedVersion currentVersion }
  }
}`;
const VERSION = `query ($id: ID!) { databaseConnection(id: $id) { version } }`;
const BY_ID = `query ($id: ID!) { databaseConnection(id: $id) { ${FIELDS} } }`;
const NODE = `query ($id: ID!) { node(id: $id) { __typename id ... on DatabaseConnection { alias } } }`;
const PAGE = `query ($first: Int, $after: String, $last: Int, $before: String, $filter: DatabaseConnectionFilter) {
  databaseConnections(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    totalCount
    edges { cursor node { alias } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

const INPUT = {
  alias: 'warehouse',
  connectionUri: 'postgresql://user:password@localhost:5432/warehouse',
  schemas: ['public', 'sales'],
  metadata: { team: 'finance', tags: ['a', 'b'] },
};
/** What responses show of INPUT: its password masked. */
const OUTPUT = { ...INPUT, connectionUri: 'postgresql://user:****@localhost:5432/warehouse' };

describe.each(STORES)('GraphQL on $name', (store) => {
  const { skip } = store;
  const fixture = useServiceFixture(store);

  async function createConnection(input: Record<string, unknown> = INPUT) {
    const { data, errors } = await fixture.api.graphql(CREATE, { input });
    expect(errors).toBeUndefined();
    return data.createDatabaseConnection;
  }

  describe.skipIf(skip)('mutations', () => {
    it('creates a connection with every field', async () => {
      const result = await createConnection();
      expect(result.__typename).toBe('CreateDatabaseConnectionSuccess');
      expect(result.databaseConnection).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        ...OUTPUT,
        createdAt: expect.stringMatching(/Z$/),
        updatedAt: result.databaseConnection.createdAt,
      });
    });

    it('returns a ValidationError listing every field, with nothing written', async () => {
      const result = await createConnection({
        alias: ' ',
        connectionUri: 'not a uri',
        schemas: ['x', 'x', ''],
        metadata: {},
      });
      expect(result).toEqual({
        __typename: 'ValidationError',
        code: 'validation_failed',
        message: expect.stringContaining('alias'),
        fieldErrors: [
          { field: 'alias', message: 'must not be empty or only spaces' },
          { field: 'connectionUri', message: expect.stringContaining('must be a URI with a scheme') },
          { field: 'schemas[2]', message: 'must not be empty or only spaces' },
          { field: 'schemas[1]', message: 'repeats "x"' },
        ],
      });
      const { data } = await fixture.api.graphql(PAGE);
      expect(data.databaseConnections.totalCount).toBe(0);
    });

    it('rejects input of the wrong GraphQL type before any resolver runs', async () => {
      const { data, errors } = await fixture.api.graphql(CREATE, {
        input: { ...INPUT, metadata: ['not', 'an', 'object'] },
      });
      expect(data).toBeUndefined();
      expect(errors?.[0]?.message).toMatch(/input\.metadata/);
    });

    it('returns an AliasConflictError for a taken alias, ignoring case', async () => {
      await createConnection();
      const result = await createConnection({ ...INPUT, alias: 'WAREHOUSE' });
      expect(result).toMatchObject({ __typename: 'AliasConflictError', code: 'alias_conflict' });
    });

    it('updates only the fields given', async () => {
      const { databaseConnection: created } = await createConnection();
      const { data } = await fixture.api.graphql(UPDATE, { id: created.id, input: { metadata: { team: 'ops' } } });
      const updated = data.updateDatabaseConnection.databaseConnection;
      expect(updated).toMatchObject({
        ...OUTPUT,
        id: created.id,
        metadata: { team: 'ops' },
        createdAt: created.createdAt,
      });
    });

    it('rejects null for a field that cannot be empty', async () => {
      const { databaseConnection: created } = await createConnection();
      const { data } = await fixture.api.graphql(UPDATE, { id: created.id, input: { alias: null } });
      expect(data.updateDatabaseConnection).toMatchObject({
        __typename: 'ValidationError',
        fieldErrors: [{ field: 'alias', message: 'must not be null' }],
      });
    });

    it('returns NotFoundError for an unknown or malformed id, on update and delete', async () => {
      for (const id of ['3f0b1a52-6f7e-4a53-9b4c-2d1f6f0e9a11', '12345']) {
        const update = await fixture.api.graphql(UPDATE, { id, input: { alias: 'x' } });
        expect(update.data.updateDatabaseConnection).toMatchObject({
          __typename: 'NotFoundError',
          code: 'not_found',
          id,
        });
        const remove = await fixture.api.graphql(DELETE, { id });
        expect(remove.data.deleteDatabaseConnection).toMatchObject({ __typename: 'NotFoundError', code: 'not_found' });
      }
    });

    it('returns AliasConflictError when an update takes another connection’s alias', async () => {
      await createConnection();
      const { databaseConnection: other } = await createConnection({ ...INPUT, alias: 'other' });
      const { data } = await fixture.api.graphql(UPDATE, { id: other.id, input: { alias: 'Warehouse' } });
      expect(data.updateDatabaseConnection).toMatchObject({ __typename: 'AliasConflictError', alias: 'Warehouse' });
    });

    it('counts versions, and writes with expectedVersion only while it is current', async () => {
      const { databaseConnection: created } = await createConnection();
      const version = async () =>
        (await fixture.api.graphql(VERSION, { id: created.id })).data.databaseConnection.version;
      expect(await version()).toBe(1);
      const first = await fixture.api.graphql(UPDATE, {
        id: created.id,
        input: { alias: 'first' },
        expectedVersion: 1,
      });
      expect(first.data.updateDatabaseConnection.__typename).toBe('UpdateDatabaseConnectionSuccess');
      expect(await version()).toBe(2);
      // The URI path reads the stored row first; the alias-only path does not: both check the version.
      for (const input of [{ alias: 'lost' }, { connectionUri: 'postgresql://u:p@h/db' }]) {
        const stale = await fixture.api.graphql(UPDATE, { id: created.id, input, expectedVersion: 1 });
        expect(stale.data.updateDatabaseConnection).toEqual({
          __typename: 'VersionMismatchError',
          code: 'version_mismatch',
          message: expect.stringContaining('version 2, not 1'),
          expectedVersion: 1,
          currentVersion: 2,
        });
      }
      const staleDelete = await fixture.api.graphql(DELETE, { id: created.id, expectedVersion: 1 });
      expect(staleDelete.data.deleteDatabaseConnection).toMatchObject({ __typename: 'VersionMismatchError' });
      expect((await fixture.api.graphql(BY_ID, { id: created.id })).data.databaseConnection.alias).toBe('first');
      // Without expectedVersion, the last writer wins.
      await fixture.api.graphql(UPDATE, { id: created.id, input: { alias: 'last' } });
      expect(await version()).toBe(3);
      const remove = await fixture.api.graphql(DELETE, { id: created.id, expectedVersion: 3 });
      expect(remove.data.deleteDatabaseConnection.__typename).toBe('DeleteDatabaseConnectionSuccess');
    });

    it('deletes and returns the connection as it was', async () => {
      const { databaseConnection: created } = await createConnection();
      const { data } = await fixture.api.graphql(DELETE, { id: created.id });
      expect(data.deleteDatabaseConnection.databaseConnection).toEqual(created);
      expect((await fixture.api.graphql(BY_ID, { id: created.id })).data.databaseConnection).toBeNull();
    });
  });

  describe.skipIf(skip)('queries', () => {
    it('finds a connection by id and through node(id); null for unknown and malformed ids', async () => {
      const { databaseConnection: created } = await createConnection();
      expect((await fixture.api.graphql(BY_ID, { id: created.id })).data.databaseConnection).toEqual(created);
      expect((await fixture.api.graphql(NODE, { id: created.id })).data.node).toEqual({
        __typename: 'DatabaseConnection',
        id: created.id,
        alias: 'warehouse',
      });
      for (const id of ['3f0b1a52-6f7e-4a53-9b4c-2d1f6f0e9a11', 'garbage']) {
        expect((await fixture.api.graphql(BY_ID, { id })).data.databaseConnection).toBeNull();
        const node = await fixture.api.graphql(NODE, { id });
        expect(node.data.node).toBeNull();
      }
    });

    it('pages forwards and backwards with cursors, oldest first, with totalCount', async () => {
      const aliases = Array.from({ length: 7 }, (_, i) => `db-${i}`);
      for (const alias of aliases) await createConnection({ ...INPUT, alias });

      const forward: string[] = [];
      let after: string | null = null;
      for (;;) {
        const { data }: { data: any } = await fixture.api.graphql(PAGE, { first: 3, after });
        const page: any = data.databaseConnections;
        expect(page.totalCount).toBe(7);
        forward.push(...page.edges.map((edge: any) => edge.node.alias));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(forward).toEqual(aliases);

      const last = (await fixture.api.graphql(PAGE, { last: 2 })).data.databaseConnections;
      expect(last.edges.map((edge: any) => edge.node.alias)).toEqual(['db-5', 'db-6']);
      expect(last.pageInfo.hasPreviousPage).toBe(true);
      const before = (await fixture.api.graphql(PAGE, { last: 2, before: last.pageInfo.startCursor })).data
        .databaseConnections;
      expect(before.edges.map((edge: any) => edge.node.alias)).toEqual(['db-3', 'db-4']);
    });

    it('keeps a cursor valid after the row it points at is deleted', async () => {
      const created = [];
      for (const alias of ['a', 'b', 'c'])
        created.push((await createConnection({ ...INPUT, alias })).databaseConnection);
      const first = (await fixture.api.graphql(PAGE, { first: 1 })).data.databaseConnections;
      await fixture.api.graphql(DELETE, { id: created[0].id });
      const rest = (await fixture.api.graphql(PAGE, { first: 5, after: first.pageInfo.endCursor })).data
        .databaseConnections;
      expect(rest.edges.map((edge: any) => edge.node.alias)).toEqual(['b', 'c']);
    });

    it('filters by alias, ignoring case', async () => {
      for (const alias of ['Sales_EU', 'sales_us', 'SalesXEU']) await createConnection({ ...INPUT, alias });
      const exact = (await fixture.api.graphql(PAGE, { filter: { alias: 'SALES_eu' } })).data.databaseConnections;
      expect(exact.edges.map((edge: any) => edge.node.alias)).toEqual(['Sales_EU']);
      expect(exact.totalCount).toBe(1);
      const none = (await fixture.api.graphql(PAGE, { filter: { alias: 'sales' } })).data.databaseConnections;
      expect(none).toMatchObject({ edges: [], totalCount: 0 });
    });

    it('answers fields in the order the query asks for them', async () => {
      await createConnection();
      const reply = await fixture.api.request('POST', '/graphql', {
        query: '{ databaseConnections { totalCount pageInfo { hasNextPage } edges { node { updatedAt id alias } } } }',
      });
      expect(reply.text).toMatch(
        /^\{"data":\{"databaseConnections":\{"totalCount":1,"pageInfo":.*"node":\{"updatedAt":.*"id":.*"alias"/,
      );
    });

    it('refuses a cursor it did not issue, and a negative page size, with a clear error', async () => {
      const bad = await fixture.api.graphql(PAGE, { after: 'not-a-cursor' });
      expect(bad.errors?.[0]).toMatchObject({
        message: '"not-a-cursor" is not a cursor this API returned.',
        extensions: { code: 'BAD_USER_INPUT' },
      });
      const negative = await fixture.api.graphql(PAGE, { first: -1 });
      expect(negative.errors?.[0]?.message).toMatch(/non-negative/);
    });
  });

  describe.skipIf(skip)('shared with REST', () => {
    it('sees REST writes, and REST sees GraphQL writes, under the same ids', async () => {
      const viaRest = await fixture.api.request('POST', '/api/v1/database-connections', {
        alias: 'from-rest',
        connection_uri: 'mysql://u:p@h:3306/db',
      });
      const restId = viaRest.body.id;
      expect((await fixture.api.graphql(BY_ID, { id: restId })).data.databaseConnection.alias).toBe('from-rest');
      expect((await fixture.api.graphql(NODE, { id: restId })).data.node.id).toBe(restId);
      const updated = await fixture.api.graphql(UPDATE, { id: restId, input: { alias: 'renamed-by-graphql' } });
      expect(updated.data.updateDatabaseConnection.__typename).toBe('UpdateDatabaseConnectionSuccess');
      expect((await fixture.api.request('GET', `/api/v1/database-connections/${restId}`)).body.alias).toBe(
        'renamed-by-graphql',
      );

      const { databaseConnection: viaGraphQL } = await createConnection();
      const fetched = await fixture.api.request('GET', `/api/v1/database-connections/${viaGraphQL.id}`);
      expect(fetched.body).toMatchObject({
        id: viaGraphQL.id,
        alias: 'warehouse',
        connection_uri: OUTPUT.connectionUri,
      });
      expect((await fixture.api.request('DELETE', `/api/v1/database-connections/${viaGraphQL.id}`)).status).toBe(200);
      expect((await fixture.api.graphql(DELETE, { id: restId })).data.deleteDatabaseConnection.__typename).toBe(
        'DeleteDatabaseConnectionSuccess',
      );
      expect((await fixture.api.request('GET', '/api/v1/database-connections')).body).toEqual([]);
    });
  });

  describe.skipIf(skip)('GraphiQL', () => {
    it('serves the explorer to a browser at /graphql', async () => {
      const reply = await fixture.api.request('GET', '/graphql', undefined, { accept: 'text/html' });
      expect(reply.status).toBe(200);
      expect(reply.headers.get('content-type')).toMatch(/text\/html/);
      expect(reply.text).toContain('GraphiQL');
    });
  });
});

describe("GraphiQL's example operations", () => {
  it('are valid operations of the schema', async () => {
    const { parse, validate } = await import('graphql');
    const { schema } = await import('../src/schema/index.ts');
    const { EXAMPLE_OPERATIONS } = await import('../src/graphql/explorer.ts');
    expect(validate(schema, parse(EXAMPLE_OPERATIONS))).toEqual([]);
  });
});
