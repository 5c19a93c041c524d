/**
 * Failures a client can act on. GraphQL returns them as typed errors (the
 * Pothos errors plugin); the REST adapter turns each `code` into its status.
 */

import type { ErrorCode } from '../../error-codes.ts';

export { type FieldProblem, ValidationError } from '../../validation.ts';

export class NotFoundError extends Error {
  readonly code = 'not_found' satisfies ErrorCode;
  constructor(readonly id: string) {
    super(`No database connection has the id "${id}".`);
  }
}

export class VersionMismatchError extends Error {
  readonly code = 'version_mismatch' satisfies ErrorCode;
  constructor(
    readonly id: string,
    readonly expectedVersion: number,
    readonly currentVersion: number,
  ) {
    super(
      `The database connection "${id}" is at version ${currentVersion}, not ${expectedVersion}: ` +
        'it changed since you read it. Read it again, then retry.',
    );
  }
}

/** The connection is the provisioning file's (CONNECTIONS_FILE): the API does not change it. */
export class ManagedConnectionError extends Error {
  readonly code = 'managed_connection' satisfies ErrorCode;
  constructor(readonly id: string) {
    super(
      `The database connection "${id}" comes from the provisioning file (CONNECTIONS_FILE): change it there, ` +
        'not through the API.',
    );
  }
}

export class AliasConflictError extends Error {
  readonly code = 'alias_conflict' satisfies ErrorCode;
  constructor(readonly alias: string) {
    super(
      `A database connection with the alias "${alias}" already exists in this workspace (aliases are compared ignoring case).`,
    );
  }
}
