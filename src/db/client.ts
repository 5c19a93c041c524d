/**
 * Opens the Prisma client for the store a DATABASE_URL names. Each store's generated client and
 * driver adapter are loaded only when that store is opened: a process uses one store, and the
 * other's modules (and SQLite's addon) would only take memory.
 */
import type { PrismaClient } from '../generated/sqlite/client.ts';
import { ensureSqliteFolder, type Store } from './store.ts';

/**
 * Both providers' clients are generated from one model, so they have the same
 * API; the rest of the code uses the SQLite client's type for either.
 */
export type Prisma = PrismaClient;

/** How the service uses its own PostgreSQL database: SQLite has no pool and no network to wait on. */
export interface DatabasePool {
  /** Connections at most, per instance. */
  DATABASE_POOL_SIZE: number;
  /** A connection that is not made in this time fails (503) instead of holding the request. */
  DATABASE_CONNECT_TIMEOUT_MS: number;
  /** A query without an answer in this time fails (503): a database that stopped answering, or a slow query. */
  DATABASE_QUERY_TIMEOUT_MS: number;
}

export const DATABASE_POOL_DEFAULTS: DatabasePool = {
  DATABASE_POOL_SIZE: 10,
  DATABASE_CONNECT_TIMEOUT_MS: 1_500,
  DATABASE_QUERY_TIMEOUT_MS: 5_000,
};

export async function createPrismaClient(store: Store, pool: DatabasePool = DATABASE_POOL_DEFAULTS): Promise<Prisma> {
  if (store.provider === 'sqlite') {
    const [{ PrismaClient }, { PrismaBetterSqlite3 }, { adapterDriverOptions }] = await Promise.all([
      import('../generated/sqlite/client.ts'),
      import('@prisma/adapter-better-sqlite3'),
      import('./sqlite-driver.ts'),
    ]);
    ensureSqliteFolder(store);
    // `timeout` is SQLite's busy timeout: how long a write waits for another
    // process's write lock before failing.
    return new PrismaClient({
      adapter: new PrismaBetterSqlite3({ url: store.file, timeout: 5_000, ...adapterDriverOptions }),
    });
  }
  const [{ PrismaClient: PostgresPrismaClient }, { PrismaPg }] = await Promise.all([
    import('../generated/postgresql/client.ts'),
    import('@prisma/adapter-pg'),
  ]);
  const adapter = new PrismaPg({
    connectionString: store.url,
    max: pool.DATABASE_POOL_SIZE,
    connectionTimeoutMillis: pool.DATABASE_CONNECT_TIMEOUT_MS,
    // The client's own timer: a connection whose packets go nowhere never answers, whatever the server's
    // statement_timeout says; the server's ends a slow query there too, sparing its resources.
    query_timeout: pool.DATABASE_QUERY_TIMEOUT_MS,
    statement_timeout: pool.DATABASE_QUERY_TIMEOUT_MS,
    keepAlive: true,
  });
  return new PostgresPrismaClient({ adapter }) as unknown as Prisma;
}
