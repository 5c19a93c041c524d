/**
 * Input that breaks the rules, field by field: every layer's checks report it the same way (GraphQL
 * as the ValidationError type, REST as a 400 listing the fields).
 */
import type { ErrorCode } from './error-codes.ts';

export interface FieldProblem {
  /** Path of the offending field in the client's own names, e.g. `schemas[1]`. */
  field: string;
  message: string;
}

/** Fields that break the rules, or (invalid_secret_reference) name secrets that may not or cannot be read. */
export class ValidationError extends Error {
  constructor(
    readonly fieldErrors: FieldProblem[],
    readonly code: Extract<ErrorCode, 'validation_failed' | 'invalid_secret_reference'> = 'validation_failed',
  ) {
    super(`The input is invalid: ${fieldErrors.map((problem) => `${problem.field} ${problem.message}`).join('; ')}.`);
  }
}

/** Renders a zod issue path as `schemas[1]` or `sshSettings.port`. */
export function fieldPath([field, ...rest]: PropertyKey[]): string {
  return rest.reduce<string>(
    (path, part) => (typeof part === 'number' ? `${path}[${part}]` : `${path}.${String(part)}`),
    field === undefined ? '' : String(field),
  );
}

/** The problems of a failed zod parse, each at its field's path. */
export const problemsOf = (issues: readonly { path: PropertyKey[]; message: string }[]): FieldProblem[] =>
  issues.map((issue) => ({ field: fieldPath(issue.path), message: issue.message }));
