/**
 * Workspaces: each connection belongs to one, and grants name them. Listed by anyone (those their
 * grants name); created, renamed and deleted (only when empty) by callers holding access:admin in
 * every workspace; the grants of keys made through the API follow a rename and go with a deletion.
 * `default` always exists and is neither renamed nor deleted.
 */

import { type AuditAction, recordAuditEvent } from '../audit/events.ts';
import { actorOf, type Caller } from '../auth/api-keys.ts';
import {
  AccessDeniedError,
  WorkspaceConflictError,
  WorkspaceNotEmptyError,
  WorkspaceNotFoundError,
} from '../auth/errors.ts';
import { DEFAULT_WORKSPACE, EVERY_WORKSPACE, type Grant, WORKSPACE_NAME } from '../auth/grants.ts';
import type { ManagedApiKeys, WorkspaceReader } from '../auth/managed-keys.ts';
import type { Prisma } from '../db/client.ts';
import type { Store } from '../db/store.ts';
import { type ConnectionEvents, quietChange } from '../events/connection-events.ts';
import { ValidationError } from '../validation.ts';
import { prismaCode } from './records.ts';
import { connectionStore } from './store.ts';

export interface WorkspaceRecord {
  name: string;
  createdAt: Date;
}

function requireAdminEverywhere({ principal }: Caller) {
  if (!principal.access.allowsEverywhere('access:admin')) throw new AccessDeniedError('access:admin', EVERY_WORKSPACE);
}

/** The audit event of a workspace made, renamed or deleted, to write with the change. */
const audit = (
  writer: Pick<Prisma, 'auditEvent'>,
  caller: Caller,
  action: AuditAction,
  workspace: string,
  subject?: string,
) => recordAuditEvent(writer, { ...actorOf(caller), action, workspace, subject, fields: ['name'] });

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

export function workspaces(
  prisma: Prisma,
  keys: ManagedApiKeys,
  events: ConnectionEvents,
  provider: Store['provider'],
) {
  const table = prisma.workspace;

  /**
   * Which of these workspaces exist, read in a transaction that none of them may leave before it
   * ends: on PostgreSQL the rows are locked (FOR SHARE), so a deletion or rename waits for the
   * transaction, or is waited for and found; SQLite runs one write transaction at a time.
   */
  async function existingNames(tx: WorkspaceReader, names: string[]): Promise<Set<string>> {
    if (names.length === 0) return new Set();
    const rows =
      provider === 'postgresql'
        ? await tx.$queryRawUnsafe<{ name: string }[]>(
            'SELECT name FROM workspaces WHERE name = ANY($1) FOR SHARE',
            names,
          )
        : await tx.workspace.findMany({ where: { name: { in: names } }, select: { name: true } });
    return new Set(rows.map((row) => row.name));
  }

  /**
   * Deletes a workspace found empty, in the transaction that found it so: keys made through the API
   * lose their grants on it (ManagedApiKeys.forgetWorkspace), so one made later with its name grants
   * nothing to them; recorded in the audit trail.
   */
  async function deleteWithin(tx: Pick<Prisma, 'workspace' | 'apiKey' | 'auditEvent'>, caller: Caller, name: string) {
    await tx.workspace.delete({ where: { name } });
    await keys.forgetWorkspace(tx, caller, name);
    await audit(tx, caller, 'delete_workspace', name);
  }

  return {
    deleteWithin,

    /** Whether a workspace of this name exists. */
    exists: async (name: string) => (await table.findUnique({ where: { name } })) !== null,

    /** The secret references the provisioning file allows the workspace's connections (none for a workspace not there). */
    async secretReferencesOf(name: string): Promise<string[]> {
      const row = await table.findUnique({ where: { name }, select: { secretReferences: true } });
      return row?.secretReferences ? (JSON.parse(row.secretReferences) as string[]) : [];
    },

    /** Refuses grants on workspaces that do not exist, naming each (`grants[1].workspace`); see `existingNames`. */
    async checkGrants(grants: readonly Grant[], tx: WorkspaceReader) {
      const named = grants.map((grant) => grant.workspace).filter((name) => name !== EVERY_WORKSPACE);
      const found = await existingNames(tx, named);
      const problems = grants.flatMap((grant, index) =>
        grant.workspace === EVERY_WORKSPACE || found.has(grant.workspace)
          ? []
          : [{ field: `grants[${index}].workspace`, message: 'names no workspace' }],
      );
      if (problems.length > 0) throw new ValidationError(problems);
    },

    /** The workspaces the caller's grants name, by name; all of them for a grant on every workspace. */
    list({ principal }: Caller): Promise<WorkspaceRecord[]> {
      const everywhere = principal.access.grants.some((grant) => grant.workspace === EVERY_WORKSPACE);
      const named = principal.access.grants.map((grant) => grant.workspace);
      return table.findMany({ where: everywhere ? {} : { name: { in: named } }, orderBy: { name: 'asc' } });
    },

    async create(caller: Caller, name: string): Promise<WorkspaceRecord> {
      requireAdminEverywhere(caller);
      checkName(name);
      try {
        const [created] = await prisma.$transaction([
          table.create({ data: { name, createdAt: new Date() } }),
          audit(prisma, caller, 'create_workspace', name),
        ]);
        return created;
      } catch (error) {
        if (prismaCode(error) === 'P2002') throw new WorkspaceConflictError(name);
        throw error;
      }
    },

    /** Renames a workspace: its connections, and the grants of keys made through the API, follow. */
    async rename(caller: Caller, from: string, to: string): Promise<WorkspaceRecord> {
      requireAdminEverywhere(caller);
      refuseDefault(from);
      requireNamable(from);
      checkName(to);
      // Its connections change workspace: every read cache forgets what it holds.
      const moved = quietChange();
      try {
        const renamed = await prisma.$transaction(async (tx) => {
          const existing = await tx.workspace.findUnique({ where: { name: from } });
          if (!existing) throw new WorkspaceNotFoundError(from);
          const renamed = await tx.workspace.create({ data: { name: to, createdAt: existing.createdAt } });
          // Deleted before the keys are rewritten: a key being made on it is waited for (see `existingNames`).
          await tx.workspace.delete({ where: { name: from } });
          await connectionStore(tx).moveWorkspace(from, to);
          await keys.renameWorkspace(tx, from, to);
          await audit(tx, caller, 'rename_workspace', to, from);
          await events.inTransaction(tx, moved);
          return renamed;
        });
        events.afterCommit(moved);
        return renamed;
      } catch (error) {
        if (prismaCode(error) === 'P2002') throw new WorkspaceConflictError(to);
        throw error;
      }
    },

    /** Deletes an empty workspace (see deleteWithin); answers it as it was. */
    async remove(caller: Caller, name: string): Promise<WorkspaceRecord> {
      requireAdminEverywhere(caller);
      refuseDefault(name);
      requireNamable(name);
      return prisma.$transaction(async (tx) => {
        const existing = await tx.workspace.findUnique({ where: { name } });
        if (!existing) throw new WorkspaceNotFoundError(name);
        const held = await connectionStore(tx).count({ workspaces: [name] });
        if (held > 0) throw new WorkspaceNotEmptyError(name, held);
        await deleteWithin(tx, caller, name);
        return existing;
      });
    },
  };
}

export type Workspaces = ReturnType<typeof workspaces>;
