/** What every resolver receives. */
import type { Prisma } from './db/client.ts';
import type { Logger } from './logger.ts';
import type { ConnectionSecrets } from './secrets/connection-secrets.ts';

export interface Context {
  prisma: Prisma;
  logger: Logger;
  secrets: ConnectionSecrets;
}
