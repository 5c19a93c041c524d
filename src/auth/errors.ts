/** Refusals of access: the connections service and the key and workspace services throw them. */
import type { ErrorCode } from '../error-codes.ts';
import type { Scope } from './grants.ts';

/**
 * The caller may know the thing exists (it sees the workspace) but lacks the scope the call needs
 * there: 403. Where the caller may not see it, the services answer not found instead.
 */
export class AccessDeniedError extends Error {
  readonly code = 'forbidden' satisfies ErrorCode;
  constructor(
    readonly scope: Scope,
    readonly workspace: string,
  ) {
    super(
      workspace === '*'
        ? `This needs the ${scope} scope in every workspace.`
        : `This needs the ${scope} scope in the workspace "${workspace}".`,
    );
  }
}

export class ApiKeyNotFoundError extends Error {
  readonly code = 'api_key_not_found' satisfies ErrorCode;
  constructor(readonly id: string) {
    super(`No API key you may manage has the id "${id}".`);
  }
}

export class WorkspaceNotFoundError extends Error {
  readonly code = 'workspace_not_found' satisfies ErrorCode;
  constructor(readonly workspace: string) {
    super(`No workspace is named "${workspace}".`);
  }
}

export class WorkspaceConflictError extends Error {
  readonly code = 'workspace_conflict' satisfies ErrorCode;
  constructor(readonly workspace: string) {
    super(`A workspace named "${workspace}" already exists.`);
  }
}

export class WorkspaceNotEmptyError extends Error {
  readonly code = 'workspace_not_empty' satisfies ErrorCode;
  constructor(
    readonly workspace: string,
    readonly connections: number,
  ) {
    super(`The workspace "${workspace}" still holds ${connections} connection(s): move or delete them first.`);
  }
}
