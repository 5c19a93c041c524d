/**
 * The kinds of value a connection's fields hold. Each kind carries its limits
 * once, and from them its rules (zod, run behind GraphQL), its bare shape (the
 * types alone, which the REST adapter checks before renaming fields), its JSON
 * Schema (for the OpenAPI document), its GraphQL type, and how the store keeps it.
 */
import { z } from 'zod';
import { WORKSPACE_NAME, WORKSPACE_NAME_PATTERN } from '../../auth/grants.ts';
import { isReference } from '../../secrets/references.ts';
import {
  hasMaskedSecret,
  hasMisplacedReference,
  MASK,
  maskConnectionUri,
  resolveUriReferences,
  restoreMaskedSecrets,
  secretsIn,
} from '../../secrets/uri-secrets.ts';

export type GraphQLTypeName =
  | 'ID'
  | 'String'
  | '[String]'
  | 'JSONObject'
  | 'DateTime'
  | 'Int'
  | 'Boolean'
  | 'Dialect'
  | 'ConnectionHealth'
  | SettingsGroup['graphqlName'];

/** How a value that holds secrets is masked for output, and given its secrets back when a client sends the mask. */
export interface SecretHandling<T> {
  /** The value with every secret it holds replaced by MASK. */
  mask(value: T): T;
  /** Where the value holds MASK in place of a secret: paths below the field ('' for the field itself). */
  maskedPaths(value: T): string[];
  /** The secrets the value holds, to scrub them out of text such as driver errors. */
  secretsIn(value: T): string[];
  /**
   * The incoming value with the stored value's secrets where it holds MASK, or undefined when they cannot
   * be carried over: the stored value has no such secret, or the incoming one would send it elsewhere.
   */
  restore(incoming: T, stored: T): T | undefined;
  /**
   * The value with each secret reference (`${env:…}`, `${file:…}`) replaced by what `resolve` gives,
   * where references may stand; `resolve` learns the path below the field ('' for the field itself).
   */
  resolveReferences(value: T, resolve: (reference: string, path: string) => string): T;
}

export interface ValueKind<T = unknown> {
  graphql: GraphQLTypeName;
  /** For a group of settings: its members, which GraphQL shows as an object type of their own. */
  group?: SettingsGroup;
  /** For values that hold secrets: how they are masked. */
  secrets?: SecretHandling<T>;
  /** Whether null is a value (no settings); output is then nullable too. */
  nullable?: true;
  /** For a value the row does not hold as such: how it is read from the row's columns. */
  derive?: (row: Record<string, unknown>) => unknown;
  /** For an object the REST operations select: the GraphQL selection of its members. */
  selection?: string;
  /** How the GraphQL value becomes the REST one, where they differ beyond the field's name. */
  toRest?: (value: unknown) => unknown;
  /** How a REST value becomes the GraphQL one, where they differ beyond the field's name. */
  fromRest?: (value: unknown) => unknown;
  /** Every rule a value must keep, for the fields a client writes. */
  rules: z.ZodType<T>;
  /** The type alone: what a REST body must send for GraphQL to take it. */
  shape: z.ZodType;
  jsonSchema: Record<string, unknown>;
  /** How the store keeps it: as is, or as JSON text (lists and objects, the same on both providers). */
  stored: 'plain' | 'json';
}

export const typeError = (expected: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? 'is required' : issue.input === null ? 'must not be null' : `must be ${expected}`;

const string = () => z.string({ error: typeError('a string') });
/** A JSON object: not null, not an array. */
export const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const objectType = () => z.custom<Record<string, unknown>>(isJsonObject, { error: typeError('a JSON object') });
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

/** A workspace's name (src/auth/grants.ts WORKSPACE_NAME): in a URL path segment as it is. */
export function workspaceName(): ValueKind<string> {
  return {
    graphql: 'String',
    rules: string().pipe(WORKSPACE_NAME),
    shape: string(),
    jsonSchema: { type: 'string', pattern: WORKSPACE_NAME_PATTERN.source },
    stored: 'plain',
  };
}

// scheme://rest, RFC 3986's scheme syntax; no white space or control characters anywhere.
const URI_WITH_SCHEME = /^[a-z][a-z0-9+.-]*:\/\/[^\s\p{Cc}]+$/iu;

/** A URI with a scheme, at most `maxLength` characters; its password and secret parameters are its secrets. */
export function uri(maxLength: number): ValueKind<string> {
  return {
    graphql: 'String',
    secrets: {
      mask: maskConnectionUri,
      maskedPaths: (value) => (hasMaskedSecret(value) ? [''] : []),
      secretsIn,
      restore: restoreMaskedSecrets,
      resolveReferences: (value, resolve) => resolveUriReferences(value, (reference) => resolve(reference, '')),
    },
    rules: string()
      .max(maxLength, `must be at most ${maxLength} characters`)
      // As written; percent-encoded, each part is judged by its dialect's rules (src/dialects/uri-rules.ts),
      // which name the part, and a file database's path by src/connectivity/file-databases.ts.
      .refine((value) => !CONTROL_CHARACTER.test(value), {
        message: 'must not contain control characters',
        abort: true,
      })
      .refine((value) => isReference(value) || URI_WITH_SCHEME.test(value), {
        message: 'must be a URI with a scheme, such as postgresql://user:password@host:5432/dbname',
        abort: true,
      })
      .refine(
        (value) => !hasMisplacedReference(value),
        'may hold a secret reference (${env:…} or ${file:…}) only as the whole URI, as its password, or as the value of a secret parameter (credentials_base64, private_key, …)',
      ),
    shape: string(),
    jsonSchema: { type: 'string', maxLength, examples: ['postgresql://user:password@localhost/dbname'] },
    stored: 'plain',
  };
}

/**
 * Free text, or null for none: at most `maxLength` characters, line breaks and tabs allowed, no
 * other control characters; empty text is text.
 */
export function optionalText(maxLength: number): ValueKind<string | null> {
  return {
    graphql: 'String',
    nullable: true,
    rules: string()
      .refine((value) => [...value].length <= maxLength, `must be at most ${maxLength} characters`)
      .refine((value) => !/[^\P{Cc}\n\t]/u.test(value), 'must not contain control characters but line breaks and tabs')
      .nullable(),
    shape: string().nullable(),
    jsonSchema: { type: ['string', 'null'], maxLength },
    stored: 'plain',
  };
}

/** Distinct, non-blank names. */
export function distinctNames(): ValueKind<string[]> {
  return {
    graphql: '[String]',
    rules: z
      .array(
        string()
          .refine((value) => value.trim().length > 0, 'must not be empty or only spaces')
          .refine((value) => !CONTROL_CHARACTER.test(value), 'must not contain control characters'),
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
export function jsonObject(maxBytes: number, maxDepth: number): ValueKind<Record<string, unknown>> {
  return {
    graphql: 'JSONObject',
    rules: objectType()
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
    shape: objectType(),
    // additionalProperties stated, so that generated clients type it as a map of any value.
    jsonSchema: { type: 'object', additionalProperties: true },
    stored: 'json',
  };
}

/** Values the service writes and clients only read. */
export const readOnly = (graphql: GraphQLTypeName, jsonSchema: Record<string, unknown>): ValueKind => ({
  graphql,
  rules: z.never(),
  shape: z.never(),
  jsonSchema,
  stored: 'plain',
});

export const uuid = () => readOnly('ID', { type: 'string', format: 'uuid' });
export const timestamp = () => readOnly('DateTime', { type: 'string', format: 'date-time' });
export const counter = () => readOnly('Int', { type: 'integer', minimum: 1 });
/** A dialect's name: REST spells it as it is (`postgresql`), GraphQL as an enum value (`POSTGRESQL`). */
export const dialectName = (names: readonly [string, ...string[]]): ValueKind<string> => ({
  graphql: 'Dialect',
  rules: z.enum(names, { error: typeError(`one of ${names.join(', ')}`) }),
  shape: z.enum(names, { error: typeError(`one of ${names.join(', ')}`) }),
  jsonSchema: { type: 'string', enum: names },
  toRest: (value) => String(value).toLowerCase(),
  fromRest: (value) => String(value).toUpperCase(),
  stored: 'plain',
});

/**
 * A dialect's parameters by name: each checked against its dialect's declarations when turned into
 * a URI. Null where the URI cannot be read by parts (a whole URI held as a secret reference).
 */
export const dialectParameters = (): ValueKind<Record<string, unknown>> => ({
  graphql: 'JSONObject',
  nullable: true,
  rules: objectType(),
  shape: objectType(),
  jsonSchema: { type: ['object', 'null'], additionalProperties: true },
  stored: 'json',
});
export const readOnlyFlag = () => readOnly('Boolean', { type: 'boolean' });

export const flag = (): ValueKind<boolean> => ({
  graphql: 'Boolean',
  rules: z.boolean({ error: typeError('true or false') }),
  shape: z.boolean({ error: typeError('true or false') }),
  jsonSchema: { type: 'boolean' },
  stored: 'plain',
});

// A host name or an IP address: no spaces, no control characters, nothing a URI would read as more than a host.
const HOST = /^[^\s\p{Cc}/@?#]+$/u;

/** A host name or IP address, at most 253 characters. */
export function hostName(): ValueKind<string> {
  return {
    graphql: 'String',
    rules: string()
      .min(1, 'must not be empty')
      .max(253, 'must be at most 253 characters')
      .regex(HOST, 'must be a host name or an IP address'),
    shape: string(),
    jsonSchema: { type: 'string', minLength: 1, maxLength: 253 },
    stored: 'plain',
  };
}

/** A TCP port. */
export function port(): ValueKind<number> {
  const rules = z
    .number({ error: typeError('an integer') })
    .int('must be an integer')
    .min(1, 'must be 1 to 65535')
    .max(65535, 'must be 1 to 65535');
  return {
    graphql: 'Int',
    rules,
    // What GraphQL's Int takes: a whole number of 32 bits.
    shape: z.int32({ error: typeError('an integer') }),
    jsonSchema: { type: 'integer', minimum: 1, maximum: 65535 },
    stored: 'plain',
  };
}

/** A line of text kept exactly as sent (a password: no trimming), 1 to `maxLength` characters. */
export function exactText(maxLength: number): ValueKind<string> {
  return {
    graphql: 'String',
    rules: string()
      .min(1, 'must not be empty')
      .max(maxLength, `must be at most ${maxLength} characters`)
      .refine((value) => !CONTROL_CHARACTER.test(value), 'must not contain control characters'),
    shape: string(),
    jsonSchema: { type: 'string', minLength: 1, maxLength },
    stored: 'plain',
  };
}

/**
 * A key or certificate as PEM (or OpenSSH) text, at most `maxBytes`, that `problemOf` finds nothing
 * wrong with. A secret (a key) may be a secret reference instead, checked once read.
 */
export function pemText(
  maxBytes: number,
  problemOf: (text: string) => string | undefined,
  { secret }: { secret: boolean },
): ValueKind<string> {
  return {
    graphql: 'String',
    rules: string()
      .refine((value) => Buffer.byteLength(value) <= maxBytes, {
        message: `must be at most ${maxBytes / 1024} KiB`,
        abort: true,
      })
      .superRefine((value, context) => {
        // The mask stands for a stored value, checked when it was stored; a reference for a value
        // checked once it is read.
        const problem = value === MASK || (secret && isReference(value)) ? undefined : problemOf(value);
        if (problem) context.addIssue({ code: 'custom', message: problem });
      }),
    shape: string(),
    jsonSchema: { type: 'string', maxLength: maxBytes },
    stored: 'plain',
  };
}

/** An SSH host key fingerprint as `ssh-keygen -lf` prints it. */
export function fingerprint(): ValueKind<string> {
  return {
    graphql: 'String',
    rules: string().regex(
      /^SHA256:[A-Za-z0-9+/]{43}$/,
      'must be a SHA256 fingerprint as ssh-keygen -lf prints it (SHA256: and 43 characters)',
    ),
    shape: string(),
    jsonSchema: { type: 'string', pattern: '^SHA256:[A-Za-z0-9+/]{43}$' },
    stored: 'plain',
  };
}

export interface SettingsMember {
  /** Its name in REST bodies. */
  rest: string;
  value: ValueKind;
  description: string;
  required?: true;
  default?: unknown;
  /** Masked unless revealed, like the URI's password. */
  secret?: true;
}

export interface SettingsIssue {
  /** The member at fault, by its GraphQL name; '' for the group as a whole. */
  member: string;
  message: string;
}

export interface SettingsGroup {
  graphqlName: 'SshSettings' | 'TlsSettings';
  description: string;
  members: Record<string, SettingsMember>;
  /** Rules across members; members holding MASK stand for stored values and are not checked again. */
  check(value: Record<string, unknown>): SettingsIssue[];
  /** Members that say where secrets are sent: a mask is carried over only while they stay the same. */
  destination: string[];
}
