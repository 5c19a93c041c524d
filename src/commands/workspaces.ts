/**
 * Workspaces: each connection belongs to one, and grants name them. Listed by anyone (those their
 * grants name); created, renamed and deleted (only when empty) by callers holding access:admin in
 * every workspace; the grants of keys made through the API follow a rename and go with a deletion.
 * `default` always exists and is neither renamed nor deleted. Each change is written with its
 * audit event (and a rename with the quiet change that makes read caches forget) in one transaction.
 */

import type { AuditAction, AuditEntry } from '../audit/events.ts';
import { actorOf, type Caller } from '../auth/api-keys.ts';
import {
  AccessDeniedError,
  WorkspaceConflictError,
  WorkspaceNotEmptyError,
  WorkspaceNotFoundError,
} from '../auth/errors.ts';
import { DEFAULT_WORKSPACE, EVERY_WORKSPACE, type Grant, WORKSPACE_NAME } from '../auth/grants.ts';
import { prismaCode } from '../connections/stored/records.ts';
import type { Prisma } from '../db/client.ts';
import type { Store } from '../db/store.ts';
import { auditEventStore } from '../db/tables/audit-events.ts';
import { connectionStore } from '../db/tables/connections.ts';
import { workspaceStore } from '../db/tables/workspaces.ts';
import { quietChange } from '../events/connection-events.ts';
import { ValidationError } from '../validation.ts';
import type { ManagedApiKeys, WorkspaceReader } from './api-keys.ts';
import type { RecordChange, RecordedChanges, Transaction } from './recorded-changes.ts';
import type { SchemaChangeCounter } from './schema-change-counts.ts';

export interface WorkspaceRecord {
  name: string;
  createdAt: Date;
}

function requireAdminEverywhere({ principal }: Caller) {
  if (!principal.access.allowsEverywhere('access:admin')) throw new AccessDeniedError('access:admin', EVERY_WORKSPACE);
}

/** The audit entry of a workspace made, renamed or deleted, to write with the change. */
const audit = (caller: Caller, action: AuditAction, workspace: string, subject?: string): AuditEntry => ({
  ...actorOf(caller),
  action,
  workspace,
  subject,
  fields: ['name'],
});

/** A name a workspace may take (WORKSPACE_NAME: so never `*`). */
function checkName(name: string) {
  const result = WORKSPACE_NAME.safeParse(name);
  if (!result.success) throw new ValidationError([{ field: 'name', message: result.error.issues[0]?.message ?? '' }]);
}

/** A name no workspace can have (a NUL, any control character) names none: not found, and never looked up. */
function requireNamable(name: string) {
  if (!WORKSPACE_NAME.safeParse(name).success) throw new WorkspaceNotFoundError(name);
}

function refuseDefault(name: string) {
  if (name === DEFAULT_WORKSPACE) {
    throw new ValidationError([
      { field: 'name', message: 'is the default workspace, which is neither renamed nor deleted' },
    ]);
  }
}

interface RenameDependencies {
  keys: ManagedApiKeys;
  changes: RecordedChanges;
  counts: SchemaChangeCounter;
}

/**
 * Renames a workspace in one transaction: its connections, the grants of keys made through the API
 * and its audit events follow; once committed, so do this instance's counts of its schema changes.
 * What was the old name's is the renamed workspace's alone: one later made with the old name starts with none.
 */
async function rename(
  { keys, changes, counts }: RenameDependencies,
  caller: Caller,
  from: string,
  to: string,
): Promise<WorkspaceRecord> {
  requireAdminEverywhere(caller);
  refuseDefault(from);
  requireNamable(from);
  checkName(to);
  try {
    const renamed = await changes.transaction(async (tx, record) => {
      const table = workspaceStore(tx);
      const existing = await table.byName(from);
      if (!existing) throw new WorkspaceNotFoundError(from);
      const renamed = await table.insert(to, existing.createdAt);
      // Deleted before the keys are rewritten: a key being made on it is waited for (see `existingNames`).
      await table.delete(from);
      await connectionStore(tx).moveWorkspace(from, to);
      await keys.renameWorkspace(tx, from, to);
      // Before the rename's own event, which is recorded under the new name with the old as its subject.
      await auditEventStore(tx).moveWorkspace(from, to);
      // Its connections change workspace: every read cache forgets what it holds.
      await record(audit(caller, 'rename_workspace', to, from), quietChange());
      return renamed;
    });
    counts.moveWorkspace(from, to);
    return renamed;
  } catch (error) {
    if (prismaCode(error) === 'P2002') throw new WorkspaceConflictError(to);
    throw error;
  }
}

/** Refuses grants on workspaces that do not exist, naming each (`grants[1].workspace`), in the key's transaction. */
async function checkGrants(grants: readonly Grant[], tx: WorkspaceReader, provider: Store['provider']) {
  const named = grants.map((grant) => grant.workspace).filter((name) => name !== EVERY_WORKSPACE);
  const found = await workspaceStore(tx).existingNames(named, provider);
  const problems = grants.flatMap((grant, index) =>
    grant.workspace === EVERY_WORKSPACE || found.has(grant.workspace)
      ? []
      : [{ field: `grants[${index}].workspace`, message: 'names no workspace' }],
  );
  if (problems.length > 0) throw new ValidationError(problems);
}

/**
 * Deletes a workspace found empty, in the transaction that found it so: keys made through the API
 * lose their grants on it (ManagedApiKeys.forgetWorkspace), so one made later with its name grants
 * nothing to them; recorded in the audit trail.
 */
async function deleteEmpty(keys: ManagedApiKeys, tx: Transaction, record: RecordChange, caller: Caller, name: string) {
  await workspaceStore(tx).delete(name);
  await keys.forgetWorkspace(tx, record, caller, name);
  await record(audit(caller, 'delete_workspace', name));
}

/** Deletes the workspace if it holds no connection, in the transaction that finds it so; answers it as it was. */
async function removeEmpty(
  tx: Transaction,
  record: RecordChange,
  { caller, name, deleteWithin }: { caller: Caller; name: string; deleteWithin: DeleteWithin },
): Promise<WorkspaceRecord> {
  const existing = await workspaceStore(tx).byName(name);
  if (!existing) throw new WorkspaceNotFoundError(name);
  const held = await connectionStore(tx).count({ workspaces: [name] });
  if (held > 0) throw new WorkspaceNotEmptyError(name, held);
  await deleteWithin(tx, record, caller, name);
  return existing;
}

type DeleteWithin = (tx: Transaction, record: RecordChange, caller: Caller, name: string) => Promise<void>;

export function workspaces(
  prisma: Prisma,
  keys: ManagedApiKeys,
  changes: RecordedChanges,
  provider: Store['provider'],
  counts: SchemaChangeCounter,
) {
  const store = workspaceStore(prisma);

  const deleteWithin: DeleteWithin = (tx, record, caller, name) => deleteEmpty(keys, tx, record, caller, name);

  return {
    deleteWithin,

    /** Whether a workspace of this name exists. */
    exists: async (name: string) => (await store.byName(name)) !== null,

    /** The secret references the provisioning file allows the workspace's connections (none for a workspace not there). */
    async secretReferencesOf(name: string): Promise<string[]> {
      const references = await store.secretReferencesOf(name);
      return references ? (JSON.parse(references) as string[]) : [];
    },

    /** Refuses grants on workspaces that do not exist, naming each (`grants[1].workspace`); see `existingNames`. */
    checkGrants: (grants: readonly Grant[], tx: WorkspaceReader) => checkGrants(grants, tx, provider),

    /** The workspaces the caller's grants name, by name; all of them for a grant on every workspace. */
    list({ principal }: Caller): Promise<WorkspaceRecord[]> {
      const everywhere = principal.access.grants.some((grant) => grant.workspace === EVERY_WORKSPACE);
      return store.list(everywhere ? null : principal.access.grants.map((grant) => grant.workspace));
    },

    async create(caller: Caller, name: string): Promise<WorkspaceRecord> {
      requireAdminEverywhere(caller);
      checkName(name);
      try {
        return await changes.batch(store.insert(name, new Date()), audit(caller, 'create_workspace', name));
      } catch (error) {
        if (prismaCode(error) === 'P2002') throw new WorkspaceConflictError(name);
        throw error;
      }
    },

    /** Renames a workspace: its connections, and the grants of keys made through the API, follow. */
    rename: (caller: Caller, from: string, to: string) => rename({ keys, changes, counts }, caller, from, to),

    /** Deletes an empty workspace (see deleteWithin); answers it as it was. */
    async remove(caller: Caller, name: string): Promise<WorkspaceRecord> {
      requireAdminEverywhere(caller);
      refuseDefault(name);
      requireNamable(name);
      return changes.transaction((tx, record) => removeEmpty(tx, record, { caller, name, deleteWithin }));
    },
  };
}

export type Workspaces = ReturnType<typeof workspaces>;
