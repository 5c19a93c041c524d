/**
 * What every connections command works with: the table's store module, the read cache, the
 * secret references each workspace may read, and the checks of who may see or write a row. Built
 * once by the service; each group of commands (reads, writes, tests, secrets shown) takes it.
 */
import type { AuditEntry } from '../../audit/events.ts';
import { actorOf } from '../../auth/api-keys.ts';
import { AccessDeniedError } from '../../auth/errors.ts';
import { DEFAULT_WORKSPACE, type Scope } from '../../auth/grants.ts';
import {
  ManagedConnectionError,
  NotFoundError,
  ValidationError,
  VersionMismatchError,
} from '../../connections/rules/errors.ts';
import { checkedRowOrNull, isConnectionId, type WriteContext } from '../../connections/stored/records.ts';
import { workspaceReferences } from '../../connections/stored/references.ts';
import { type ConnectionFilter, type ConnectionRow, connectionStore, type RowAt } from '../../db/tables/connections.ts';
import type { Caller, ConnectionsDependencies } from './dependencies.ts';
import { createReadCache } from './read-cache.ts';

export function connectionsKit(dependencies: ConnectionsDependencies) {
  const { prisma, references, events, workspaces } = dependencies;
  const store = connectionStore(prisma);
  // Reads answered from memory while nothing changed; every change reaches it through the events.
  // Turned off, it has nothing to forget: it does not watch (on SQLite, watching reads the audit trail every 250 ms).
  const cache = createReadCache(dependencies.readCache);
  if (cache.enabled) events.watch(cache);
  return {
    ...dependencies,
    store,
    cache,
    // Each read of references asks what the workspace is allowed now: a connection moved, or a name no
    // longer allowed, reads nothing it may no longer read.
    referencesFor: workspaceReferences(references, workspaces),
  };
}

export type ConnectionsKit = ReturnType<typeof connectionsKit>;

/** The audit entry of a change by this caller. */
export const auditOf = (caller: Caller, entry: Omit<AuditEntry, 'actor' | 'actorId' | 'requestId'>): AuditEntry => ({
  ...entry,
  ...actorOf(caller),
});

/** The row if the caller may see it, else null. */
export const visible = (caller: Caller, row: ConnectionRow | null) =>
  row && caller.principal.access.sees(row.workspace) ? row : null;

/** The row with this id if the caller may see it, or null (an id that is no UUID names nothing); read as stored. */
export const find = async ({ store }: ConnectionsKit, caller: Caller, id: string) =>
  visible(caller, isConnectionId(id) ? checkedRowOrNull(await store.byId(id)) : null);

/** The row with this id, which the caller must see (else NotFoundError) and hold `scope` in (else AccessDeniedError). */
export async function findFor(kit: ConnectionsKit, caller: Caller, id: string, scope: Scope): Promise<ConnectionRow> {
  const row = await find(kit, caller, id);
  if (!row) throw new NotFoundError(id);
  requireScope(caller, scope, row.workspace);
  return row;
}

/** A workspace the caller writes a connection into: it must hold connections:write there, and the workspace exist. */
export async function checkTargetWorkspace({ workspaces }: ConnectionsKit, caller: Caller, workspace: string) {
  requireScope(caller, 'connections:write', workspace);
  // `default` always exists (a migration makes it, and it is never deleted): no read for it.
  if (workspace !== DEFAULT_WORKSPACE && !(await workspaces.exists(workspace))) {
    throw new ValidationError([{ field: 'workspace', message: 'names no workspace' }]);
  }
}

/** Where a conditional write finds its row: by id, never a managed one, at this version if any, in a workspace the caller writes. */
export const rowAt = (caller: Caller, id: string, version: number | null | undefined): RowAt => {
  const writable = caller.principal.access.workspacesWith(['connections:write']);
  return {
    id,
    managed: false,
    ...(version != null && { version }),
    ...(writable && { workspace: { in: writable } }),
  };
};

/** Why a conditional write found no row, for this caller: refusals of access first, so nothing else leaks. */
export const writeContext = (
  { store }: ConnectionsKit,
  caller: Caller,
  context: Omit<WriteContext, 'current'>,
): WriteContext => ({
  ...context,
  current: async (id) => {
    const state = await store.stateOf(id);
    if (!state || !caller.principal.access.sees(state.workspace)) return null;
    requireScope(caller, 'connections:write', state.workspace);
    return state;
  },
});

/** The filter narrowed to the workspaces the caller sees. */
export const visibleTo = (caller: Caller, filter: ConnectionFilter): ConnectionFilter => ({
  ...filter,
  workspaces: caller.principal.access.visibleWorkspaces(),
});

/** Refuses a call the caller holds no `scope` for in the workspace. */
export function requireScope(caller: Caller, scope: Scope, workspace: string): void {
  if (!caller.principal.access.allows(scope, workspace)) throw new AccessDeniedError(scope, workspace);
}

/** Refuses to write a managed row, or one at another version than the caller expects. */
export function checkWritable(row: ConnectionRow, expectedVersion: number | null | undefined): void {
  if (row.managed) throw new ManagedConnectionError(row.id);
  if (expectedVersion != null && row.version !== expectedVersion) {
    throw new VersionMismatchError(row.id, expectedVersion, row.version);
  }
}

/** The error, its problems' fields named by `fieldName` where it is a ValidationError. */
export function renamedProblems(error: unknown, fieldName: (name: string) => string): unknown {
  if (!(error instanceof ValidationError)) return error;
  const rename = (path: string) => path.replace(/^\w+/, fieldName);
  return new ValidationError(
    error.fieldErrors.map((problem) => ({ ...problem, field: rename(problem.field) })),
    error.code,
  );
}

/** A URI written as a dialect and its parameters: what is wrong with the URI is what is wrong with them. */
export const uriAsWritten = (input: unknown) => (name: string) =>
  name === 'connectionUri' &&
  typeof input === 'object' &&
  (input as { parameters?: unknown } | null)?.parameters != null
    ? 'parameters'
    : name;
