import type { Prisma } from '../generated/sqlite/client.ts';

/**
 * Where a page of connections ends: a keyset position (created_at, id), so that a cursor stays
 * valid when rows around it are deleted, and a page costs the same wherever it is.
 */
export interface Position {
  createdAt: Date;
  id: string;
}

/** The opaque text clients get: the position as base64url JSON. */
export function encodeCursor(row: Position): string {
  return Buffer.from(JSON.stringify([row.createdAt.getTime(), row.id])).toString('base64url');
}

/** The position a cursor stands for; undefined when it is not one this API gave out. */
export function decodeCursor(cursor: string): Position | undefined {
  try {
    const [time, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (Number.isInteger(time) && typeof id === 'string') return { createdAt: new Date(time), id };
  } catch {}
  return undefined;
}

/**
 * The rows past a position, in the order of the (created_at, id) index. The first condition alone
 * bounds the index range, so both databases seek to the position instead of walking the index from
 * its start and filtering (a page costs the same at row 100 and at row 1,000,000); the second
 * only sorts out rows that share the position's timestamp.
 */
export function pastPosition({ createdAt, id }: Position, direction: 'gt' | 'lt'): Prisma.DatabaseConnectionWhereInput {
  return {
    AND: [
      { createdAt: { [direction === 'gt' ? 'gte' : 'lte']: createdAt } },
      { OR: [{ createdAt: { [direction]: createdAt } }, { id: { [direction]: id } }] },
    ],
  };
}
