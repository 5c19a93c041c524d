/**
 * Against real warehouses, where their addresses are given (docs/development.md, "Live checks"),
 * skipped otherwise. Per dialect (its registry name in upper case: SNOWFLAKE, TRINO, AWSATHENA…):
 *
 * - DCAPI_LIVE_<DIALECT>_URI: tested, then discovered; with DCAPI_LIVE_<DIALECT>_SCHEMAS
 *   (comma-separated), those schemas are checked and discovered;
 * - where the vendor folds unquoted names (FOLDS_NAMES), the same URI with its database name in
 *   lower case tests as well (Databricks: its `catalog` and `schema` parameters; Snowflake: its
 *   schemas in lower case too, which the service folds);
 * - DCAPI_LIVE_<DIALECT>_LARGE_URI with DCAPI_LIVE_<DIALECT>_LARGE_TABLES: discovery of that
 *   large catalog returns every one of its tables.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, dialectNamed } from '../src/dialects/registry.ts';
import type { RunningService } from '../src/service.ts';
import { createSqliteDatabase, type TestDatabase } from './support/databases.ts';
import { type Client, clientFor, startTestService } from './support/service.ts';
import { reachRealVendors } from './support/vendors/routes.ts';

const PATH = '/api/v1/database-connections';

/**
 * Whose unquoted names are case-insensitive: Snowflake folds them to upper case, Trino and
 * Databricks to lower, and Athena, whose Glue catalog keeps them in lower case.
 */
const FOLDS_NAMES = new Set(['snowflake', 'trino', 'databricks', 'awsathena']);

const live = DIALECTS.map((dialect) => {
  const variable = (name: string) => process.env[`DCAPI_LIVE_${dialect.name.toUpperCase()}_${name}`];
  return {
    name: dialect.name,
    uri: variable('URI'),
    schemas: variable('SCHEMAS')?.split(','),
    largeUri: variable('LARGE_URI'),
    largeTables: Number(variable('LARGE_TABLES')),
  };
});

/**
 * The URI with its database in lower case: its path (database, and schema where it has one), and
 * the `catalog` and `schema` parameters, where Databricks names them.
 */
const lowerCaseDatabase = (uri: string) =>
  uri
    .replace(/^([^:]+:\/\/[^/?#]*)(\/[^?#]*)/, (_, authority: string, path: string) => authority + path.toLowerCase())
    .replace(/([?&](?:catalog|schema)=)([^&#]*)/g, (_, name: string, value: string) => name + value.toLowerCase());

describe.skipIf(live.every((entry) => !entry.uri && !entry.largeUri))('live warehouses', () => {
  let database: TestDatabase;
  let service: RunningService;
  let api: Client;
  beforeAll(async () => {
    // The vendors' names lead to the real services here, not to the stand-ins.
    reachRealVendors();
    database = createSqliteDatabase();
    service = await startTestService(database.url, { CONNECTION_TEST_TIMEOUT_MS: '60000' });
    api = clientFor(service.url);
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });
  const discover = async (alias: string, connection_uri: string, schemas?: string[]) => {
    const created = await api.request('POST', PATH, { alias, connection_uri, schemas });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const discovered = await api.request('GET', `${PATH}/${created.body.id}/schemas`);
    expect(discovered.status, JSON.stringify(discovered.body)).toBe(200);
    return discovered.body.schemas as { name: string; tables: unknown[] }[];
  };

  it.each(live.filter((entry) => entry.uri))(
    '$name: tests and discovers',
    async ({ name, uri, schemas }) => {
      const tested = await api.request('POST', `${PATH}/test`, { connection_uri: uri, schemas });
      expect(tested.body, JSON.stringify(tested.body)).toMatchObject({ ok: true, error: null });
      expect((await discover(`live-${name}`, uri as string, schemas)).length).toBeGreaterThan(0);
    },
    120_000,
  );

  it.each(live.filter((entry) => entry.uri && FOLDS_NAMES.has(entry.name)))(
    '$name: tests with its database name in lower case',
    async ({ name, uri, schemas }) => {
      const lower = lowerCaseDatabase(uri as string);
      // Where the service reads names by the vendor's rule (Snowflake's upper case), its schemas in lower case too.
      const folded = dialectNamed(name).names === 'upper' ? schemas?.map((schema) => schema.toLowerCase()) : schemas;
      const tested = await api.request('POST', `${PATH}/test`, { connection_uri: lower, schemas: folded });
      expect(tested.body, JSON.stringify(tested.body)).toMatchObject({ ok: true, error: null });
    },
    120_000,
  );

  it.each(live.filter((entry) => entry.largeUri))(
    '$name: discovers every table of a large catalog',
    async ({ name, largeUri, largeTables }) => {
      expect(largeTables, `DCAPI_LIVE_${name.toUpperCase()}_LARGE_TABLES: the number of its tables`).toBeGreaterThan(0);
      const started = Date.now();
      const schemas = await discover(`live-large-${name}`, largeUri as string);
      const tables = schemas.reduce((sum, schema) => sum + schema.tables.length, 0);
      console.info(`${name}: ${tables} tables discovered in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      expect(tables).toBe(largeTables);
    },
    300_000,
  );
});
