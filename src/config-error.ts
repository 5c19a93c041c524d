import type { z } from 'zod';

/** A setting the service cannot start with; its message says what to change (and never quotes a secret). */
export class ConfigError extends Error {}

/**
 * A value quoted back only when short and without spaces: settings name scopes and levels, and a
 * secret pasted in the wrong place (an API key is 49 characters) is not repeated.
 */
export const quoted = (value: unknown) =>
  typeof value === 'string' && value.length > 0 && value.length <= 40 && !/\s/.test(value) ? `"${value}"` : undefined;

const plural = (count: number | bigint, noun: string) => `${count} ${noun}${count === 1 || count === 1n ? '' : 's'}`;

/** A bound in words: `must be at least 1 character long`, `must have at most 3 items`, `must be at least 0`. */
function bound(side: 'least' | 'most', limit: number | bigint, origin: string) {
  if (origin === 'string') return `must be at ${side} ${plural(limit, 'character')} long`;
  if (origin === 'array' || origin === 'set') return `must have at ${side} ${plural(limit, 'item')}`;
  return `must be at ${side} ${limit}`;
}

/**
 * zod's issues in plain words, for the settings' schemas where they give no message of their own:
 * a value not among those allowed names them, a missing field says so, an unknown field is named.
 * Used as the `error` of a parse, so that every message a schema gives stays as it is.
 */
export const plainWords: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_value': {
      const value = quoted(issue.input);
      const allowed = issue.values.map(String).join(', ');
      if (issue.values.length === 1) return `must be ${allowed}`;
      return value ? `is ${value}, which is not one of ${allowed}` : `must be one of ${allowed}`;
    }
    case 'invalid_type':
      return issue.input === undefined
        ? 'is missing'
        : `must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
    case 'unrecognized_keys':
      return `has ${issue.keys.map((key) => quoted(key) ?? 'a field').join(', ')}, which ${issue.keys.length > 1 ? 'are' : 'is'} not known here`;
    case 'too_small':
      return issue.origin === 'string' && issue.minimum === 1
        ? 'must not be empty'
        : bound('least', issue.minimum, issue.origin);
    case 'too_big':
      return bound('most', issue.maximum, issue.origin);
    case 'invalid_union':
      return (
        issue.errors
          .map((alternative) => alternative[0]?.message)
          .filter(Boolean)
          .join(', or ') || undefined
      );
    default:
      return undefined;
  }
};

/** Where in a setting's value an issue is: `grants[0].scopes[1]`. */
export const pathInWords = (path: PropertyKey[]) =>
  path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index > 0 ? '.' : ''}${String(part)}`))
    .join('');
