/**
 * What a catalog the caller controls can cost, through the service against a real PostgreSQL
 * database: a comment of about 1 MB comes back cut to CATALOG_TEXT_MAX, marked, on REST and
 * GraphQL; the stored snapshot and the comment_changed's before and after hold the cut text only;
 * a catalog of more columns than SCHEMA_MAX_COLUMNS is 422 catalog_too_large, and nothing of it
 * is stored.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundedText, CATALOG_TEXT_MAX, CUT_MARKER } from '../src/connectivity/drivers/catalog-text.ts';
import type { RunningService } from '../src/service.ts';
import { createSqliteDatabase, postgresAvailable, runSql, type TestDatabase } from './support/databases.ts';
import { conform } from './support/openapi.ts';
import { type Client, clientFor, startTestService } from './support/service.ts';
import { createPostgresTarget } from './support/targets.ts';

const PATH = '/api/v1/database-connections';
/** Low, so that a catalog past it takes a table of a few columns. */
const MAX_COLUMNS = 20;
/** About 1 MB of text that gzip cannot shrink: a stored copy of it would show in the snapshot's bytes. */
const longText = () => randomBytes(750_000).toString('base64');

describe('boundedText', () => {
  it('keeps a text up to the bound whole, and cuts a longer one to the bound, marked', () => {
    const whole = 'a'.repeat(CATALOG_TEXT_MAX);
    expect(boundedText(whole)).toBe(whole);
    const cut = boundedText(`${whole}b`);
    expect(cut).toHaveLength(CATALOG_TEXT_MAX);
    expect(cut).toBe(`${'a'.repeat(CATALOG_TEXT_MAX - 1)}${CUT_MARKER}`);
  });

  it('never keeps half of a character outside the Basic Multilingual Plane', () => {
    // The 1,999th code unit is the first half of 😀: it goes with its second.
    const text = `${'a'.repeat(CATALOG_TEXT_MAX - 2)}😀${'b'.repeat(10)}`;
    expect(boundedText(text)).toBe(`${'a'.repeat(CATALOG_TEXT_MAX - 2)}${CUT_MARKER}`);
  });
});

describe.skipIf(!postgresAvailable)('a catalog’s bounds, through the service', () => {
  let database: TestDatabase;
  let service: RunningService;
  let target: Awaited<ReturnType<typeof createPostgresTarget>>;
  let api: Client;
  const first = longText();
  const second = longText();
  const expectCut = (comment: string, of: string) => {
    expect(comment).toHaveLength(CATALOG_TEXT_MAX);
    expect(comment).toBe(`${of.slice(0, CATALOG_TEXT_MAX - 1)}${CUT_MARKER}`);
  };
  const connect = async (alias: string, schemas: string[]) => {
    const made = await api.request('POST', PATH, { alias, connection_uri: target.uri, schemas });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    return made.body.id as string;
  };
  /** Runs SQL in the database the connections discover. */
  const inTarget = (sql: string) =>
    runSql({ name: 'postgresql', url: target.uri.replace('?sslmode=disable', ''), drop: async () => {} }, sql);
  const snapshotsOf = async (id: string) =>
    (await runSql(database, `SELECT length(catalog) AS bytes FROM schema_snapshots WHERE connection_id = '${id}'`)) as {
      bytes: number;
    }[];

  beforeAll(async () => {
    if (!postgresAvailable) return;
    database = createSqliteDatabase();
    service = await startTestService(database.url, { SCHEMA_MAX_COLUMNS: String(MAX_COLUMNS) });
    api = clientFor(service.url);
    target = await createPostgresTarget();
    const columns = Array.from({ length: MAX_COLUMNS + 1 }, (_, n) => `c${n} integer`).join(', ');
    await inTarget(`COMMENT ON COLUMN sales.orders.note IS '${first}'; COMMENT ON TABLE sales.orders IS '${first}';
       CREATE SCHEMA wide; CREATE TABLE wide.t (${columns});`);
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
    await target?.drop();
  });

  it('answers a 1 MB comment cut, on REST and GraphQL, and stores and compares the cut text only', async () => {
    const id = await connect('shop', ['sales']);
    const read = await api.request('GET', `${PATH}/${id}/schemas`);
    expect(read.status, read.text.slice(0, 300)).toBe(200);
    conform(`${PATH}/{id}/schemas`, 'GET', read);
    expect(read.text.length).toBeLessThan(10 * CATALOG_TEXT_MAX);
    const orders = read.body.schemas[0].tables.find((table: { name: string }) => table.name === 'orders');
    expectCut(orders.comment, first);
    expectCut(orders.columns[1].comment, first);
    const graph = await api.graphql(
      `query($id: ID!) { databaseConnection(id: $id) {
        introspection { ... on IntrospectionSuccess { schemas { tables { name comment columns { comment } } } } }
        schemaSnapshot { ... on SchemaSnapshotSuccess { snapshot { schemas { tables { name comment columns { comment } } } } } }
      } }`,
      { id },
    );
    expect(graph.errors).toBeUndefined();
    const { introspection, schemaSnapshot } = graph.data.databaseConnection;
    for (const schemas of [introspection.schemas, schemaSnapshot.snapshot.schemas]) {
      const table = schemas[0].tables.find((found: { name: string }) => found.name === 'orders');
      expectCut(table.comment, first);
      expectCut(table.columns[1].comment, first);
    }

    // Another 1 MB comment: the change's before and after are the cut texts.
    await inTarget(`COMMENT ON COLUMN sales.orders.note IS '${second}'`);
    expect((await api.request('GET', `${PATH}/${id}/schemas?refresh=true`)).status).toBe(200);
    const changes = await api.request('GET', `${PATH}/${id}/schema-changes`);
    expect(changes.body).toHaveLength(1);
    expect(changes.body[0]).toMatchObject({ kind: 'comment_changed', path: 'sales.orders.note' });
    expectCut(changes.body[0].before, first);
    expectCut(changes.body[0].after, second);
    // Two snapshots, each holding three cut comments (random text: gzip takes little off), not megabytes.
    const stored = await snapshotsOf(id);
    expect(stored).toHaveLength(2);
    for (const { bytes } of stored) expect(Number(bytes)).toBeLessThan(4 * CATALOG_TEXT_MAX);
  });

  it('answers a catalog of more columns than SCHEMA_MAX_COLUMNS 422 catalog_too_large, storing nothing', async () => {
    const id = await connect('wide', ['wide']);
    const reply = await api.request('GET', `${PATH}/${id}/schemas`);
    expect(reply.status).toBe(422);
    conform(`${PATH}/{id}/schemas`, 'GET', reply);
    expect(reply.body).toMatchObject({
      code: 'catalog_too_large',
      detail: `The catalog holds ${MAX_COLUMNS + 1} columns, more than SCHEMA_MAX_COLUMNS (${MAX_COLUMNS}) allows: limit the connection to fewer schemas.`,
    });
    expect((await api.request('GET', `${PATH}/${id}/schemas?refresh=true`)).body.code).toBe('catalog_too_large');
    const graph = await api.graphql(
      `query($id: ID!) { databaseConnection(id: $id) {
        introspection { __typename ... on CatalogTooLargeError { code columnCount maxColumns } }
        schemaSnapshot { __typename ... on CatalogTooLargeError { code } }
      } }`,
      { id },
    );
    expect(graph.data.databaseConnection).toEqual({
      introspection: {
        __typename: 'CatalogTooLargeError',
        code: 'catalog_too_large',
        columnCount: MAX_COLUMNS + 1,
        maxColumns: MAX_COLUMNS,
      },
      schemaSnapshot: { __typename: 'CatalogTooLargeError', code: 'catalog_too_large' },
    });
    expect(await snapshotsOf(id)).toEqual([]);
    expect((await api.request('GET', `${PATH}/${id}/schema-changes`)).body).toEqual([]);
    const trail = await api.request('GET', `/api/v1/audit-events?action=schema_changed&connection_id=${id}`);
    expect(trail.body).toEqual([]);
  });
});
