/** Text arguments of queries that are looked up as they are (filters): never with a control character. */
import { GraphQLError } from 'graphql';

/**
 * The text, unless it holds a control character: then BAD_USER_INPUT naming the argument. Nothing
 * stored holds one, and a NUL in a condition is an error of PostgreSQL, not an empty answer.
 */
export function plainText<T extends string | null | undefined>(value: T, argument: string): T {
  if (typeof value === 'string' && /\p{Cc}/u.test(value)) {
    throw new GraphQLError(`${argument} must not contain control characters.`, {
      extensions: { code: 'BAD_USER_INPUT', argument },
    });
  }
  return value;
}
