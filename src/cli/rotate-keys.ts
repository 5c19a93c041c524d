/**
 * `npm run rotate-keys`: re-encrypts every connection's secrets (URI, SSH and TLS settings) under ENCRYPTION_KEY.
 * Put the old key in ENCRYPTION_KEYS_PREVIOUS first; remove it once this has run.
 */
import { loadConfig } from '../config.ts';
import { SECRET_FIELDS } from '../connections/fields.ts';
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
  const rotated = await rotateKeys(
    prisma,
    connectionSecrets(keyring, true),
    SECRET_FIELDS.map(([name]) => name),
  );
  logger.info(
    { rotated, key: keyring.current.id },
    `re-encrypted the secrets of ${rotated} connection(s) under the current key`,
  );
} catch (error) {
  logger.fatal(`Key rotation failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await prisma.$disconnect();
}
