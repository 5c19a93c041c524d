/**
 * Platformatic DB 3 over the bench's PostgreSQL table (DATABASE_URL): its REST and GraphQL APIs as
 * its defaults make them, the request log at LOG_LEVEL, no authorization, no migrations, started as
 * its programmatic API does (one process, no Watt runtime around it). Prints `PEER <url>` when it listens.
 */
import { create, transform } from '@platformatic/db';

const config = {
  server: { hostname: '127.0.0.1', port: 0, logger: { level: process.env.LOG_LEVEL } },
  db: { connectionString: process.env.DATABASE_URL, graphql: true, openapi: true },
};
// Platformatic listens on 0.0.0.0 whenever it believes it runs in a container: keep it on loopback.
const onLoopback = async (...args) => {
  const resolved = await transform(...args);
  resolved.server.hostname = '127.0.0.1';
  return resolved;
};
const app = await create(import.meta.dirname, config, { transform: onLoopback });
const url = await app.start({ listen: true });
if (new URL(url).hostname !== '127.0.0.1') throw new Error(`Platformatic listens on ${url}, not on loopback`);
console.log(`PEER ${url}`);
process.on('SIGTERM', () => app.stop().then(() => process.exit(0)));
