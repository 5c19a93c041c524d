/** What every resolver receives. */
import type { Prisma } from './db/client.ts';
import type { Logger } from './logger.ts';

export interface Context {
  prisma: Prisma;
  logger: Logger;
}
