/**
 * The checks between the field catalogue's generic readers and GraphQL (src/schema/value-types.ts),
 * and the check of a stored row's narrower columns as the commands read it (checkedRow).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../src/context.ts';
import { checked, checkedOrNull, type OutputSpec } from '../src/schema/value-types.ts';
import type { RunningService } from '../src/service.ts';
import { createSqliteDatabase, runSql, type TestDatabase } from './support/databases.ts';
import { clientFor, startTestService, useService } from './support/service.ts';

const isString = (value: unknown): value is string => typeof value === 'string';
const info = { fieldName: 'alias', parentType: { name: 'DatabaseConnection' } };
// The readers here read nothing of the context.
const context = {} as Context;
const reading = (value: unknown): OutputSpec<object> => ({ nullable: false, read: () => value });

describe('a value read for a field of a kind', () => {
  it('passes as it is when it is of the kind, synchronously or once its promise settles', async () => {
    expect(checked(reading('sales'), 'string', isString)({}, {}, context, info)).toBe('sales');
    await expect(checked(reading(Promise.resolve('sales')), 'string', isString)({}, {}, context, info)).resolves.toBe(
      'sales',
    );
  });

  it('is a fault of the service, naming the field, when it is not of the kind', async () => {
    const fault = 'DatabaseConnection.alias read a value that is not a string.';
    expect(() => checked(reading(42), 'string', isString)({}, {}, context, info)).toThrow(fault);
    expect(() => checked(reading(null), 'string', isString)({}, {}, context, info)).toThrow(fault);
    await expect(checked(reading(Promise.resolve(42)), 'string', isString)({}, {}, context, info)).rejects.toThrow(
      fault,
    );
  });

  it('may be null (or missing) where the field is nullable, and nothing else off its kind', () => {
    expect(checkedOrNull(reading(null), 'string', isString)({}, {}, context, info)).toBeNull();
    expect(checkedOrNull(reading(undefined), 'string', isString)({}, {}, context, info)).toBeUndefined();
    expect(() => checkedOrNull(reading(['a']), 'string', isString)({}, {}, context, info)).toThrow('not a string');
  });
});

describe('a stored row whose dialect names no dialect', () => {
  // Exposed without a resolver, the dialect is checked once per row as the commands read it from the
  // store (checkedRow): such a row is a fault of the service (500), its value never shown, nothing written.
  const PATH = '/api/v1/database-connections';
  let database: TestDatabase;
  let service: RunningService;
  let id: string;
  const lines: string[] = [];

  beforeAll(async () => {
    database = createSqliteDatabase();
    // The read cache on, as in production: what it keeps was checked on the way in.
    service = await startTestService(database.url, {}, lines);
    const api = clientFor(service.url);
    const created = await api.request('POST', PATH, {
      alias: 'orders',
      connection_uri: 'postgresql://db.example/orders',
    });
    id = created.body.id;
    await runSql(database, `UPDATE database_connections SET dialect = 'dbase-iv' WHERE id = '${id}'`);
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });

  it('is answered 500 by REST, read alone or in the list, and by GraphQL as an unexpected error', async () => {
    const api = clientFor(service.url);
    const replies = [await api.request('GET', `${PATH}/${id}`), await api.request('GET', PATH)];
    for (const reply of replies) {
      expect(reply.status).toBe(500);
      expect(reply.body.code).toBe('internal_error');
      expect(reply.text).not.toContain('dbase-iv');
    }
    for (const query of [
      `{ databaseConnection(id: "${id}") { alias dialect } }`,
      `{ node(id: "${id}") { ... on DatabaseConnection { alias dialect } } }`,
      '{ databaseConnections { edges { node { alias dialect } } } }',
    ]) {
      const answer = await api.graphql(query);
      expect(answer.errors?.map((error: { message: string }) => error.message)).toEqual(['Unexpected error.']);
      expect(JSON.stringify(answer)).not.toContain('dbase-iv');
    }
    expect(lines.some((line) => line.includes('has a dialect that is not one of the dialects'))).toBe(true);
  });

  it('is neither changed nor deleted', async () => {
    const api = clientFor(service.url);
    const put = await api.request('PUT', `${PATH}/${id}`, {
      alias: 'renamed',
      connection_uri: 'postgresql://db.example/x',
    });
    expect(put.status).toBe(500);
    expect((await api.request('DELETE', `${PATH}/${id}`)).status).toBe(500);
    expect(
      await runSql(database, `SELECT alias, dialect, version FROM database_connections WHERE id = '${id}'`),
    ).toEqual([{ alias: 'orders', dialect: 'dbase-iv', version: 1 }]);
  });
});

describe("a row's JSON columns, parsed once per row the read cache keeps", () => {
  const PATH = '/api/v1/database-connections';
  const service = useService();

  it('answer the same on every read of the kept row, and what a change wrote at once', async () => {
    const api = clientFor(service.url());
    const document = { alias: 'orders', connection_uri: 'postgresql://db.example/orders' };
    const { id } = (await api.request('POST', PATH, { ...document, schemas: ['sales'], metadata: { team: 'bi' } }))
      .body;
    const query = `{ databaseConnection(id: "${id}") { schemas metadata } }`;
    for (let read = 0; read < 3; read++) {
      expect((await api.request('GET', `${PATH}/${id}`)).body).toMatchObject({
        schemas: ['sales'],
        metadata: { team: 'bi' },
      });
      expect((await api.graphql(query)).data.databaseConnection).toEqual({
        schemas: ['sales'],
        metadata: { team: 'bi' },
      });
    }
    await api.request('PUT', `${PATH}/${id}`, { ...document, schemas: ['hr', 'sales'], metadata: { team: 'hr' } });
    expect((await api.request('GET', `${PATH}/${id}`)).body).toMatchObject({
      schemas: ['hr', 'sales'],
      metadata: { team: 'hr' },
    });
    expect((await api.graphql(query)).data.databaseConnection).toEqual({
      schemas: ['hr', 'sales'],
      metadata: { team: 'hr' },
    });
    const page = await api.graphql('{ databaseConnections { edges { node { schemas metadata } } } }');
    expect(page.data.databaseConnections.edges).toEqual([
      { node: { schemas: ['hr', 'sales'], metadata: { team: 'hr' } } },
    ]);
  });
});
