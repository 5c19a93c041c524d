/**
 * The audit trail's table: the one module that reads or writes `audit_events` (a test holds the
 * rule). Writes are returned as Prisma queries not yet run, so that a change can send its event
 * in the batch, or the transaction, that makes it.
 */
import { Prisma as PrismaRuntime, type Prisma as PrismaTypes } from '../../generated/sqlite/client.ts';
import type { Prisma } from '../client.ts';
import { columnList } from '../columns.ts';

/** The client, or the transaction of a change, the audit trail is read or written in. */
export type AuditClient = Pick<Prisma, 'auditEvent'>;

export type AuditEventRow = PrismaTypes.AuditEventCreateInput;

/** What a page of the trail may be narrowed to. */
export interface AuditFilter {
  /** Only events of these workspaces (those where the caller holds audit:read); null: every event. */
  workspaces?: string[] | null;
  connectionId?: string | null;
  action?: string | null;
  /** Only events at or after this moment. */
  since?: Date | null;
  /** Only events recorded before the one with this number (the page's cursor). */
  beforeId?: number;
}

/** Every column but the number the database gives. */
const FIELDS = Object.values(PrismaRuntime.AuditEventScalarFieldEnum).filter((field) => field !== 'id');

/**
 * The statement that records the event once for each row `source` (a query's name in a WITH)
 * holds: for a statement that writes a row and records its event only if the row was written.
 */
export const auditEventStatement = (source: string, row: AuditEventRow) =>
  PrismaRuntime.sql`INSERT INTO audit_events (${columnList(FIELDS)}) SELECT ${PrismaRuntime.join(
    FIELDS.map((field) => row[field as keyof AuditEventRow] ?? null),
  )} FROM ${PrismaRuntime.raw(`"${source}"`)}`;

export function auditEventStore(client: AuditClient) {
  const table = client.auditEvent;
  return {
    /** Not run until awaited, like every Prisma query: it may also go into a batch run as one transaction. */
    insert: (row: AuditEventRow) => table.create({ data: row }),

    /** The events recorded after the one numbered `afterId`, in the order they were recorded. */
    after: (afterId: number, take: number) =>
      table.findMany({
        where: { id: { gt: afterId } },
        select: { id: true, action: true, connectionId: true, workspace: true, at: true },
        orderBy: { id: 'asc' },
        take,
      }),

    /** The number of the last event recorded before `at`, 0 when there is none. */
    lastIdBefore: async (at: Date) =>
      (await table.findFirst({ where: { at: { lt: at } }, orderBy: { id: 'desc' }, select: { id: true } }))?.id ?? 0,

    /** The events that pass the filter, newest first, `take` at most. */
    page: ({ workspaces, connectionId, action, since, beforeId }: AuditFilter, take: number) =>
      table.findMany({
        where: {
          AND: [
            workspaces ? { workspace: { in: workspaces } } : {},
            connectionId ? { connectionId } : {},
            action ? { action } : {},
            since ? { at: { gte: since } } : {},
            beforeId !== undefined ? { id: { lt: beforeId } } : {},
          ],
        },
        orderBy: { id: 'desc' },
        take,
      }),

    /** The events of workspace `from` become those of `to`: a rename's, in its transaction. */
    moveWorkspace: (from: string, to: string) =>
      table.updateMany({ where: { workspace: from }, data: { workspace: to } }),

    /** Deletes the events recorded before `cutoff`; answers how many. */
    deleteBefore: (cutoff: Date) => table.deleteMany({ where: { at: { lt: cutoff } } }),
  };
}
