/**
 * Live change events of connections, for GraphQL subscriptions, whoever made the change (an
 * instance of the service, or a command-line tool). On PostgreSQL they travel by NOTIFY, sent in
 * the transaction of the change (so delivered on commit, in commit order, and never for a change
 * that did not happen) and heard by every instance's LISTEN. SQLite has no such channel: there,
 * while anyone subscribes, the changes are read from the audit trail, which records each one in its
 * own transaction, in commit order (SQLite has one writer at a time): right after a change this
 * process commits, and every POLL_MS for those of other processes. Health changes, which only the
 * service's own checks make, are delivered within the process there. Read caches watch the same
 * changes, quiet ones too (see ConnectionEvent.quiet), and are told whether those of other
 * processes are heard.
 */
import { EventEmitter, on } from 'node:events';
import type pg from 'pg';
import { CHANGE_OF_ACTION } from '../audit/events.ts';
import type { Prisma } from '../db/client.ts';
import type { Notification } from '../db/recorded-statement.ts';
import type { Store } from '../db/store.ts';
import { auditEventStore } from '../db/tables/audit-events.ts';
import type { Logger } from '../logger.ts';
import type { SchemaChangeFound, SchemaChangeKind } from '../schema-history/kinds.ts';

/** What a scan that found changes tells subscribers: how many of each kind, and the first of them. */
export interface SchemaChangesSummary {
  total: number;
  counts: Partial<Record<SchemaChangeKind, number>>;
  /** The first changes (as many as a notification holds); the full list through the schemaChanges query. */
  first: SchemaChangeFound[];
}

export const CONNECTION_EVENT_ACTIONS = ['created', 'updated', 'deleted', 'health_changed', 'schema_changed'] as const;
export type ConnectionEventAction = (typeof CONNECTION_EVENT_ACTIONS)[number];

export interface ConnectionEvent {
  action: ConnectionEventAction;
  connectionId: string;
  /** The connection's workspace, when the change knew it without another read: who may hear the event follows from it. */
  workspace?: string;
  /** ISO 8601. */
  at: string;
  /**
   * A change no subscriber hears, only the read caches of the instances: a health check that left
   * the status as it was, secrets re-encrypted, a workspace renamed (of EVERY_CONNECTION).
   */
  quiet?: true;
  /** Of a schema_changed event: what the scan found. */
  schemaChanges?: SchemaChangesSummary;
}

/** The connection id of a quiet change that may touch every connection (a workspace renamed). */
export const EVERY_CONNECTION = '*';

/** Who keeps what it read (a read cache): told of every change committed, here or by another process. */
export interface ChangeWatcher {
  /** A change of this connection (or, EVERY_CONNECTION, of any) was committed. */
  changed(connectionId: string): void;
  /**
   * Whether the changes of other processes are heard from now on (false: they are not, and what
   * was read may go stale unseen). Told again each time it turns.
   */
  hearing(heard: boolean): void;
}

/** A Prisma client or transaction: where a change is written. */
type Writer = Pick<Prisma, '$executeRawUnsafe'>;
/** A Prisma client, which runs batches of statements as one transaction. */
type Batcher = Pick<Prisma, '$executeRawUnsafe' | '$transaction'>;

export interface ConnectionEvents {
  /** To run in the change's transaction: PostgreSQL's NOTIFY; nothing on SQLite. */
  inTransaction(writer: Writer, event: ConnectionEvent): ReturnType<Writer['$executeRawUnsafe']> | undefined;
  /** The notification that tells the change, for a statement to send: PostgreSQL's; none on SQLite. */
  notification(event: ConnectionEvent): Notification | undefined;
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
  /**
   * The events from now on, of one connection or of all, until the iterator is returned; only
   * those `visible` keeps (a subscriber hears only the connections it may see).
   */
  subscribe(
    connectionId: string | null | undefined,
    visible: (event: ConnectionEvent) => boolean | Promise<boolean>,
  ): AsyncIterableIterator<ConnectionEvent>;
  /** Subscribers listening now (each leaves when its client goes). */
  subscribers(): number;
  /** Tells `watcher` of every change from now on, and whether those of other processes are heard (at once, then as it turns). */
  watch(watcher: ChangeWatcher): void;
  close(): Promise<void>;
}

export interface EventOptions {
  /** Hear the changes of other processes (the service); a command-line tool only announces its own. */
  listen: boolean;
}

/** The channel of PostgreSQL's notifications of changes. */
export const CHANNEL = 'dcapi_connection_events';
/** How long to wait before listening again after the listening connection broke. */
const RELISTEN_MS = 1_000;
/** On SQLite, how often the audit trail is read for the changes of other processes. */
export const POLL_MS = 250;
/** Audit events read at a time. */
const POLL_BATCH = 500;

export const connectionEvent = (
  action: ConnectionEventAction,
  connectionId: string,
  workspace?: string,
): ConnectionEvent => ({
  action,
  connectionId,
  ...(workspace !== undefined && { workspace }),
  at: new Date().toISOString(),
});

/** A quiet change (see ConnectionEvent.quiet) of one connection, or of every one. */
export const quietChange = (connectionId: string = EVERY_CONNECTION): ConnectionEvent => ({
  ...connectionEvent('updated', connectionId),
  quiet: true,
});

/** The watchers of changes, told together. */
function changeWatchers() {
  const watchers: ChangeWatcher[] = [];
  let heard = false;
  return {
    add(watcher: ChangeWatcher) {
      watchers.push(watcher);
      watcher.hearing(heard);
    },
    any: () => watchers.length > 0,
    changed(connectionId: string) {
      for (const watcher of watchers) watcher.changed(connectionId);
    },
    hearing(now: boolean) {
      if (now === heard) return;
      heard = now;
      for (const watcher of watchers) watcher.hearing(now);
    },
  };
}

/** Delivery to this process's watchers, then (unless quiet) to its subscribers. */
function localDelivery(watchers: ReturnType<typeof changeWatchers>) {
  const local = new EventEmitter();
  // Every subscriber adds a listener: no warning for many of them.
  local.setMaxListeners(0);
  return {
    // Every event under 'event', and under its connection's own name for subscribers of one.
    deliver(event: ConnectionEvent) {
      // Caches first: a subscriber reading the connection on its event reads it as changed.
      watchers.changed(event.connectionId);
      if (event.quiet) return;
      local.emit('event', event);
      local.emit(`event:${event.connectionId}`, event);
    },
    subscribe(
      connectionId: string | null | undefined,
      visible: (event: ConnectionEvent) => boolean | Promise<boolean>,
    ): AsyncIterableIterator<ConnectionEvent> {
      // Not an async generator: returning one that waits for its next event would wait for that
      // event; events.on's iterator drops its listener the moment a client goes.
      const events = on(local, connectionId ? `event:${connectionId}` : 'event');
      const iterator: AsyncIterableIterator<ConnectionEvent> = {
        async next() {
          for (;;) {
            const result = await events.next();
            if (result.done) return result;
            const event = (result.value as [ConnectionEvent])[0];
            if (await visible(event)) return { done: false, value: event };
          }
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
    // events.on adds an 'error' listener beside each subscriber's own: those are not counted.
    subscribers: () =>
      local.eventNames().reduce((count, name) => (name === 'error' ? count : count + local.listenerCount(name)), 0),
  };
}

/** PostgreSQL: a connection that LISTENs, opened again whenever it breaks. */
function listenForNotifications(
  url: string,
  logger: Logger,
  deliver: (event: ConnectionEvent) => void,
  hearing: (heard: boolean) => void,
) {
  let listener: pg.Client | undefined;
  let closed = false;
  async function listen() {
    if (closed) return;
    // pg is loaded only on the PostgreSQL store.
    const { default: driver } = await import('pg');
    const client = new driver.Client({ connectionString: url, application_name: 'database-connection-api events' });
    client.on('notification', (message) => {
      if (message.channel === CHANNEL && message.payload) deliver(JSON.parse(message.payload) as ConnectionEvent);
    });
    client.on('error', (error) => {
      logger.warn({ err: error }, 'the connection listening for change events broke; listening again');
      hearing(false);
      listener = undefined;
      void client.end().catch(() => {});
      if (!closed) setTimeout(() => void listen().catch(() => {}), RELISTEN_MS).unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      listener = client;
      hearing(true);
    } catch (error) {
      client.emit('error', error);
    }
  }
  const started = listen();
  return async () => {
    closed = true;
    hearing(false);
    await started;
    await listener?.end().catch(() => {});
  };
}

/** Recorded actions that may change any connection: re-encrypted secrets, a workspace renamed. */
const TOUCHING_EVERY_CONNECTION = new Set(['rotate_keys', 'rename_workspace']);

type RecordedRow = Awaited<ReturnType<ReturnType<typeof auditEventStore>['after']>>[number];

/**
 * Delivers the changes recorded after the one numbered `afterId`, batch by batch; `readUpTo` learns
 * where each batch ended (where reading goes on from, even if a later batch fails).
 */
async function deliverRecordedAfter(
  prisma: Prisma,
  afterId: number,
  deliver: (event: ConnectionEvent) => void,
  readUpTo: (id: number) => void,
) {
  for (;;) {
    const rows = await auditEventStore(prisma).after(afterId, POLL_BATCH);
    for (const row of rows) deliverRecorded(row, deliver);
    afterId = rows[rows.length - 1]?.id ?? afterId;
    readUpTo(afterId);
    if (rows.length < POLL_BATCH) return;
  }
}

/** Delivers the change a recorded action made, if it made one. */
function deliverRecorded(row: RecordedRow, deliver: (event: ConnectionEvent) => void) {
  const action = CHANGE_OF_ACTION[row.action];
  if (action && row.connectionId) {
    deliver({
      action,
      connectionId: row.connectionId,
      ...(row.workspace !== null && { workspace: row.workspace }),
      at: row.at.toISOString(),
    });
  } else if (TOUCHING_EVERY_CONNECTION.has(row.action)) deliver(quietChange());
}

/**
 * SQLite: while anyone subscribes or watches, reads the changes recorded in the audit trail since
 * the last one read, at once when asked and every POLL_MS; with nobody, reads nothing (a write
 * costs no read). `listening` says whether anyone does; `hearing` is told whether reading works.
 */
function readAuditTrail(
  prisma: Prisma,
  logger: Logger,
  deliver: (event: ConnectionEvent) => void,
  { listening, hearing }: { listening: () => boolean; hearing: (heard: boolean) => void },
) {
  // Where reading goes on from; undefined while nobody listens.
  let lastId: Promise<number> | number | undefined;
  let reading: Promise<void> | undefined;
  async function read() {
    if (lastId === undefined) return;
    await deliverRecordedAfter(prisma, await lastId, deliver, (id) => {
      lastId = id;
    });
  }
  // The read after the running one: it covers every call made meanwhile.
  let next: Promise<void> | undefined;
  /** Reads what is recorded now; resolves once it is delivered. */
  const readNow = (): Promise<void> => {
    if (!listening()) {
      lastId = undefined;
      return Promise.resolve();
    }
    if (reading) {
      next ??= reading.then(() => {
        next = undefined;
        return readNow();
      });
      return next;
    }
    reading = read()
      .then(() => hearing(lastId !== undefined))
      .catch((error: unknown) => {
        hearing(false);
        logger.warn({ err: error }, 'reading the changes of connections failed');
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };
  const timer = setInterval(() => void readNow(), POLL_MS);
  timer.unref();
  return {
    readNow,
    /** A subscriber or a watcher came: with the first, reading starts from the changes recorded from now on. */
    start() {
      lastId ??= auditEventStore(prisma).lastIdBefore(new Date());
      void readNow();
    },
    async close() {
      clearInterval(timer);
      await reading;
    },
  };
}

/** PostgreSQL's notification of a change, heard by every instance's LISTEN. */
const notificationOf = (event: ConnectionEvent): Notification => ({ channel: CHANNEL, payload: JSON.stringify(event) });

/** On SQLite, the events delivered by the process that made them (scheduled checks and scans run in the service). */
const DELIVERED_IN_PROCESS = new Set<ConnectionEventAction>(['health_changed', 'schema_changed']);

export function createConnectionEvents(
  store: Store,
  prisma: Prisma,
  logger: Logger,
  { listen }: EventOptions = { listen: true },
): ConnectionEvents {
  const watchers = changeWatchers();
  const local = localDelivery(watchers);
  const postgres = store.provider === 'postgresql';
  const stopListening =
    postgres && listen ? listenForNotifications(store.url, logger, local.deliver, watchers.hearing) : undefined;
  const trail =
    !postgres && listen
      ? readAuditTrail(prisma, logger, local.deliver, {
          listening: () => local.subscribers() > 0 || watchers.any(),
          hearing: watchers.hearing,
        })
      : undefined;
  const inTransaction = (writer: Writer, event: ConnectionEvent) =>
    postgres ? writer.$executeRawUnsafe('SELECT pg_notify($1, $2)', CHANNEL, JSON.stringify(event)) : undefined;
  const afterCommit = (event: ConnectionEvent) => {
    // This process's caches forget the change before its answer is sent.
    watchers.changed(event.connectionId);
    if (postgres || event.quiet) return;
    // A change is in the audit trail, read in order with those of other processes. A health change is
    // not, nor what a schema scan found (its audit event holds no list of changes): each is delivered
    // once the trail is read up to now, after the change that made the connection.
    if (!DELIVERED_IN_PROCESS.has(event.action)) void trail?.readNow();
    else if (trail) void trail.readNow().then(() => local.deliver(event));
    else local.deliver(event);
  };

  return {
    inTransaction,
    notification: (event) => (postgres ? notificationOf(event) : undefined),
    afterCommit,
    async commit(client, event, first, ...rest) {
      const notify = inTransaction(client, event);
      const statements = [first, ...rest, ...(notify ? [notify] : [])];
      // Prisma types its batches by the exact queries; these are whatever the caller built.
      const [result] = (await client.$transaction(statements as never)) as unknown[];
      afterCommit(event);
      return result as Awaited<typeof first>;
    },
    subscribe(connectionId, visible) {
      const iterator = local.subscribe(connectionId, visible);
      trail?.start();
      return iterator;
    },
    subscribers: local.subscribers,
    watch(watcher) {
      watchers.add(watcher);
      trail?.start();
    },
    async close() {
      await stopListening?.();
      await trail?.close();
    },
  };
}
