/**
 * The audit trail: one event for each create, update, delete, reveal, test and
 * key rotation (the provisioning file's changes are creates, updates and deletes
 * by the actor `provisioning`); who acted, on which connection, which
 * fields changed (names, never values), for which request, and how it ended.
 * A change's event is written in the change's own transaction, so the trail
 * never holds a change that did not happen.
 */
import { type AuditClient, type AuditFilter, auditEventStatement, auditEventStore } from '../db/tables/audit-events.ts';

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
  'schema_changed',
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
export const recordAuditEvent = (writer: AuditClient, entry: AuditEntry) =>
  auditEventStore(writer).insert(auditRow(entry));

/** Records an event for each row `source` holds, in a statement that writes them (src/db/recorded-statement.ts). */
export const auditEventFrom = (source: string, entry: AuditEntry) => auditEventStatement(source, auditRow(entry));

/** The moment before which events are pruned, for a retention of `days`. */
export const retentionCutoff = (days: number, now = Date.now()) => new Date(now - days * 86_400_000);

/** The audit actions that change a connection, with the change event each stands for. */
export const CHANGE_OF_ACTION: Partial<Record<string, 'created' | 'updated' | 'deleted'>> = {
  create: 'created',
  update: 'updated',
  delete: 'deleted',
};

/** What a page of the trail may be narrowed to: an action of AUDIT_ACTIONS. */
export type AuditTrailFilter = AuditFilter & { action?: AuditAction | null };
