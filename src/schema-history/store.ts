/**
 * The one door to the schema history's tables (schema_snapshots, schema_changes): recording a
 * scan, reading the latest snapshot, paging the changes. The rows reference their connection by
 * id and workspace, so they are deleted with it and follow it to another workspace (the foreign
 * keys' ON DELETE and ON UPDATE CASCADE); every read here is limited to the workspace it is given.
 *
 * A snapshot keeps the catalog's canonical JSON gzipped: catalogs repeat their type names and
 * field names on every column, and gzip takes them to a small fraction (docs/benchmark.md).
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { SchemaInfo } from '../connectivity/drivers/driver.ts';
import type { Prisma } from '../db/client.ts';
import { type Catalog, canonicalCatalog, catalogSize, withRowCounts } from './catalog.ts';
import { diffCatalogs } from './diff.ts';
import type { SchemaChangeFound, SchemaChangeKind } from './kinds.ts';

const packed = promisify(gzip);
const unpacked = promisify(gunzip);

const pack = (value: unknown) => packed(JSON.stringify(value));
const unpack = async <T>(bytes: Uint8Array): Promise<T> => JSON.parse((await unpacked(bytes)).toString('utf8'));

/** Whose history: a connection, in the workspace the caller may see it in. */
export interface ConnectionRef {
  id: string;
  workspace: string;
}

export interface SnapshotRecord {
  id: number;
  /** 1 for the connection's first snapshot, one more for each next. */
  sequence: number;
  /** SHA-256 (hex) of the catalog's canonical JSON: an ETag. */
  contentHash: string;
  tableCount: number;
  columnCount: number;
  /** When a scan first found this catalog. */
  createdAt: Date;
  /** When a scan last found it. */
  checkedAt: Date;
}

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

const SNAPSHOT_FIELDS = {
  id: true,
  sequence: true,
  contentHash: true,
  tableCount: true,
  columnCount: true,
  createdAt: true,
  checkedAt: true,
} as const;

/** A transaction of a large catalog's changes may take a while; the default (5 s) is for small ones. */
const SCAN_TRANSACTION = { maxWait: 10_000, timeout: 120_000 };

const isUniqueViolation = (error: unknown) => (error as { code?: unknown } | null)?.code === 'P2002';

export function schemaHistoryStore(prisma: Prisma) {
  const latestOf = (db: Pick<Prisma, 'schemaSnapshot'>, connection: ConnectionRef) =>
    db.schemaSnapshot.findFirst({
      where: { connectionId: connection.id, workspace: connection.workspace },
      orderBy: { sequence: 'desc' },
      select: SNAPSHOT_FIELDS,
    });

  /** One try at recording: throws a unique violation when another scan stored the same sequence first. */
  async function record(
    connection: ConnectionRef,
    scanned: ReturnType<typeof canonicalCatalog>,
    at: Date,
    keep: number,
  ): Promise<ScanRecorded> {
    const rowCounts = await pack(scanned.rowCounts);
    // Packed ahead, outside the transaction, unless the scan is (most likely) unchanged.
    const ahead = (await latestOf(prisma, connection))?.contentHash === scanned.hash;
    const packedCatalog = ahead ? undefined : await pack(scanned.catalog);
    return prisma.$transaction(async (tx) => {
      const latest = await latestOf(tx, connection);
      if (latest?.contentHash === scanned.hash) {
        const snapshot = await tx.schemaSnapshot.update({
          where: { id: latest.id },
          data: { checkedAt: at, rowCounts },
          select: SNAPSHOT_FIELDS,
        });
        return { snapshot, stored: false, changes: [] };
      }
      const previous = latest && (await tx.schemaSnapshot.findUniqueOrThrow({ where: { id: latest.id } }));
      const changes = previous ? diffCatalogs(await unpack<Catalog>(previous.catalog), scanned.catalog) : [];
      const sequence = (latest?.sequence ?? 0) + 1;
      const snapshot = await tx.schemaSnapshot.create({
        data: {
          connectionId: connection.id,
          workspace: connection.workspace,
          sequence,
          contentHash: scanned.hash,
          catalog: packedCatalog ?? (await pack(scanned.catalog)),
          rowCounts,
          ...catalogSize(scanned.catalog),
          createdAt: at,
          checkedAt: at,
        },
        select: SNAPSHOT_FIELDS,
      });
      await tx.schemaChange.createMany({
        data: changes.map((change) => ({
          ...change,
          connectionId: connection.id,
          workspace: connection.workspace,
          detectedAt: at,
          snapshotId: snapshot.id,
        })),
      });
      // The oldest beyond the bound go, their changes with them.
      await tx.schemaSnapshot.deleteMany({
        where: { connectionId: connection.id, sequence: { lte: sequence - keep } },
      });
      return { snapshot, stored: true, changes };
    }, SCAN_TRANSACTION);
  }

  return {
    /**
     * Records what a scan of the connection found: when its catalog is the latest snapshot's, only
     * that snapshot's checkedAt (and row estimates) move; otherwise a new snapshot and the changes
     * since the latest are stored in one transaction, and the oldest snapshots beyond `keep` go.
     * Two scans recording at once store one snapshot: the second finds the first's.
     */
    async recordScan(connection: ConnectionRef, schemas: SchemaInfo[], keep: number, at = new Date()) {
      if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`keep must be a positive integer, not ${keep}`);
      const scanned = canonicalCatalog(schemas);
      try {
        return await record(connection, scanned, at, keep);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        return record(connection, scanned, at, keep);
      }
    },

    /** The connection's latest snapshot, without its catalog; null before its first scan. */
    latest(connection: ConnectionRef): Promise<SnapshotRecord | null> {
      return latestOf(prisma, connection);
    },

    /** The connection's latest snapshot with its catalog; null before its first scan. */
    async latestWithCatalog(connection: ConnectionRef): Promise<SnapshotWithCatalog | null> {
      const row = await prisma.schemaSnapshot.findFirst({
        where: { connectionId: connection.id, workspace: connection.workspace },
        orderBy: { sequence: 'desc' },
        select: { ...SNAPSHOT_FIELDS, catalog: true, rowCounts: true },
      });
      if (!row) return null;
      const { catalog, rowCounts, ...snapshot } = row;
      const [structure, counts] = await Promise.all([unpack<Catalog>(catalog), unpack<(number | null)[]>(rowCounts)]);
      return { ...snapshot, schemas: withRowCounts(structure, counts) };
    },

    /**
     * A page of the connection's changes, newest first: `first` of them, those found before change
     * `before` (the previous page's `next`), detected at or after `since` when given.
     */
    async changes(
      connection: ConnectionRef,
      page: { first: number; before?: number | undefined; since?: Date | undefined },
    ): Promise<ChangesPage> {
      const rows = await prisma.schemaChange.findMany({
        where: {
          connectionId: connection.id,
          workspace: connection.workspace,
          ...(page.before !== undefined && { id: { lt: page.before } }),
          ...(page.since && { detectedAt: { gte: page.since } }),
        },
        orderBy: { id: 'desc' },
        take: page.first + 1,
        select: { id: true, kind: true, path: true, before: true, after: true, detectedAt: true, snapshotId: true },
      });
      const changes = rows.slice(0, page.first).map((row) => ({ ...row, kind: row.kind as SchemaChangeKind }));
      return { changes, next: rows.length > page.first ? (changes.at(-1)?.id ?? null) : null };
    },
  };
}

export type SchemaHistoryStore = ReturnType<typeof schemaHistoryStore>;
