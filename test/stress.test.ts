/**
 * Two server processes on one PostgreSQL database, and many clients firing
 * mixed creates, updates and deletes at both, with alias collisions; then the
 * invariants a store of record must keep.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, postgresAvailable, runSql, type TestDatabase } from './support/databases.ts';
import { type ServerProcess, startServerProcess } from './support/process.ts';
import { type Client, clientFor, TEST_ENCRYPTION_KEY } from './support/service.ts';

const PATH = '/api/v1/database-connections';
const CLIENTS = 24;
const REQUESTS = 3_000;
/** Few aliases for many creates, so that they collide. */
const ALIASES = 150;

interface Outcome {
  method: string;
  status: number;
}

describe.skipIf(!postgresAvailable)('two instances under concurrent mixed writes', () => {
  let database: TestDatabase;
  const servers: ServerProcess[] = [];
  beforeAll(async () => {
    database = await createPostgresDatabase();
    const env = { DATABASE_URL: database.url, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, LOG_LEVEL: 'warn' };
    servers.push(await startServerProcess(env), await startServerProcess(env));
  });
  afterAll(async () => {
    for (const server of servers) server.child.kill('SIGKILL');
    await database?.drop();
  });

  it('keeps every acknowledged write, unique aliases, no lost conditional update, and counts that add up', async () => {
    const apis: Client[] = servers.map((server) => clientFor(server.url));
    const outcomes: Outcome[] = [];
    const created = new Map<string, string>(); // id → alias, from 201s
    const deleted = new Set<string>(); // ids, from 200s
    const updates = new Map<string, number>(); // id → successful updates
    // id → the versions conditional updates succeeded from: two successes from one version would be a lost update.
    const conditionalFrom = new Map<string, number[]>();
    const known = () => [...created.keys()].filter((id) => !deleted.has(id));
    let sent = 0;
    let bodies = 0;
    const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)] as T;

    async function one(api: Client) {
      const roll = Math.random();
      const ids = known();
      // Each body a URI of its own: an update that changed nothing would write nothing, nor count.
      const body = () => {
        bodies++;
        return {
          alias: `Alias-${Math.floor(Math.random() * ALIASES)}`,
          connection_uri: `postgresql://u:pw-${bodies}@db/${bodies}`,
        };
      };
      if (roll < 0.4 || ids.length === 0) {
        const reply = await api.request('POST', PATH, body());
        outcomes.push({ method: 'POST', status: reply.status });
        if (reply.status === 201) created.set(reply.body.id, reply.body.alias);
        return;
      }
      const id = pick(ids);
      if (roll < 0.85) {
        // Half the updates read first and send If-Match; the other half write blindly.
        let ifMatch: string | undefined;
        if (Math.random() < 0.5) ifMatch = (await api.request('GET', `${PATH}/${id}`)).headers.get('etag') ?? undefined;
        const reply = await api.request('PUT', `${PATH}/${id}`, body(), ifMatch ? { 'if-match': ifMatch } : {});
        outcomes.push({ method: ifMatch ? 'PUT If-Match' : 'PUT', status: reply.status });
        if (reply.status === 200) {
          updates.set(id, (updates.get(id) ?? 0) + 1);
          if (ifMatch) {
            const from = Number(JSON.parse(ifMatch));
            conditionalFrom.set(id, [...(conditionalFrom.get(id) ?? []), from]);
            expect(reply.headers.get('etag')).toBe(`"${from + 1}"`);
          }
        }
        return;
      }
      const reply = await api.request('DELETE', `${PATH}/${id}`);
      outcomes.push({ method: 'DELETE', status: reply.status });
      if (reply.status === 200) deleted.add(id);
    }

    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        while (sent < REQUESTS) {
          sent++;
          await one(apis[(client + sent) % apis.length] as Client);
        }
      }),
    );

    // Only the statuses the contract names; never a 500.
    const byStatus: Record<string, number> = {};
    for (const { method, status } of outcomes)
      byStatus[`${method} ${status}`] = (byStatus[`${method} ${status}`] ?? 0) + 1;
    console.log('stress outcomes:', JSON.stringify(byStatus));
    const allowed: Record<string, number[]> = {
      POST: [201, 409],
      PUT: [200, 404, 409],
      'PUT If-Match': [200, 404, 409, 412],
      DELETE: [200, 404],
    };
    for (const { method, status } of outcomes) expect(allowed[method], `${method} ${status}`).toContain(status);
    expect(outcomes.filter((outcome) => outcome.status === 409).length).toBeGreaterThan(0);
    expect(outcomes.filter((outcome) => outcome.status === 412).length).toBeGreaterThan(0);

    const rows = (await runSql(database, 'SELECT id, alias, alias_key, version FROM database_connections')) as {
      id: string;
      alias: string;
      alias_key: string;
      version: number;
    }[];
    const stored = new Map(rows.map((row) => [row.id, row]));
    // Every acknowledged create is there unless it was deleted; nothing else is.
    for (const id of created.keys()) expect(stored.has(id), id).toBe(!deleted.has(id));
    expect(rows.length).toBe(created.size - deleted.size);
    // No alias twice, ignoring case.
    expect(new Set(rows.map((row) => row.alias.toLowerCase())).size).toBe(rows.length);
    // No lost update: each row's version counts its acknowledged updates exactly, and no two
    // conditional updates succeeded from the same version.
    for (const row of rows) {
      expect(row.version, row.id).toBe(1 + (updates.get(row.id) ?? 0));
      const from = conditionalFrom.get(row.id) ?? [];
      expect(new Set(from).size, row.id).toBe(from.length);
    }
  }, 120_000);
});
