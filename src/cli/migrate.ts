/** `npm run migrate`: applies pending migrations to DATABASE_URL, and nothing else. */
import { loadConfig } from '../config.ts';
import { applyMigrations } from '../db/migrations.ts';
import { storeFromUrl } from '../db/store.ts';
import { createLogger } from '../logger.ts';

const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL);
try {
  const applied = await applyMigrations(storeFromUrl(config.DATABASE_URL), logger);
  logger.info({ applied }, applied.length ? `applied ${applied.length} migration(s)` : 'no migration to apply');
} catch (error) {
  logger.fatal(`Migration failed: ${(error as Error).message}`);
  process.exit(1);
}
