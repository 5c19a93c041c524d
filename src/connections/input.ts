/**
 * The rules of a database connection document, derived from its fields
 * (./fields.ts) and run once, in the GraphQL resolvers, for both interfaces.
 */
import { z } from 'zod';
import { fieldPath, ValidationError } from '../validation.ts';

export { fieldPath };

import { type ConnectionDocument, INPUT_FIELDS } from './fields.ts';

export type { ConnectionDocument };

/** Create, and REST's PUT (which replaces the whole document): the defaults fill what is left out. */
const fullDocument = z.object(
  Object.fromEntries(
    INPUT_FIELDS.map(([name, { value, input }]) => [
      name,
      input?.required === false ? value.rules.optional().default(input.default) : value.rules,
    ]),
  ),
) as unknown as z.ZodType<ConnectionDocument>;

/** GraphQL's update: only the fields given change. */
const partialDocument = z
  .object(Object.fromEntries(INPUT_FIELDS.map(([name, { value }]) => [name, value.rules])))
  .partial() as unknown as z.ZodType<Partial<ConnectionDocument>>;

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((issue) => ({ field: fieldPath(issue.path), message: issue.message })),
  );
}

export function parseFullDocument(input: unknown): ConnectionDocument {
  return parse(fullDocument, input);
}

export function parsePartialDocument(input: unknown): Partial<ConnectionDocument> {
  return parse(partialDocument, input);
}

/** The key under which an alias is unique: two aliases that differ only in case (or Unicode form) collide. */
export function aliasKey(alias: string): string {
  return alias.normalize('NFKC').toLowerCase();
}
