/** Opens the Prisma client for the store a DATABASE_URL names. */
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as PostgresPrismaClient } from '../generated/postgresql/client.ts';
import { PrismaClient } from '../generated/sqlite/client.ts';
import { ensureSqliteFolder, type Store } from './store.ts';

/**
 * Both providers' clients are generated from one model, so they have the same
 * API; the rest of the code uses the SQLite client's type for either.
 */
export type Prisma = PrismaClient;

const CONNECT_TIMEOUT_MS = 1_500;

export function createPrismaClient(store: Store): Prisma {
  if (store.provider === 'sqlite') {
    ensureSqliteFolder(store);
    // `timeout` is SQLite's busy timeout: how long a write waits for another
    // process's write lock before failing.
    return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: store.file, timeout: 5_000 }) });
  }
  // A database that does not answer fails a request within CONNECT_TIMEOUT_MS instead of holding it.
  const adapter = new PrismaPg({ connectionString: store.url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  return new PostgresPrismaClient({ adapter }) as unknown as Prisma;
}
