/**
 * `npx tsx bench/cache-window.ts [--store postgres]`: how long after a write answered by one
 * instance another instance's cached read still answers the old version (the change event's
 * delivery, docs/read-cache.md). Two instances on one fresh database, 50 writes, each read by
 * the other instance every millisecond until it answers the new version.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { startService } from '../src/service.ts';
import { freshDatabase } from './fresh-database.ts';

const { values: options } = parseArgs({ options: { store: { type: 'string', default: 'sqlite' } } });
const PATH = '/api/v1/database-connections';
const WRITES = 50;

const database = await freshDatabase(options.store, 'window');
const env = {
  DATABASE_URL: database.url,
  PORT: '0',
  LOG_LEVEL: 'silent',
  ENCRYPTION_KEY: randomBytes(32).toString('base64'),
};
const writer = await startService(loadConfig(env), createLogger('silent'));
const reader = await startService(loadConfig(env), createLogger('silent'));
/** The connection's id and the version it is at (its ETag, `"3"`): a missing one stops the run. */
async function call(url: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const { id } = (await response.json()) as { id: string };
  const version = Number(response.headers.get('etag')?.replaceAll('"', ''));
  if (!response.ok || !Number.isInteger(version)) throw new Error(`${method} ${path}: ${response.status}, no version`);
  return { id, version };
}
try {
  const uri = 'postgresql://app:pw@db.internal/sales';
  const { id } = await call(writer.url, 'POST', PATH, { alias: 'window', connection_uri: uri });
  const windows: number[] = [];
  for (let i = 0; i < WRITES; i++) {
    // Cached on the reader (read twice: the second is a hit).
    await call(reader.url, 'GET', `${PATH}/${id}`);
    await call(reader.url, 'GET', `${PATH}/${id}`);
    const { version } = await call(writer.url, 'PUT', `${PATH}/${id}`, { alias: `window-${i}`, connection_uri: uri });
    const answered = performance.now();
    while ((await call(reader.url, 'GET', `${PATH}/${id}`)).version < version) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    windows.push(performance.now() - answered);
  }
  windows.sort((a, b) => a - b);
  const at = (q: number) => (windows[Math.floor(q * (windows.length - 1))] ?? 0).toFixed(1);
  console.log(
    `${options.store}: another instance answers the new version ${at(0.5)} ms (median), ${at(0.95)} ms (p95), ${at(1)} ms (max) after the write is answered, over ${WRITES} writes`,
  );
} finally {
  await writer.stop();
  await reader.stop();
  await database.drop();
}
