/** Which store a DATABASE_URL names: the embedded SQLite file or a PostgreSQL server. */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export type Store = { provider: 'sqlite'; url: string; file: string } | { provider: 'postgresql'; url: string };

export class UnsupportedDatabaseUrlError extends Error {}

export function storeFromUrl(url: string): Store {
  if (url.startsWith('file:')) {
    const file = url.slice('file:'.length).split('?')[0] ?? '';
    if (!file)
      throw new UnsupportedDatabaseUrlError('DATABASE_URL "file:" needs a path, e.g. file:./data/connections.db');
    return { provider: 'sqlite', url, file: resolve(file) };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { provider: 'postgresql', url };
  // Never echo the URL: it may carry a password.
  throw new UnsupportedDatabaseUrlError(
    'DATABASE_URL must be a file: URL (SQLite) or a postgres:// or postgresql:// URL (PostgreSQL)',
  );
}

/** SQLite creates the file but not its folder. */
export function ensureSqliteFolder(store: Store): void {
  if (store.provider === 'sqlite') mkdirSync(dirname(store.file), { recursive: true });
}
