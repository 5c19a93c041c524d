/**
 * The one way a command writes: its rows, the audit event of each change and, for a change of
 * connections, its change event, in one transaction; the change events are delivered once it
 * commits. A single row's write goes as one batch of statements; a connection's, on PostgreSQL,
 * as one statement (one round trip); writes that read as they go (a rename, a deletion, the
 * provisioning file) as an interactive transaction.
 */
import { type AuditEntry, auditEventFrom, recordAuditEvent } from '../audit/events.ts';
import type { Prisma } from '../db/client.ts';
import { recordedStatement } from '../db/recorded-statement.ts';
import type { Store } from '../db/store.ts';
import type { ConnectionRow, RowWrite } from '../db/tables/connections.ts';
import type { ConnectionEvent, ConnectionEvents } from '../events/connection-events.ts';
import type { Prisma as PrismaTypes } from '../generated/sqlite/client.ts';

/** The transaction a command's writes share. */
export type Transaction = Parameters<Parameters<Prisma['$transaction']>[0]>[0];

/** Records a change inside the transaction: its audit event, and its change event where it has one. */
export type RecordChange = (entry: AuditEntry | null, change?: ConnectionEvent) => Promise<void>;

export interface TransactionOptions {
  /** How long to wait for the transaction to start (another instance may hold a lock), in milliseconds. */
  maxWait?: number;
  /** How long the transaction may run, in milliseconds. */
  timeout?: number;
}

export function recordedChanges(prisma: Prisma, events: ConnectionEvents, provider: Store['provider']) {
  return {
    /** Runs `work` in one transaction with what it records; publishes the change events once committed. */
    async transaction<T>(
      work: (tx: Transaction, record: RecordChange) => Promise<T>,
      options?: TransactionOptions,
    ): Promise<T> {
      const published: ConnectionEvent[] = [];
      const result = await prisma.$transaction(async (tx) => {
        const record: RecordChange = async (entry, change) => {
          if (entry) await recordAuditEvent(tx, entry);
          if (!change) return;
          await events.inTransaction(tx, change);
          published.push(change);
        };
        return work(tx, record);
      }, options);
      for (const change of published) events.afterCommit(change);
      return result;
    },

    /** One row's write (a Prisma query not yet run) with its audit event; a connection's goes by `connection`, with its change event. */
    batch<T>(write: PrismaTypes.PrismaPromise<T>, entry: AuditEntry): Promise<T> {
      return prisma.$transaction([write, recordAuditEvent(prisma, entry)]).then(([row]) => row);
    },

    /**
     * A connection's write with its audit event and its change event: on PostgreSQL one statement,
     * on SQLite one batch. Answers the row as written; where the write finds no row, null on
     * PostgreSQL (nothing recorded, nothing sent), Prisma's P2025 on SQLite (the batch rolled back).
     */
    async connection(write: RowWrite, entry: AuditEntry, change: ConnectionEvent): Promise<ConnectionRow | null> {
      if (provider === 'sqlite') return events.commit(prisma, change, write.query(), recordAuditEvent(prisma, entry));
      const statement = recordedStatement(
        write.statement(),
        (source) => auditEventFrom(source, entry),
        events.notification(change),
      );
      const [row] = await prisma.$queryRaw<ConnectionRow[]>(statement);
      if (!row) return null;
      events.afterCommit(change);
      return row;
    },

    /**
     * A write the audit trail does not record (a health check's result, a secret re-encrypted) with
     * its change event, which subscribers or at least the read caches hear; answers the write's result.
     */
    unaudited: <T>(write: PrismaTypes.PrismaPromise<T>, change: ConnectionEvent): Promise<T> =>
      events.commit(prisma, change, write),

    /** Events of the audit trail that go with no write of a row (reveals, tests, a rotation), in one transaction. */
    audit: async (...entries: AuditEntry[]): Promise<void> => {
      await prisma.$transaction(entries.map((entry) => recordAuditEvent(prisma, entry)));
    },
  };
}

export type RecordedChanges = ReturnType<typeof recordedChanges>;
