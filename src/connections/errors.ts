/**
 * Failures a client can act on. GraphQL returns them as typed errors (the
 * Pothos errors plugin); the REST adapter turns each `code` into its status.
 */

export interface FieldProblem {
  /** Path of the offending field in the client's own names, e.g. `schemas[1]`. */
  field: string;
  message: string;
}

export class ValidationError extends Error {
  readonly code = 'validation_failed';
  constructor(readonly fieldErrors: FieldProblem[]) {
    super(`The input is invalid: ${fieldErrors.map((problem) => `${problem.field} ${problem.message}`).join('; ')}.`);
  }
}

export class NotFoundError extends Error {
  readonly code = 'not_found';
  constructor(readonly id: string) {
    super(`No database connection has the id "${id}".`);
  }
}

export class AliasConflictError extends Error {
  readonly code = 'alias_conflict';
  constructor(readonly alias: string) {
    super(`A database connection with the alias "${alias}" already exists (aliases are compared ignoring case).`);
  }
}
