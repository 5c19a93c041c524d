/**
 * `npm run rotate-keys`: re-encrypts every connection URI under ENCRYPTION_KEY.
 * Put the old key in ENCRYPTION_KEYS_PREVIOUS first; remove it once this has run.
 */
import { loadConfig } from '../config.ts';
import { createPrismaClient } from '../db/client.ts';
import { storeFromUrl } from '../db/store.ts';
import { createLogger } from '../logger.ts';
import { connectionSecrets } from '../secrets/connection-secrets.ts';
import { loadKeyring } from '../secrets/keyring.ts';
import { rotateKeys } from '../secrets/rotate.ts';

const config = loadConfig();
const logger = createLogger(config.logLevel);
const store = storeFromUrl(config.databaseUrl);
const prisma = createPrismaClient(store);
try {
  const keyring = loadKeyring(config, store, logger);
  const rotated = await rotateKeys(prisma, connectionSecrets(keyring, true));
  logger.info({ rotated, key: keyring.current.id }, `re-encrypted ${rotated} connection URI(s) under the current key`);
} catch (error) {
  logger.fatal(`Key rotation failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await prisma.$disconnect();
}
