/**
 * The kinds of value a connection's fields hold. Each kind carries its limits
 * once, and from them its rules (zod, run behind GraphQL), its bare shape (the
 * types alone, which the REST adapter checks before renaming fields), its JSON
 * Schema (for the OpenAPI document), its GraphQL type, and how the store keeps it.
 */
import { z } from 'zod';

export type GraphQLTypeName = 'ID' | 'String' | '[String]' | 'JSONObject' | 'DateTime' | 'Int' | 'Dialect';

export interface ValueKind<T = unknown> {
  graphql: GraphQLTypeName;
  /** Every rule a value must keep, for the fields a client writes. */
  rules: z.ZodType<T>;
  /** The type alone: what a REST body must send for GraphQL to take it. */
  shape: z.ZodType;
  jsonSchema: Record<string, unknown>;
  /** How the store keeps it: as is, or as JSON text (lists and objects, the same on both providers). */
  stored: 'plain' | 'json';
}

const typeError = (expected: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? 'is required' : issue.input === null ? 'must not be null' : `must be ${expected}`;

const string = () => z.string({ error: typeError('a string') });
const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const jsonObject = () => z.custom<Record<string, unknown>>(isJsonObject, { error: typeError('a JSON object') });
const stringArray = () => z.array(string(), { error: typeError('an array of strings') });

const CONTROL_CHARACTER = /\p{Cc}/u;

/** One line of text: surrounding spaces removed, then 1 to `maxLength` characters, no control characters. */
export function name(maxLength: number): ValueKind<string> {
  return {
    graphql: 'String',
    rules: string()
      .trim()
      .min(1, 'must not be empty or only spaces')
      .refine((value) => [...value].length <= maxLength, `must be at most ${maxLength} characters`)
      .refine((value) => !CONTROL_CHARACTER.test(value), 'must not contain control characters'),
    shape: string(),
    jsonSchema: { type: 'string', minLength: 1, maxLength },
    stored: 'plain',
  };
}

// scheme://rest, RFC 3986's scheme syntax; no white space or control characters anywhere.
const URI_WITH_SCHEME = /^[a-z][a-z0-9+.-]*:\/\/[^\s\p{Cc}]+$/iu;

/** A URI with a scheme, at most `maxLength` characters. */
export function uri(maxLength: number): ValueKind<string> {
  return {
    graphql: 'String',
    rules: string()
      .max(maxLength, `must be at most ${maxLength} characters`)
      .regex(URI_WITH_SCHEME, 'must be a URI with a scheme, such as postgresql://user:password@host:5432/dbname'),
    shape: string(),
    jsonSchema: { type: 'string', maxLength, examples: ['postgresql://user:password@localhost/dbname'] },
    stored: 'plain',
  };
}

/** Distinct, non-blank names. */
export function distinctNames(): ValueKind<string[]> {
  return {
    graphql: '[String]',
    rules: z
      .array(
        string().refine((value) => value.trim().length > 0, 'must not be empty or only spaces'),
        {
          error: typeError('an array of strings'),
        },
      )
      .superRefine((names, context) => {
        const seen = new Set<string>();
        names.forEach((item, index) => {
          if (seen.has(item)) context.addIssue({ code: 'custom', path: [index], message: `repeats "${item}"` });
          seen.add(item);
        });
      }),
    shape: stringArray(),
    jsonSchema: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
    stored: 'json',
  };
}

/** Whether arrays and objects nest deeper than `levels`; never descends further than that. */
function nestsDeeperThan(value: unknown, levels: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (levels === 0) return true;
  return Object.values(value).some((child) => nestsDeeperThan(child, levels - 1));
}

/** Any JSON object, within a size (as JSON) and a depth. */
export function document(maxBytes: number, maxDepth: number): ValueKind<Record<string, unknown>> {
  return {
    graphql: 'JSONObject',
    rules: jsonObject()
      // Depth first: measuring the size of a very deep value would overflow the stack.
      .refine((value) => !nestsDeeperThan(value, maxDepth), {
        message: `must nest at most ${maxDepth} levels deep`,
        abort: true,
      })
      // Keys such as __proto__ arrive as own properties from JSON.parse and are
      // stored as text, so they stay plain data; no object is built from them.
      .refine((value) => Buffer.byteLength(JSON.stringify(value)) <= maxBytes, {
        message: `must be at most ${maxBytes / 1024} KiB as JSON`,
      }),
    shape: jsonObject(),
    // additionalProperties stated, so that generated clients type it as a map of any value.
    jsonSchema: { type: 'object', additionalProperties: true },
    stored: 'json',
  };
}

/** Values the service writes and clients only read. */
const readOnly = (graphql: GraphQLTypeName, jsonSchema: Record<string, unknown>): ValueKind => ({
  graphql,
  rules: z.never(),
  shape: z.never(),
  jsonSchema,
  stored: 'plain',
});

export const uuid = () => readOnly('ID', { type: 'string', format: 'uuid' });
export const timestamp = () => readOnly('DateTime', { type: 'string', format: 'date-time' });
export const counter = () => readOnly('Int', { type: 'integer', minimum: 1 });
export const dialectName = (names: readonly string[]) => readOnly('Dialect', { type: 'string', enum: names });
