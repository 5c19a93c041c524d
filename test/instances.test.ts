/** Several service instances on one database, and one instance restarted. */
import { describe, expect, it } from 'vitest';
import { runSql, STORES } from './support/databases.ts';
import { startServerProcess } from './support/process.ts';
import { clientFor, startTestService, TEST_ENCRYPTION_KEY } from './support/service.ts';

const PATH = '/api/v1/database-connections';
const body = (alias: string) => ({ alias, connection_uri: 'postgresql://u:p@db/x' });

describe.each(STORES)('two instances on one $name database', ({ create, skip }) => {
  it.skipIf(skip)('creating the same alias at once gives exactly one 201 and one 409', async () => {
    const database = await create();
    // Separate processes, as real instances are: SQLite's locks block a whole thread.
    const instances = await Promise.all([
      startServerProcess({ DATABASE_URL: database.url, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY }),
      startServerProcess({ DATABASE_URL: database.url, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY }),
    ]);
    try {
      const [first, second] = instances.map((instance) => clientFor(instance.url));
      if (!first || !second) throw new Error('two instances expected');
      for (let round = 0; round < 20; round++) {
        // Aliases differing only in case collide too.
        const replies = await Promise.all([
          first.request('POST', PATH, body(`race-${round}`)),
          second.request('POST', PATH, body(`RACE-${round}`)),
        ]);
        expect(replies.map((reply) => reply.status).sort()).toEqual([201, 409]);
      }
      const listed = await first.request('GET', PATH);
      expect(listed.body).toHaveLength(20);
      expect((await second.request('GET', PATH)).body).toEqual(listed.body);
    } finally {
      for (const instance of instances) instance.child.kill('SIGTERM');
      expect(await Promise.all(instances.map((instance) => instance.exited))).toEqual([0, 0]);
      await database.drop();
    }
  });
});

describe('restarting on SQLite', () => {
  it('keeps every connection', async () => {
    const database = await STORES[0].create();
    try {
      let service = await startTestService(database.url);
      const created = (await clientFor(service.url).request('POST', PATH, body('kept'))).body;
      await service.stop();
      service = await startTestService(database.url);
      const api = clientFor(service.url);
      expect((await api.request('GET', `${PATH}/${created.id}`)).body).toEqual(created);
      expect((await api.request('GET', '/ready')).status).toBe(200);
      await service.stop();
    } finally {
      await database.drop();
    }
  });
});

describe.each(STORES)('readiness on $name', ({ create, skip }) => {
  it.skipIf(skip)(
    'answers 503 while a migration is missing or the database fails, 200 otherwise; /health stays 200',
    async () => {
      const database = await create();
      const service = await startTestService(database.url);
      try {
        const api = clientFor(service.url);
        expect(await api.request('GET', '/ready')).toMatchObject({ status: 200, body: { status: 'ready' } });
        await runSql(
          database,
          `UPDATE "_prisma_migrations" SET rolled_back_at = finished_at WHERE migration_name = '20261127120000_add_version'`,
        );
        expect(await api.request('GET', '/ready')).toMatchObject({
          status: 503,
          body: { status: 'not_ready', reason: 'migrations not applied: 20261127120000_add_version' },
        });
        await runSql(database, 'DROP TABLE "_prisma_migrations"');
        expect(await api.request('GET', '/ready')).toMatchObject({
          status: 503,
          body: { status: 'not_ready', reason: expect.stringMatching(/^cannot read the migration history/) },
        });
        expect(await api.request('GET', '/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
      } finally {
        await service.stop();
        await database.drop();
      }
    },
  );
});
