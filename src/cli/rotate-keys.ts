/**
 * `npm run rotate-keys`: re-encrypts every connection's secrets (URI, SSH and TLS settings) under ENCRYPTION_KEY.
 * Put the old key in ENCRYPTION_KEYS_PREVIOUS first; remove it once this has run.
 */
import { toolPrincipal } from '../auth/api-keys.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { openConnections } from '../wiring.ts';

const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL);
let opened: Awaited<ReturnType<typeof openConnections>> | undefined;
try {
  opened = await openConnections(config, logger, { maskSecrets: true, listen: false });
  const rotated = await opened.connections.rotateKeys({ principal: toolPrincipal('rotate-keys') });
  logger.info({ rotated }, `re-encrypted the secrets of ${rotated} connection(s) under the current key`);
} catch (error) {
  logger.fatal(`Key rotation failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await opened?.close();
}
