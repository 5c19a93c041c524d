/**
 * The rules of a database connection document, derived from its fields
 * (./fields.ts) and run once, in the GraphQL resolvers, for both interfaces.
 */
import { z } from 'zod';
import { ValidationError } from './errors.ts';
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

/** Renders a zod issue path as `schemas[1]`, naming the field as the caller's interface does. */
export function fieldPath([field, ...rest]: PropertyKey[], fieldName: (name: string) => string): string {
  return rest.reduce<string>(
    (path, part) => (typeof part === 'number' ? `${path}[${part}]` : `${path}.${String(part)}`),
    field === undefined ? '' : fieldName(String(field)),
  );
}

/** `fieldName`: the name the caller gave a field, where it is not the document's own (an argument's name). */
function parse<T>(schema: z.ZodType<T>, input: unknown, fieldName: (name: string) => string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((issue) => ({ field: fieldPath(issue.path, fieldName), message: issue.message })),
  );
}

const sameName = (name: string) => name;

export function parseFullDocument(input: unknown, fieldName = sameName): ConnectionDocument {
  return parse(fullDocument, input, fieldName);
}

export function parsePartialDocument(input: unknown): Partial<ConnectionDocument> {
  return parse(partialDocument, input, sameName);
}

/** The key under which an alias is unique: two aliases that differ only in case (or Unicode form) collide. */
export function aliasKey(alias: string): string {
  return alias.normalize('NFKC').toLowerCase();
}
