/**
 * Against real warehouses, where their addresses are given: DCAPI_LIVE_<DIALECT>_URI (for instance
 * DCAPI_LIVE_SNOWFLAKE_URI), and DCAPI_LIVE_<DIALECT>_SCHEMAS (comma-separated) to check some.
 * Skipped otherwise (docs/development.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../src/dialects/registry.ts';
import type { RunningService } from '../src/service.ts';
import { createSqliteDatabase, type TestDatabase } from './support/databases.ts';
import { type Client, clientFor, startTestService } from './support/service.ts';

const PATH = '/api/v1/database-connections';
const live = DIALECTS.map((dialect) => {
  const prefix = `DCAPI_LIVE_${dialect.name.toUpperCase()}`;
  const schemas = process.env[`${prefix}_SCHEMAS`];
  return { name: dialect.name, uri: process.env[`${prefix}_URI`], schemas: schemas ? schemas.split(',') : undefined };
});

describe.skipIf(live.every((entry) => !entry.uri))('live warehouses', () => {
  let database: TestDatabase;
  let service: RunningService;
  let api: Client;
  beforeAll(async () => {
    database = createSqliteDatabase();
    service = await startTestService(database.url, { CONNECTION_TEST_TIMEOUT_MS: '20000' });
    api = clientFor(service.url);
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });

  it.each(live.filter((entry) => entry.uri))(
    '$name: tests and discovers',
    async ({ name, uri, schemas }) => {
      const tested = await api.request('POST', `${PATH}/test`, { connection_uri: uri, schemas });
      expect(tested.body, JSON.stringify(tested.body)).toMatchObject({ ok: true, error: null });
      const created = await api.request('POST', PATH, { alias: `live-${name}`, connection_uri: uri, schemas });
      const discovered = await api.request('GET', `${PATH}/${created.body.id}/schemas`);
      expect(discovered.status, JSON.stringify(discovered.body)).toBe(200);
      expect(discovered.body.schemas.length).toBeGreaterThan(0);
    },
    60_000,
  );
});
