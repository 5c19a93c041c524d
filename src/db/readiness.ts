/** Readiness: the database answers and holds every migration this version ships. */
import type { Prisma } from './client.ts';
import { loadMigrations } from './migrations.ts';
import type { Store } from './store.ts';

export type Readiness = { ready: true } | { ready: false; reason: string };

export function createReadinessCheck(prisma: Prisma, store: Store): () => Promise<Readiness> {
  const expected = loadMigrations(store.provider).map((migration) => migration.name);
  return async () => {
    let applied: { migration_name: string }[];
    try {
      applied = await prisma.$queryRawUnsafe(
        'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
      );
    } catch {
      return {
        ready: false,
        reason: 'cannot read the migration history (the database does not answer, or has no _prisma_migrations table)',
      };
    }
    const names = new Set(applied.map((row) => row.migration_name));
    const missing = expected.filter((name) => !names.has(name));
    return missing.length > 0
      ? { ready: false, reason: `migrations not applied: ${missing.join(', ')}` }
      : { ready: true };
  };
}
