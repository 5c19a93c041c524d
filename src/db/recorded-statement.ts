/**
 * One row's write with what goes with it, as one PostgreSQL statement: the row's write (its table
 * module's statement, RETURNING the row), the audit event recorded from what it wrote, and the
 * change notification sent for it, joined by data-modifying WITH queries. One statement is one
 * round trip and its own transaction: the row, its event and its notification are written all
 * together or not at all, and a write that finds no row (a version that moved on) records and
 * sends nothing, and answers no row.
 */
import { Prisma } from '../generated/sqlite/client.ts';

/** The name the row's write goes by in the statement, for the statements that read from it. */
const WRITTEN = 'written';

/** A notification to send (pg_notify) once the statement commits. */
export interface Notification {
  channel: string;
  payload: string;
}

export function recordedStatement(
  write: Prisma.Sql,
  audit: (source: string) => Prisma.Sql,
  notification?: Notification,
): Prisma.Sql {
  // A query of the WITH that only reads runs only if the main query reads it: the join does, and
  // its one row (or none) leaves the row written as it is.
  const notified = notification
    ? Prisma.sql`, notified AS (SELECT pg_notify(${notification.channel}, ${notification.payload}) FROM ${Prisma.raw(WRITTEN)})`
    : Prisma.empty;
  const from = notification ? Prisma.raw(`${WRITTEN}, notified`) : Prisma.raw(WRITTEN);
  return Prisma.sql`WITH ${Prisma.raw(WRITTEN)} AS (${write}), audited AS (${audit(WRITTEN)})${notified} SELECT ${Prisma.raw(WRITTEN)}.* FROM ${from}`;
}
