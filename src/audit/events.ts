/**
 * The audit trail: one event for each create, update, delete, reveal, test and
 * key rotation (the provisioning file's changes are creates, updates and deletes
 * by the actor `provisioning`); who acted, on which connection, which
 * fields changed (names, never values), for which request, and how it ended.
 * A change's event is written in the change's own transaction, so the trail
 * never holds a change that did not happen.
 */
import type { Prisma } from '../db/client.ts';

export const AUDIT_ACTIONS = [
  'create',
  'update',
  'delete',
  'reveal',
  'test',
  'rotate_keys',
  'create_workspace',
  'rename_workspace',
  'delete_workspace',
  'create_api_key',
  'revoke_api_key',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  /** The API key's name, `local`, or the tool that acted. */
  actor: string;
  /** `key:<id>` or `oidc:<issuer>#<subject>`; null for local mode and tools. */
  actorId?: string | null;
  /** The workspace of the connection, or null for what concerns none. */
  workspace?: string | null;
  /** The API key's id, or a renamed workspace's former name. */
  subject?: string | null;
  action: AuditAction;
  connectionId?: string | null;
  alias?: string | null;
  /** REST names of the fields changed or revealed. */
  fields?: string[];
  requestId?: string | null;
  /** `ok`, or what went wrong. */
  outcome?: string;
}

/** The row of an audit event, for the store's `auditEvent` table. */
function auditRow(entry: AuditEntry) {
  return {
    at: new Date(),
    actor: entry.actor,
    actorId: entry.actorId ?? null,
    workspace: entry.workspace ?? null,
    subject: entry.subject ?? null,
    action: entry.action,
    connectionId: entry.connectionId ?? null,
    alias: entry.alias ?? null,
    fields: JSON.stringify(entry.fields ?? []),
    requestId: entry.requestId ?? null,
    outcome: entry.outcome ?? 'ok',
  };
}

/**
 * Records an event with `writer` (the client, or the transaction of the change). Not run until
 * awaited, like every Prisma query: it may also go into a batch of statements run as one transaction.
 */
export const recordAuditEvent = (writer: Pick<Prisma, 'auditEvent'>, entry: AuditEntry) =>
  writer.auditEvent.create({ data: auditRow(entry) });

/** The moment before which events are pruned, for a retention of `days`. */
export const retentionCutoff = (days: number, now = Date.now()) => new Date(now - days * 86_400_000);

/** The audit actions that change a connection, with the change event each stands for. */
export const CHANGE_OF_ACTION: Partial<Record<string, 'created' | 'updated' | 'deleted'>> = {
  create: 'created',
  update: 'updated',
  delete: 'deleted',
};

/** The events recorded after the one numbered `afterId`, in the order they were recorded. */
export const eventsAfter = (reader: Pick<Prisma, 'auditEvent'>, afterId: number, take: number) =>
  reader.auditEvent.findMany({
    where: { id: { gt: afterId } },
    select: { id: true, action: true, connectionId: true, workspace: true, at: true },
    orderBy: { id: 'asc' },
    take,
  });

/** The number of the last event recorded before `at`, 0 when there is none. */
export const lastEventIdBefore = async (reader: Pick<Prisma, 'auditEvent'>, at: Date) =>
  (await reader.auditEvent.findFirst({ where: { at: { lt: at } }, orderBy: { id: 'desc' }, select: { id: true } }))
    ?.id ?? 0;

export interface AuditFilter {
  /** Only events of these workspaces (those where the caller holds audit:read); null: every event. */
  workspaces?: string[] | null;
  connectionId?: string | null;
  action?: AuditAction | null;
  /** Only events at or after this moment. */
  since?: Date | null;
  /** Only events recorded before the one with this number (the page's cursor). */
  beforeId?: number;
}

/** The events that pass the filter, newest first, `take` at most. */
export const auditEventsPage = (
  reader: Pick<Prisma, 'auditEvent'>,
  { workspaces, connectionId, action, since, beforeId }: AuditFilter,
  take: number,
) =>
  reader.auditEvent.findMany({
    where: {
      AND: [
        workspaces ? { workspace: { in: workspaces } } : {},
        connectionId ? { connectionId } : {},
        action ? { action } : {},
        since ? { at: { gte: since } } : {},
        beforeId !== undefined ? { id: { lt: beforeId } } : {},
      ],
    },
    orderBy: { id: 'desc' },
    take,
  });
