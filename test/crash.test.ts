/**
 * Crash safety of the embedded store: the real server process is killed with
 * SIGKILL in the middle of a burst of writes, then started again on the same
 * SQLite file.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteDatabase, runSql, type TestDatabase } from './support/databases.ts';
import { type ServerProcess, startServerProcess } from './support/process.ts';
import { clientFor, TEST_ENCRYPTION_KEY } from './support/service.ts';

const PATH = '/api/v1/database-connections';
const WRITERS = 8;

describe('SQLite after kill -9 during a burst of writes', () => {
  let database: TestDatabase | undefined;
  const servers: ServerProcess[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) server.child.kill('SIGKILL');
    await database?.drop();
  });

  it('keeps every write it answered 2xx, and the file passes integrity_check', async () => {
    database = createSqliteDatabase();
    const env = { DATABASE_URL: database.url, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, LOG_LEVEL: 'warn' };
    const first = await startServerProcess(env);
    servers.push(first);
    const api = clientFor(first.url);

    // Writers create connections until the process dies under them; only 201s count.
    const acknowledged = new Map<string, string>();
    let sent = 0;
    const writer = async (writerId: number) => {
      for (let i = 0; ; i++) {
        const alias = `w${writerId}-${i}`;
        sent++;
        const reply = await api
          .request('POST', PATH, { alias, connection_uri: `postgresql://u:pw-${i}@db/${alias}` })
          .catch(() => undefined);
        if (!reply) return;
        if (reply.status === 201) acknowledged.set(reply.body.id, alias);
      }
    };
    const writers = Array.from({ length: WRITERS }, (_, writerId) => writer(writerId));
    while (acknowledged.size < 150) await sleep(5);
    first.child.kill('SIGKILL');
    await first.exited;
    await Promise.all(writers);
    expect(sent).toBeGreaterThan(acknowledged.size);

    const second = await startServerProcess(env);
    servers.push(second);
    const listed = (await clientFor(second.url).request('GET', PATH)).body as { id: string; alias: string }[];
    const stored = new Map(listed.map((connection) => [connection.id, connection.alias]));
    for (const [id, alias] of acknowledged) expect(stored.get(id)).toBe(alias);
    // Writes in flight when the process died may or may not be there, but never half.
    expect(stored.size).toBeGreaterThanOrEqual(acknowledged.size);
    expect(stored.size).toBeLessThanOrEqual(acknowledged.size + WRITERS);
    expect(await runSql(database, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  });
});
