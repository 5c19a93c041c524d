/**
 * The REST list is streamed page by page: it holds every connection, in order,
 * across many pages, and the service's memory stays within a bound far smaller
 * than the lists several clients read from it at once.
 */
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createPrismaClient } from '../src/db/client.ts';
import { applyMigrations } from '../src/db/migrations.ts';
import { storeFromUrl } from '../src/db/store.ts';
import { createLogger } from '../src/logger.ts';
import { connectionSecrets } from '../src/secrets/connection-secrets.ts';
import { loadKeyring } from '../src/secrets/keyring.ts';
import { createSqliteDatabase } from './support/databases.ts';
import { startServerProcess } from './support/process.ts';
import { clientFor, startTestService, TEST_ENCRYPTION_KEY } from './support/service.ts';

const PATH = '/api/v1/database-connections';

/** Rows written straight into the store, `metadataBytes` of metadata each. */
async function seed(url: string, count: number, metadataBytes: number) {
  const store = storeFromUrl(url);
  await applyMigrations(store, createLogger('silent'));
  const prisma = await createPrismaClient(store);
  const logger = createLogger('silent');
  const secrets = connectionSecrets(
    loadKeyring({ ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, ENCRYPTION_KEYS_PREVIOUS: [] }, store, logger),
    true,
  );
  const start = Date.UTC(2026, 0, 1);
  const metadata = JSON.stringify({ blob: 'x'.repeat(metadataBytes) });
  for (let batch = 0; batch < count; batch += 200) {
    const data = Array.from({ length: Math.min(200, count - batch) }, (_, offset) => {
      const i = batch + offset;
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      return {
        id,
        alias: `listed-${i}`,
        aliasKey: `listed-${i}`,
        ...(secrets.seal(id, 'connectionUri', `postgresql://u:pw-${i}@db${i}/x`, `postgresql://u:****@db${i}/x`) as {
          connectionUriEncrypted: string;
          connectionUriMasked: string;
        }),
        dialect: 'postgresql',
        schemas: '[]',
        metadata,
        createdAt: new Date(start + i),
        updatedAt: new Date(start + i),
        version: 1,
      };
    });
    await prisma.databaseConnection.createMany({ data });
  }
  await prisma.$disconnect();
}

/** Reads a response to its end without keeping it; resolves with its size and its last bytes. */
function drain(url: string): Promise<{ status: number; bytes: number; tail: string }> {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      let bytes = 0;
      let tail = '';
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        tail = (tail + chunk.toString('latin1')).slice(-20);
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, bytes, tail }));
      response.on('error', reject);
    }).on('error', reject);
  });
}

describe('the REST list', () => {
  it('holds every connection, oldest first, across many pages', async () => {
    const database = createSqliteDatabase();
    await seed(database.url, 1_234, 10);
    const service = await startTestService(database.url);
    try {
      const reply = await clientFor(service.url).request('GET', PATH);
      expect(reply.status).toBe(200);
      expect(reply.body).toHaveLength(1_234);
      expect(reply.body.map((connection: { alias: string }) => connection.alias)).toEqual(
        Array.from({ length: 1_234 }, (_, i) => `listed-${i}`),
      );
    } finally {
      await service.stop();
      await database.drop();
    }
  });

  it('gets three clients through lists of about 740 MB each on a heap of 256 MB, and stays under 600 MB of RSS', async () => {
    const database = createSqliteDatabase();
    await seed(database.url, 12_000, 60 * 1024);
    // With its heap capped far below one list, the service must get through all three: memory it
    // needs, not what the garbage collector lets pile up on a machine of 24 GB (on Node.js 24,
    // uncapped, V8 lets the heap grow to about 730 MB here before collecting; on Node.js 20, 390 MB).
    const server = await startServerProcess({
      DATABASE_URL: database.url,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      NODE_OPTIONS: '--max-old-space-size=256',
    });
    try {
      const lists = await Promise.all([1, 2, 3].map(() => drain(`${server.url}${PATH}`))).catch((error: Error) => {
        // A list cut short: say whether the service died (out of memory?) and what it last wrote.
        const code = server.child.exitCode ?? server.child.signalCode ?? 'running';
        throw new Error(`${error.message}; the service: ${code}, its output ends:\n${server.output().slice(-3000)}`);
      });
      for (const list of lists) {
        expect(list.status).toBe(200);
        expect(list.bytes).toBeGreaterThan(700 * 1024 * 1024);
        expect(list.tail.endsWith('}]')).toBe(true);
      }
      // The highest resident memory the process has had since it started.
      const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
      const peakMb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
      expect(peakMb, `peak RSS ${peakMb.toFixed(0)} MB`).toBeLessThan(600);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      await database.drop();
    }
  }, 240_000);
});
