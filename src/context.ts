/** What every resolver receives. */
import type { Principal } from './auth/api-keys.ts';
import type { Sessions } from './auth/sessions.ts';
import type { ManagedApiKeys } from './commands/api-keys.ts';
import type { AuditTrail } from './commands/audit-trail.ts';
import type { Caller, ConnectionsService } from './commands/connections/service.ts';
import type { Prisma } from './db/client.ts';
import type { ConnectionEvents } from './events/connection-events.ts';
import type { Logger } from './logger.ts';

/** The parts of the context that live as long as the service. */
export interface ServiceContext {
  /** The one door to connections: every read and write of them goes through it. */
  connections: ConnectionsService;
  /** API keys made through the API. */
  apiKeys: ManagedApiKeys;
  /** The audit trail's reads. */
  auditTrail: AuditTrail;
  /** Live change events, for subscriptions. */
  events: ConnectionEvents;
  /** Subscriptions last as long as their caller's credential. */
  sessions: Sessions;
  /**
   * Pothos' Prisma plugin only (src/builder.ts reads it: `client: (context) => context.pothosPrismaClient`).
   * No resolver uses it: every table is read and written through the application layer's commands.
   */
  pothosPrismaClient: Prisma;
  logger: Logger;
}

/** Per request: who is calling, the request's id (audit events name it), and a logger that names the request. */
export interface RequestContext {
  principal: Principal;
  requestId?: string;
  logger: Logger;
  /** Read past the read cache (the request said Cache-Control: no-cache). */
  fresh?: boolean;
}

export type Context = ServiceContext & RequestContext & { caller: Caller };
