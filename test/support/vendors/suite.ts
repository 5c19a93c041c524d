/**
 * What the vendors' suites (test/vendors/) share: a routed stand-in that records its answers, a
 * stand-in and a service of their own for a describe block, and the check that a big catalog
 * (bigWarehouse) came back whole.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import type { RunningService } from '../../../src/service.ts';
import { createSqliteDatabase, type TestDatabase } from '../databases.ts';
import { type Client, clientFor, startTestService } from '../service.ts';
import { startRoutedVendor, type Vendor } from './routes.ts';
import type { Answer, Handler, Received, VendorServer } from './server.ts';

const PATH = '/api/v1/database-connections';

/** A stand-in that keeps each answer beside the request it answered; `rewrite`, when set, changes an answer before it goes. */
export interface RecordedVendor extends VendorServer {
  answers: { request: Received; answer: Answer }[];
  rewrite?: (answer: Answer, request: Received) => Answer;
}

/** Starts `handler` where `vendor`'s names lead (startRoutedVendor), recording what it answers. */
export async function startRecordedVendor(vendor: Vendor, handler: Handler): Promise<RecordedVendor> {
  const recorded = { answers: [] } as unknown as RecordedVendor;
  const server = await startRoutedVendor(vendor, async (request) => {
    const handled = await handler(request);
    const answer = recorded.rewrite ? recorded.rewrite(handled, request) : handled;
    recorded.answers.push({ request, answer });
    return answer;
  });
  return Object.assign(recorded, server);
}

/**
 * Inside a describe block: the stand-in `start` starts, and a service of its own with `settings`
 * (discovery never cached), for all its tests.
 */
export function useStandInAndService<S extends VendorServer>(
  start: () => Promise<S>,
  settings: Record<string, string>,
) {
  const fixture = {} as { standIn: S; api: Client; database: TestDatabase };
  let service: RunningService | undefined;
  beforeAll(async () => {
    fixture.standIn = await start();
    fixture.database = createSqliteDatabase();
    service = await startTestService(fixture.database.url, { INTROSPECTION_CACHE_MS: '0', ...settings });
    fixture.api = clientFor(service.url);
  });
  afterAll(async () => {
    await service?.stop();
    await fixture.database?.drop();
    await fixture.standIn?.close();
  });
  return fixture;
}

let aliases = 0;

/** Registers `uri` (with `extra` fields) under an alias of its own and discovers it: GET …/schemas' answer. */
export async function discoverUri(api: Client, uri: string, extra: Record<string, unknown> = {}) {
  const created = await api.request('POST', PATH, { alias: `discovered-${++aliases}`, connection_uri: uri, ...extra });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return api.request('GET', `${PATH}/${created.body.id}/schemas`);
}

/**
 * Discovers schema `big` of bigWarehouse(tables, columns) through `uri`, and checks that every
 * table came back once, each with all its columns, the last one too: its names as the vendor
 * stores them (`named`), its type as the vendor writes it (`typed`).
 */
export async function expectWholeBigCatalog(
  api: Client,
  uri: string,
  tables: number,
  columns: number,
  named = (name: string) => name,
  typed = (type: string) => type,
) {
  const created = await api.request('POST', PATH, { alias: 'big', connection_uri: uri, schemas: ['big'] });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const discovered = await api.request('GET', `${PATH}/${created.body.id}/schemas`);
  expect(discovered.status).toBe(200);
  const [schema] = discovered.body.schemas;
  expect(schema.name).toBe(named('big'));
  expect(schema.tables.length).toBe(tables);
  expect(new Set(schema.tables.map((table: { name: string }) => table.name)).size).toBe(tables);
  expect(schema.tables.every((table: { columns: unknown[] }) => table.columns.length === columns)).toBe(true);
  expect(schema.tables.at(-1)).toMatchObject({
    name: named(`t${String(tables).padStart(5, '0')}`),
    columns: expect.arrayContaining([
      {
        name: named(`c${String(columns).padStart(2, '0')}`),
        type: typed(columns % 2 ? 'bigint' : 'varchar'),
        nullable: true,
        comment: null,
      },
    ]),
  });
}
