/** The error a missing scope produces, in GraphQL and (mapped by the adapter) in REST. */
import type { AuthFailure, ForbiddenResult } from '@pothos/plugin-scope-auth';
import { GraphQLError } from 'graphql';

function missingScopes(failure: AuthFailure): string[] {
  if ('scope' in failure) return [failure.scope];
  if ('failures' in failure) return failure.failures.flatMap(missingScopes);
  return [];
}

export const FORBIDDEN = 'FORBIDDEN';

export function forbiddenError(result: ForbiddenResult): GraphQLError {
  return missingScopesError([...new Set(missingScopes(result.failure))]);
}

/** The error of a call that needs one of these scopes, which the key lacks. */
export function missingScopesError(scopes: string[]): GraphQLError {
  const needed = scopes.length === 1 ? `the ${scopes[0]} scope` : `one of the scopes ${scopes.join(', ')}`;
  return new GraphQLError(`This API key lacks ${needed}.`, {
    extensions: { code: FORBIDDEN, requiredScopes: scopes },
  });
}
