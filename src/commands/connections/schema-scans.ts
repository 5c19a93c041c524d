/**
 * Schema scans of saved connections: discovery (through the connections' own path: the caller's
 * grants, the network rules, the limits on tests), its snapshot recorded in the schema history,
 * and, when the catalog changed, an audit event (`schema_changed`, with the count of each kind)
 * and a SCHEMA_CHANGED change event (the counts and the first changes) in the same transaction.
 */
import type { AuditEntry } from '../../audit/events.ts';
import { toolPrincipal } from '../../auth/api-keys.ts';
import type { ConnectionRow } from '../../db/tables/connections.ts';
import { type ConnectionEvent, connectionEvent, type SchemaChangesSummary } from '../../events/connection-events.ts';
import type { SchemaChangeFound, SchemaChangeKind } from '../../schema-history/kinds.ts';
import {
  type ConnectionRef,
  SCAN_TRANSACTION,
  type ScanRecorded,
  type SnapshotWithCatalog,
  schemaHistoryStore,
} from '../../schema-history/store.ts';
import type { Caller } from './dependencies.ts';
import { auditOf, type ConnectionsKit, requireScope } from './kit.ts';
import type { connectionTests } from './tests.ts';

/** The most changes a SCHEMA_CHANGED event carries. */
const FIRST_CHANGES = 5;
/** PostgreSQL's NOTIFY holds less than 8,000 bytes: the first changes are cut to fit well within. */
const EVENT_BYTES = 6_000;

/** How many changes of each kind. */
function countsOf(changes: SchemaChangeFound[]): Partial<Record<SchemaChangeKind, number>> {
  const counts: Partial<Record<SchemaChangeKind, number>> = {};
  for (const { kind } of changes) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** The SCHEMA_CHANGED event of a scan's changes: their counts and as many of the first as a notification holds. */
export function schemaChangedEvent(row: ConnectionRow, changes: SchemaChangeFound[]): ConnectionEvent {
  const summary: SchemaChangesSummary = {
    total: changes.length,
    counts: countsOf(changes),
    first: changes.slice(0, FIRST_CHANGES),
  };
  const event = { ...connectionEvent('schema_changed', row.id, row.workspace), schemaChanges: summary };
  while (summary.first.length > 0 && Buffer.byteLength(JSON.stringify(event)) > EVENT_BYTES) summary.first.pop();
  return event;
}

/** The audit entry of a scan that found changes: the count of each kind, as `kind:count`. */
const schemaChangedAudit = (caller: Caller, row: ConnectionRow, changes: SchemaChangeFound[]): AuditEntry =>
  auditOf(caller, {
    action: 'schema_changed',
    connectionId: row.id,
    alias: row.alias,
    workspace: row.workspace,
    fields: Object.entries(countsOf(changes)).map(([kind, count]) => `${kind}:${count}`),
  });

/**
 * Who scans on the schedule: under the name health checks test as, so that scheduled scans share
 * their limit of connections at a time (CONNECTION_TESTS_MAX_PER_KEY).
 */
const SCHEDULED_SCAN: Caller = { principal: toolPrincipal('health-check') };

const refOf = (row: ConnectionRow): ConnectionRef => ({ id: row.id, workspace: row.workspace });

type Discover = ReturnType<typeof connectionTests>['discover'];

export function schemaScans(kit: ConnectionsKit, discover: Discover) {
  const history = schemaHistoryStore(kit.prisma);
  const keep = kit.schemaSnapshotsKept;

  /** Scans the connection now and records the snapshot, with its audit and change events when it changed. */
  async function scan(caller: Caller, row: ConnectionRow): Promise<ScanRecorded> {
    const schemas = await discover(caller, row, { fresh: true });
    const recorded = await history.recordScan(refOf(row), schemas, keep, new Date(), (work) =>
      kit.changes.transaction(async (tx, record) => {
        const written = await work(tx);
        if (written.changes.length > 0) {
          await record(schemaChangedAudit(caller, row, written.changes), schemaChangedEvent(row, written.changes));
        }
        return written;
      }, SCAN_TRANSACTION),
    );
    kit.schemaChangeCounts.add(row.workspace, recorded.changes);
    return recorded;
  }

  return {
    scan,
    /**
     * A scheduled scan, made with the connection's health check (its lease, its limit): when the
     * latest snapshot was checked longer than SCHEMA_SCAN_INTERVAL_S ago, or before the connection changed.
     */
    async scanIfDue(row: ConnectionRow): Promise<void> {
      const intervalMs = kit.schemaScanIntervalMs;
      if (intervalMs <= 0) return;
      const latest = await history.latest(refOf(row));
      if (latest && latest.checkedAt >= row.updatedAt && Date.now() - latest.checkedAt.getTime() < intervalMs) return;
      await scan(SCHEDULED_SCAN, row);
    },
    /** The changes this instance's scans found so far, by workspace and kind. */
    changeCounts: () => kit.schemaChangeCounts.read(),
    /**
     * The latest snapshot of the connection's catalog: the one stored, unless there is none yet, the
     * connection changed since it was checked (another URI, other schemas), or `refresh` asks for a
     * scan now.
     */
    async snapshot(caller: Caller, row: ConnectionRow, refresh = false): Promise<SnapshotWithCatalog> {
      requireScope(caller, 'connections:read', row.workspace);
      const stored = refresh ? null : await history.latestWithCatalog(refOf(row));
      if (stored && stored.checkedAt >= row.updatedAt) return stored;
      await scan(caller, row);
      const scanned = await history.latestWithCatalog(refOf(row));
      if (!scanned) throw new Error(`the snapshot of connection ${row.id} just recorded is gone`);
      return scanned;
    },

    /** A page of the connection's changes, newest first (see SchemaHistoryStore.changes). */
    changes(caller: Caller, row: ConnectionRow, page: Parameters<typeof history.changes>[1]) {
      requireScope(caller, 'connections:read', row.workspace);
      return history.changes(refOf(row), page);
    },
  };
}

export type SchemaScans = ReturnType<typeof schemaScans>;
