/** The audit trail's commands: a page of it as a caller may read it, and pruning past the retention. */
import { type AuditTrailFilter, retentionCutoff } from '../audit/events.ts';
import type { Caller } from '../auth/api-keys.ts';
import type { Prisma } from '../db/client.ts';
import { auditEventStore } from '../db/tables/audit-events.ts';

export function auditTrail(prisma: Prisma) {
  const store = auditEventStore(prisma);
  return {
    /**
     * The events that pass the filter, newest first, `take` at most: only those of workspaces where
     * the caller holds audit:read (with audit:read in every workspace, all of them).
     */
    page: (caller: Caller, filter: Omit<AuditTrailFilter, 'workspaces'>, take: number) =>
      store.page({ ...filter, workspaces: caller.principal.access.workspacesWith(['audit:read']) }, take),

    /** Deletes the events older than `days` days; answers how many. */
    prune: async (days: number) => (await store.deleteBefore(retentionCutoff(days))).count,
  };
}

export type AuditTrail = ReturnType<typeof auditTrail>;
