/**
 * Live change events of connections, for GraphQL subscriptions. On PostgreSQL
 * they travel by NOTIFY, sent in the transaction of the change (so delivered
 * on commit, in commit order, and never for a change that did not happen) and
 * heard by every instance's LISTEN; on SQLite, within the process, after the
 * commit.
 */
import { EventEmitter, on } from 'node:events';
import pg from 'pg';
import type { Prisma } from '../db/client.ts';
import type { Store } from '../db/store.ts';
import type { Logger } from '../logger.ts';

export const CONNECTION_EVENT_ACTIONS = ['created', 'updated', 'deleted', 'health_changed'] as const;
export type ConnectionEventAction = (typeof CONNECTION_EVENT_ACTIONS)[number];

export interface ConnectionEvent {
  action: ConnectionEventAction;
  connectionId: string;
  /** ISO 8601. */
  at: string;
}

/** A Prisma client or transaction: where a change is written. */
type Writer = Pick<Prisma, '$executeRawUnsafe'>;
/** A Prisma client, which runs batches of statements as one transaction. */
type Batcher = Pick<Prisma, '$executeRawUnsafe' | '$transaction'>;

export interface ConnectionEvents {
  /** To run in the change's transaction: PostgreSQL's NOTIFY; nothing on SQLite. */
  inTransaction(writer: Writer, event: ConnectionEvent): ReturnType<Writer['$executeRawUnsafe']> | undefined;
  /** Once the change is committed: delivers it on SQLite; PostgreSQL's LISTEN does it there. */
  afterCommit(event: ConnectionEvent): void;
  /**
   * The two together for a change written as one batch of statements (Prisma queries, not yet run):
   * runs them with the notification, delivers the event once committed, and answers the first one's result.
   */
  commit<T>(
    prisma: Batcher,
    event: ConnectionEvent,
    first: PromiseLike<T>,
    ...rest: PromiseLike<unknown>[]
  ): Promise<T>;
  /** The events from now on, of one connection or of all, until the iterator is returned. */
  subscribe(connectionId?: string | null): AsyncIterableIterator<ConnectionEvent>;
  /** Subscribers listening now (each leaves when its client goes). */
  subscribers(): number;
  close(): Promise<void>;
}

const CHANNEL = 'dcapi_connection_events';
/** How long to wait before listening again after the listening connection broke. */
const RELISTEN_MS = 1_000;

export const connectionEvent = (action: ConnectionEventAction, connectionId: string): ConnectionEvent => ({
  action,
  connectionId,
  at: new Date().toISOString(),
});

export function createConnectionEvents(store: Store, logger: Logger): ConnectionEvents {
  const local = new EventEmitter();
  // Every subscriber adds a listener: no warning for many of them.
  local.setMaxListeners(0);
  // Every event under 'event', and under its connection's own name for subscribers of one.
  const deliver = (event: ConnectionEvent) => {
    local.emit('event', event);
    local.emit(`event:${event.connectionId}`, event);
  };
  let listener: pg.Client | undefined;
  let closed = false;

  async function listen() {
    if (store.provider !== 'postgresql' || closed) return;
    const client = new pg.Client({ connectionString: store.url, application_name: 'database-connection-api events' });
    client.on('notification', (message) => {
      if (message.channel === CHANNEL && message.payload) deliver(JSON.parse(message.payload) as ConnectionEvent);
    });
    client.on('error', (error) => {
      logger.warn({ err: error }, 'the connection listening for change events broke; listening again');
      listener = undefined;
      void client.end().catch(() => {});
      if (!closed) setTimeout(() => void listen().catch(() => {}), RELISTEN_MS).unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      listener = client;
    } catch (error) {
      client.emit('error', error);
    }
  }
  const started = listen();

  const inTransaction = (writer: Writer, event: ConnectionEvent) =>
    store.provider === 'postgresql'
      ? writer.$executeRawUnsafe('SELECT pg_notify($1, $2)', CHANNEL, JSON.stringify(event))
      : undefined;
  const afterCommit = (event: ConnectionEvent) => {
    if (store.provider !== 'postgresql') deliver(event);
  };

  return {
    inTransaction,
    afterCommit,
    async commit(prisma, event, first, ...rest) {
      const notify = inTransaction(prisma, event);
      const statements = [first, ...rest, ...(notify ? [notify] : [])];
      // Prisma types its batches by the exact queries; these are whatever the caller built.
      const [result] = (await prisma.$transaction(statements as never)) as unknown[];
      afterCommit(event);
      return result as Awaited<typeof first>;
    },
    subscribe(connectionId) {
      // Not an async generator: returning one that waits for its next event would wait for that
      // event; events.on's iterator drops its listener the moment a client goes.
      const events = on(local, connectionId ? `event:${connectionId}` : 'event');
      const iterator: AsyncIterableIterator<ConnectionEvent> = {
        async next() {
          const result = await events.next();
          return result.done ? result : { done: false, value: (result.value as [ConnectionEvent])[0] };
        },
        async return() {
          await events.return?.();
          return { done: true, value: undefined };
        },
        async throw(error) {
          await events.return?.();
          throw error;
        },
        [Symbol.asyncIterator]: () => iterator,
      };
      return iterator;
    },
    subscribers: () => local.eventNames().reduce((count, name) => count + local.listenerCount(name), 0),
    async close() {
      closed = true;
      await started;
      await listener?.end().catch(() => {});
    },
  };
}
