/** The cursors of connection pages: a keyset position, given out as opaque text. */
import type { Position } from '../../db/tables/connections.ts';

export type { Position };

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
