/**
 * The cursors of the pages that follow numbered rows (audit events, schema changes): the number
 * of a page's last row, as decimal text. One rule for all of them, here: a cursor is a number the
 * id column can hold, 1 to 2^31 − 1 (Prisma's Int, a 32-bit integer on both stores), and anything
 * else is bad input. A larger number was never given out; handed to the store it would be a fault
 * on PostgreSQL (integer out of range) and an empty page on SQLite, so it never reaches either.
 */
import { GraphQLError } from 'graphql';

/** The largest id an autoincremented Int column holds. */
export const LARGEST_ROW_NUMBER = 2 ** 31 - 1;

/** Whether a cursor is of the form these pages give: a row number the id column can hold. */
export const isNumberedCursor = (cursor: string) =>
  /^[1-9][0-9]{0,9}$/.test(cursor) && Number(cursor) <= LARGEST_ROW_NUMBER;

/** The row number a cursor stands for; a cursor this API did not give out is BAD_USER_INPUT. */
export function rowNumberOf(cursor: string): number {
  if (isNumberedCursor(cursor)) return Number(cursor);
  throw new GraphQLError(`"${cursor}" is not a cursor this API returned.`, { extensions: { code: 'BAD_USER_INPUT' } });
}
