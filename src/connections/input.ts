/**
 * The one set of rules for a database connection document, shared by GraphQL
 * (run in the mutation resolvers) and REST (run by the adapter before the
 * operation, because a REST body can hold wrong types that GraphQL's own input
 * coercion would otherwise reject without field-level messages).
 */
import { z } from 'zod';
import { type FieldProblem, ValidationError } from './errors.ts';

const ALIAS_MAX_LENGTH = 255;
const CONNECTION_URI_MAX_LENGTH = 2048;

type JsonObject = Record<string, unknown>;

/** A connection document as the store keeps it. */
export interface ConnectionDocument {
  alias: string;
  connectionUri: string;
  schemas: string[];
  metadata: JsonObject;
}

const typeError = (expected: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? 'is required' : issue.input === null ? 'must not be null' : `must be ${expected}`;

const CONTROL_CHARACTER = /\p{Cc}/u;
// scheme://rest, RFC 3986's scheme syntax; no white space or control characters anywhere.
const URI_WITH_SCHEME = /^[a-z][a-z0-9+.-]*:\/\/[^\s\p{Cc}]+$/iu;

const alias = z
  .string({ error: typeError('a string') })
  .trim()
  .min(1, 'must not be empty or only spaces')
  .refine((value) => [...value].length <= ALIAS_MAX_LENGTH, `must be at most ${ALIAS_MAX_LENGTH} characters`)
  .refine((value) => !CONTROL_CHARACTER.test(value), 'must not contain control characters');

const connectionUri = z
  .string({ error: typeError('a string') })
  .max(CONNECTION_URI_MAX_LENGTH, `must be at most ${CONNECTION_URI_MAX_LENGTH} characters`)
  .regex(URI_WITH_SCHEME, 'must be a URI with a scheme, such as postgresql://user:password@host:5432/dbname');

const schemas = z
  .array(
    z
      .string({ error: typeError('a string') })
      .refine((value) => value.trim().length > 0, 'must not be empty or only spaces'),
    { error: typeError('an array of strings') },
  )
  .superRefine((names, context) => {
    const seen = new Set<string>();
    names.forEach((name, index) => {
      if (seen.has(name)) context.addIssue({ code: 'custom', path: [index], message: `repeats "${name}"` });
      seen.add(name);
    });
  });

const METADATA_MAX_BYTES = 64 * 1024;
const METADATA_MAX_DEPTH = 32;

/** Whether arrays and objects nest deeper than `levels`; never descends further than that. */
function nestsDeeperThan(value: unknown, levels: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (levels === 0) return true;
  return Object.values(value).some((child) => nestsDeeperThan(child, levels - 1));
}

const metadata = z
  .custom<JsonObject>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), {
    error: typeError('a JSON object'),
  })
  // Depth first: measuring the size of a very deep value would overflow the stack.
  .refine((value) => !nestsDeeperThan(value, METADATA_MAX_DEPTH), {
    message: `must nest at most ${METADATA_MAX_DEPTH} levels deep`,
    abort: true,
  })
  // Keys such as __proto__ arrive as own properties from JSON.parse and are
  // stored as text, so they stay plain data; no object is built from them.
  .refine((value) => Buffer.byteLength(JSON.stringify(value)) <= METADATA_MAX_BYTES, {
    message: `must be at most ${METADATA_MAX_BYTES / 1024} KiB as JSON`,
  });

const documentShape = { alias, connectionUri, schemas, metadata };

/** Create, and REST's PUT (which replaces the whole document). */
const fullDocument = z.object({
  alias,
  connectionUri,
  schemas: schemas.optional().default([]),
  metadata: metadata.optional().default({}),
});

/** GraphQL's update: only the fields given change. */
const partialDocument = z.object(documentShape).partial();

/** Renders a zod issue path as `schemas[1]`, naming the field as the caller's interface does. */
function fieldPath([field, ...rest]: PropertyKey[], fieldName: (name: string) => string): string {
  return rest.reduce<string>(
    (path, part) => (typeof part === 'number' ? `${path}[${part}]` : `${path}.${String(part)}`),
    field === undefined ? '' : fieldName(String(field)),
  );
}

function parse<T>(schema: z.ZodType<T>, input: unknown, fieldName: (name: string) => string, extra: FieldProblem[]): T {
  const result = schema.safeParse(input);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => ({ field: fieldPath(issue.path, fieldName), message: issue.message }));
  problems.push(...extra);
  if (!result.success || problems.length > 0) throw new ValidationError(problems);
  return result.data;
}

const sameName = (name: string) => name;

export interface ParseOptions {
  /** Maps the document's field names to the names the caller uses (REST: snake_case). */
  fieldName?: (name: string) => string;
  /** Problems the caller found before these rules ran (REST: unknown fields). */
  extraProblems?: FieldProblem[];
}

export function parseFullDocument(input: unknown, options: ParseOptions = {}): ConnectionDocument {
  return parse(fullDocument, input, options.fieldName ?? sameName, options.extraProblems ?? []);
}

export function parsePartialDocument(input: unknown, options: ParseOptions = {}): Partial<ConnectionDocument> {
  return parse(partialDocument, input, options.fieldName ?? sameName, options.extraProblems ?? []);
}

/** The key under which an alias is unique: two aliases that differ only in case (or Unicode form) collide. */
export function aliasKey(alias: string): string {
  return alias.normalize('NFKC').toLowerCase();
}
