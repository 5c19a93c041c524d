/**
 * The service's half of the scheduled health checks: which connections are due, a lease in the row
 * so that one instance checks each connection per interval, the check itself and its record (with
 * a HEALTH_CHANGED event when the status changes). The schedule (when to look, how many at once)
 * is src/health/checker.ts's.
 */
import { createHash } from 'node:crypto';
import { historyWith, statusOfTest } from '../../connections/fields/health.ts';
import { testStoredConnection, type WorkspaceReferences } from '../../connections/stored/references.ts';
import type { TestResult } from '../../connectivity/connectivity.ts';
import { DialectNotTestableError, TooManyTestsError } from '../../connectivity/errors.ts';
import type { ConnectionRow, ConnectionStore } from '../../db/tables/connections.ts';
import { connectionEvent, quietChange } from '../../events/connection-events.ts';
import type { Caller, ConnectionsDependencies } from './dependencies.ts';

/** The API key name scheduled tests count against. */
const HEALTH_CHECK_ACTOR = 'health-check';
/** A connection failing again and again is checked every interval, then every 2, then 4 at most. */
const MAX_BACKOFF = 4;
/** How long a check asked for over the API keeps a scheduled one waiting. */
const RETRY_BUSY_MS = 1_000;

/** Where in the interval a connection is first checked: the same place whichever instance asks. */
const offsetOf = (id: string, intervalMs: number) =>
  createHash('sha256').update(id).digest().readUInt32BE(0) % Math.max(intervalMs, 1);

export interface HealthSchedule {
  intervalMs: number;
  /** How long a lease holds a connection for the instance checking it. */
  leaseMs: number;
}

/** What the checks work with: the service's dependencies, and the reader of each workspace's references. */
type HealthDependencies = ConnectionsDependencies & { referencesFor: WorkspaceReferences };

/** A test's outcome as a health status: refusals (network rules, no driver) included. */
async function healthTest(dependencies: HealthDependencies, row: Parameters<typeof testStoredConnection>[1]) {
  try {
    return await testStoredConnection(dependencies.connectivity, row, dependencies, HEALTH_CHECK_ACTOR);
  } catch (error) {
    if (error instanceof TooManyTestsError) return undefined;
    if (error instanceof DialectNotTestableError) {
      return { ok: false, latencyMs: 0, serverVersion: null, error: null } satisfies TestResult;
    }
    // Refused by the network rules: a failed check, said as such.
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, latencyMs: 0, serverVersion: null, error: { code: 'connection_failed', message } } as const;
  }
}

/** Takes the connections due, up to `room`, each by a lease no other instance can take; answers their ids. */
async function claimDue(store: ConnectionStore, room: number, { intervalMs, leaseMs }: HealthSchedule) {
  const now = new Date();
  const claimed: string[] = [];
  for (const row of await store.dueForHealthCheck(now, room)) {
    if (row.healthNextAt === null) {
      // Never scheduled (stored before health checks existed): given its place in the interval.
      const nextAt = new Date(now.getTime() + offsetOf(row.id, intervalMs));
      await store.updateIf({ id: row.id, healthNextAt: null }, { healthNextAt: nextAt });
      continue;
    }
    const { count } = await store.updateIf(
      { id: row.id, healthLeaseUntil: row.healthLeaseUntil },
      { healthLeaseUntil: new Date(now.getTime() + leaseMs) },
    );
    if (count === 1) claimed.push(row.id);
  }
  return claimed;
}

/** The columns a check's result writes: its status, latency, history, failures and the next check (backing off). */
function healthColumns(row: ConnectionRow, result: TestResult, latencyMs: number, intervalMs: number) {
  const status = statusOfTest(result);
  const failures = status === 'failing' ? row.healthFailures + 1 : 0;
  const backoff = Math.min(2 ** Math.max(failures - 1, 0), MAX_BACKOFF);
  const now = new Date();
  const errorCode = result.error?.code ?? null;
  return {
    healthStatus: status,
    healthCheckedAt: now,
    healthLatencyMs: latencyMs,
    healthHistory: historyWith(row.healthHistory, { at: now.toISOString(), status, latencyMs, errorCode }),
    healthErrorCode: errorCode,
    healthErrorMessage: result.error?.message ?? null,
    healthFailures: failures,
    healthChecks: { increment: 1 },
    healthNextAt: new Date(now.getTime() + intervalMs * backoff),
    healthLeaseUntil: null,
  };
}

/** What a health check that found the connection working does next: a scheduled scan of its catalog, when due. */
export type AfterWorkingCheck = (row: ConnectionRow) => Promise<void>;

export function startHealthRecords(
  dependencies: HealthDependencies,
  store: ConnectionStore,
  afterWorkingCheck: AfterWorkingCheck,
) {
  const { changes, logger } = dependencies;
  return {
    /** Takes the connections due, up to `room`, each by a lease no other instance can take; answers their ids. */
    claimDue: (room: number, schedule: HealthSchedule): Promise<string[]> => claimDue(store, room, schedule),

    /** Checks one claimed connection and records the outcome, unless the connection changed meanwhile. */
    async check(id: string, { intervalMs }: HealthSchedule): Promise<void> {
      const row = await store.byId(id);
      if (!row) return;
      const started = performance.now();
      const result = await healthTest(dependencies, row);
      if (!result) {
        // Tests asked for over the API come first: this check waits its turn, its status as it was.
        await store.updateIf({ id }, { healthLeaseUntil: null, healthNextAt: new Date(Date.now() + RETRY_BUSY_MS) });
        return;
      }
      const latencyMs = Math.round(result.latencyMs || performance.now() - started);
      const columns = healthColumns(row, result, latencyMs, intervalMs);
      // Only if it did not change meanwhile: a changed connection waits for its own check.
      const record = store.updateIf({ id, version: row.version }, columns);
      // The same status: only read caches hear of it (its time and latency changed); else subscribers too.
      const change =
        columns.healthStatus === row.healthStatus
          ? quietChange(id)
          : connectionEvent('health_changed', id, row.workspace);
      await changes.unaudited(record, change);
      if (!result.ok) return;
      // Within the lease: one instance scans each connection, within the limit of checks at a time.
      await afterWorkingCheck(row).catch((error: unknown) =>
        logger.warn({ err: error, connectionId: id }, 'a scheduled schema scan failed'),
      );
    },

    /** The last health of every connection checked so far, in the workspaces where the caller holds metrics:read (for /metrics). */
    async summary({ principal }: Caller) {
      const rows = await store.checkedHealth(principal.access.workspacesWith(['metrics:read']));
      return rows.map((row) => ({
        workspace: row.workspace,
        alias: row.alias,
        dialect: row.dialect,
        up: row.healthStatus === 'ok',
        latencyMs: row.healthLatencyMs,
      }));
    },
  };
}
