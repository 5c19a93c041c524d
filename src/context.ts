/** What every resolver receives. */
import type { Principal } from './auth/api-keys.ts';
import type { Connectivity } from './connectivity/connectivity.ts';
import type { Prisma } from './db/client.ts';
import type { DialectPolicy } from './dialects/rules.ts';
import type { ConnectionEvents } from './events/connection-events.ts';
import type { Logger } from './logger.ts';
import type { ConnectionSecrets } from './secrets/connection-secrets.ts';
import type { SecretReferences } from './secrets/references.ts';

/** The parts of the context that live as long as the service. */
export interface ServiceContext {
  prisma: Prisma;
  logger: Logger;
  secrets: ConnectionSecrets;
  /** Reads the secrets that `${env:…}` and `${file:…}` references name. */
  references: SecretReferences;
  policy: DialectPolicy;
  connectivity: Connectivity;
  /** Live change events, for subscriptions. */
  events: ConnectionEvents;
}

/** Per request: who is calling, the request's id (audit events name it), and a logger that names the request. */
export interface RequestContext {
  principal: Principal;
  requestId?: string;
  logger: Logger;
}

export type Context = ServiceContext & RequestContext;
