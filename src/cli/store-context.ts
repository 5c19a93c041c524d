/**
 * What the command-line tools that read or write connections need: the store
 * (migrated, as the service would leave it), its client, the keys, and the
 * readers of secret references, set up as the service sets them up.
 */
import type { Config } from '../config.ts';
import { createPrismaClient } from '../db/client.ts';
import { applyMigrations } from '../db/migrations.ts';
import { storeFromUrl } from '../db/store.ts';
import type { Logger } from '../logger.ts';
import { connectionSecrets } from '../secrets/connection-secrets.ts';
import { loadKeyring } from '../secrets/keyring.ts';
import { secretReferences } from '../secrets/references.ts';

export async function openStore(config: Config, logger: Logger) {
  const store = storeFromUrl(config.databaseUrl);
  await applyMigrations(store, logger);
  const keyring = loadKeyring(config, store, logger);
  return {
    store,
    prisma: createPrismaClient(store, config.databasePool),
    // Command-line output is for operators: masked unless a tool reveals on purpose.
    secrets: connectionSecrets(keyring, true),
    references: secretReferences({ ...config.secretReferences, env: process.env }),
    policy: { allowFileDatabases: config.allowFileDatabases },
  };
}
