/**
 * For the SQL the table modules write by hand (PostgreSQL): a field's column, as the model maps
 * each one (prisma/model.prisma: the field's name in snake case), and a row's columns under their
 * fields' names, so that a statement answers rows as Prisma's own queries do.
 */
import { Prisma } from '../generated/sqlite/client.ts';

/** The column of a field, quoted: `aliasKey` is "alias_key". */
export const columnOf = (field: string) => `"${field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)}"`;

/** The columns of these fields, for an INSERT's list. */
export const columnList = (fields: readonly string[]) => Prisma.raw(fields.map(columnOf).join(', '));

/** Each field's column under the field's name, for a RETURNING or SELECT list. */
export const fieldsAsNamed = (fields: readonly string[]) =>
  Prisma.raw(fields.map((field) => `${columnOf(field)} AS "${field}"`).join(', '));
