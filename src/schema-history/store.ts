/**
 * The schema history of connections: recording a scan (a new snapshot and the changes since the
 * latest, or only when the latest was checked again), reading the latest snapshot, paging the
 * changes. The rows are read and written through their store module (db/tables/schema-history.ts).
 */
import type { SchemaInfo } from '../connectivity/drivers/driver.ts';
import type { Prisma } from '../db/client.ts';
import {
  type ChangesPageOptions,
  type ConnectionRef,
  type HistoryClient,
  type Packed,
  pack,
  type SchemaHistoryTables,
  type SnapshotRecord,
  schemaHistoryTables,
} from '../db/tables/schema-history.ts';
import { type Catalog, canonicalCatalog, catalogSize, withRowCounts } from './catalog.ts';
import { diffCatalogs } from './diff.ts';
import type { SchemaChangeFound, SchemaChangeKind } from './kinds.ts';

export type { ConnectionRef, SnapshotRecord };

/** What a snapshot's fields mean, said once: GraphQL's SchemaSnapshot and REST's snapshot (src/rest/discovery.ts) take it. */
export const SNAPSHOT_MEANINGS = {
  scannedAt: 'When a scan last found this catalog.',
  firstFoundAt: 'When a scan first found this catalog.',
  tableCount: 'How many tables and views the catalog holds.',
  columnCount: 'How many columns its tables and views hold.',
} as const;

export interface SnapshotWithCatalog extends SnapshotRecord {
  /** The catalog as discovery answered it, with the row estimates of the last scan. */
  schemas: SchemaInfo[];
}

export interface SchemaChangeRecord extends SchemaChangeFound {
  id: number;
  detectedAt: Date;
  snapshotId: number;
}

export interface ScanRecorded {
  snapshot: SnapshotRecord;
  /** Whether the scan stored a new snapshot (false: the catalog was the latest one's; only checkedAt moved). */
  stored: boolean;
  /** What changed since the snapshot before (none for the first: it is the baseline). */
  changes: SchemaChangeFound[];
}

export interface ChangesPage {
  /** Newest first. */
  changes: SchemaChangeRecord[];
  /** The id to pass as `before` for the next page; null on the last page. */
  next: number | null;
}

/**
 * Runs the writes of a scan in one transaction: by default the client's own; a command passes its
 * own, which records the scan's audit and change events with it.
 */
export type ScanTransaction = (work: (tx: HistoryClient) => Promise<ScanRecorded>) => Promise<ScanRecorded>;

/** A transaction of a large catalog's changes may take a while; the default (5 s) is for small ones. */
export const SCAN_TRANSACTION = { maxWait: 10_000, timeout: 120_000 };

const isUniqueViolation = (error: unknown) => (error as { code?: unknown } | null)?.code === 'P2002';

type Scanned = ReturnType<typeof canonicalCatalog>;

/** Stores a catalog unlike the latest snapshot's (`latest`, null for the first): the snapshot, its changes, the bound. */
async function storeSnapshot(
  tx: HistoryClient,
  connection: ConnectionRef,
  latest: SnapshotRecord | null,
  scanned: Scanned & { packedCatalog: Packed; packedRowCounts: Packed; at: Date; keep: number },
): Promise<ScanRecorded> {
  const tables = schemaHistoryTables(tx);
  const changes = latest ? diffCatalogs(await tables.catalogOf<Catalog>(latest.id), scanned.catalog) : [];
  const sequence = (latest?.sequence ?? 0) + 1;
  const { at, keep } = scanned;
  const snapshot = await tables.insert(connection, {
    sequence,
    contentHash: scanned.hash,
    catalog: scanned.packedCatalog,
    rowCounts: scanned.packedRowCounts,
    ...catalogSize(scanned.catalog),
    createdAt: at,
    checkedAt: at,
  });
  // Stored last path first: pages read ids descending (scans newest first, one keyset cursor), and
  // so read each scan's changes in path order, as the SCHEMA_CHANGED event lists them.
  await tables.insertChanges(
    connection,
    [...changes].reverse().map((change) => ({ ...change, detectedAt: at, snapshotId: snapshot.id })),
  );
  // The oldest beyond the bound go, their changes with them.
  await tables.dropUpTo(connection, sequence - keep);
  return { snapshot, stored: true, changes };
}

/** One try at recording: throws a unique violation when another scan stored the same sequence first. */
async function record(
  tables: SchemaHistoryTables,
  connection: ConnectionRef,
  scan: { scanned: Scanned; at: Date; keep: number },
  within: ScanTransaction,
): Promise<ScanRecorded> {
  const { scanned, at, keep } = scan;
  const packedRowCounts = await pack(scanned.rowCounts);
  // Packed ahead, outside the transaction, unless the scan is (most likely) unchanged.
  const unchanged = (await tables.latest(connection))?.contentHash === scanned.hash;
  const packedAhead = unchanged ? undefined : await pack(scanned.catalog);
  return within(async (tx) => {
    const latest = await schemaHistoryTables(tx).latest(connection);
    if (latest?.contentHash === scanned.hash) {
      const snapshot = await schemaHistoryTables(tx).touch(latest.id, at, packedRowCounts);
      return { snapshot, stored: false, changes: [] };
    }
    const packedCatalog = packedAhead ?? (await pack(scanned.catalog));
    return storeSnapshot(tx, connection, latest, { ...scanned, packedCatalog, packedRowCounts, at, keep });
  });
}

/**
 * Reads of connections' latest snapshots, each read and unpacked once however many callers ask for
 * it at the same time: a catalog unpacked is many times its packed size, and twenty readers of one
 * connection at once would otherwise each hold their own. A read is shared while it runs, and
 * forgotten once done (nothing is held between requests) or once a scan recorded by this store
 * makes it old (a reader after the scan reads again).
 */
function sharedSnapshotReads(tables: SchemaHistoryTables) {
  const reading = new Map<string, Promise<SnapshotWithCatalog | null>>();
  const keyOf = (connection: ConnectionRef) => `${connection.workspace}\n${connection.id}`;
  const read = async (connection: ConnectionRef): Promise<SnapshotWithCatalog | null> => {
    const found = await tables.latestWithCatalog<Catalog, (number | null)[]>(connection);
    return found && { ...found.snapshot, schemas: withRowCounts(found.catalog, found.rowCounts) };
  };
  return {
    latest(connection: ConnectionRef): Promise<SnapshotWithCatalog | null> {
      const key = keyOf(connection);
      const running = reading.get(key);
      if (running) return running;
      const shared = read(connection).finally(() => {
        if (reading.get(key) === shared) reading.delete(key);
      });
      reading.set(key, shared);
      return shared;
    },
    forget: (connection: ConnectionRef) => reading.delete(keyOf(connection)),
  };
}

export function schemaHistoryStore(prisma: Prisma) {
  const tables = schemaHistoryTables(prisma);
  const ownTransaction: ScanTransaction = (work) => prisma.$transaction(work, SCAN_TRANSACTION);
  const snapshotReads = sharedSnapshotReads(tables);

  return {
    /**
     * Records what a scan of the connection found: when its catalog is the latest snapshot's, only
     * that snapshot's checkedAt (and row estimates) move; otherwise a new snapshot and the changes
     * since the latest are stored in one transaction, and the oldest snapshots beyond `keep` go.
     * Two scans recording at once store one snapshot: the second finds the first's.
     */
    async recordScan(
      connection: ConnectionRef,
      schemas: SchemaInfo[],
      keep: number,
      at = new Date(),
      within: ScanTransaction = ownTransaction,
    ): Promise<ScanRecorded> {
      if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`keep must be a positive integer, not ${keep}`);
      const scan = { scanned: canonicalCatalog(schemas), at, keep };
      try {
        return await record(tables, connection, scan, within);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        return await record(tables, connection, scan, within);
      } finally {
        snapshotReads.forget(connection);
      }
    },

    /** The connection's latest snapshot, without its catalog; null before its first scan. */
    latest: (connection: ConnectionRef): Promise<SnapshotRecord | null> => tables.latest(connection),

    /**
     * The connection's latest snapshot with its catalog; null before its first scan. Callers asking
     * for the same connection's at the same time share one read of it (see sharedSnapshotReads).
     */
    latestWithCatalog: (connection: ConnectionRef): Promise<SnapshotWithCatalog | null> =>
      snapshotReads.latest(connection),

    /**
     * A page of the connection's changes, newest first: `first` of them, those found before change
     * `before` (the previous page's `next`), detected at or after `since` when given.
     */
    async changes(connection: ConnectionRef, page: ChangesPageOptions): Promise<ChangesPage> {
      const { changes, next } = await tables.changes(connection, page);
      return { changes: changes.map((row) => ({ ...row, kind: row.kind as SchemaChangeKind })), next };
    },
  };
}

export type SchemaHistoryStore = ReturnType<typeof schemaHistoryStore>;
