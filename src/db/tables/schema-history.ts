/**
 * The schema history's tables: the one module that reads or writes `schema_snapshots` and
 * `schema_changes` (a test holds the rule). The rows reference their connection by id and
 * workspace, so they are deleted with it and follow it to another workspace (the foreign keys'
 * ON DELETE and ON UPDATE CASCADE); every read here is limited to the workspace it is given.
 *
 * A snapshot keeps its catalog as JSON gzipped: catalogs repeat their type names and field names
 * on every column, and gzip takes them to a small fraction (docs/benchmark.md).
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { Prisma } from '../client.ts';

const packed = promisify(gzip);
const unpacked = promisify(gunzip);

/** A JSON value as a snapshot stores it: gzipped. */
export const pack = (value: unknown) => packed(JSON.stringify(value));
export type Packed = Awaited<ReturnType<typeof pack>>;
const unpack = async <T>(bytes: Uint8Array): Promise<T> => JSON.parse((await unpacked(bytes)).toString('utf8'));

/** The client, or the transaction of a scan, the history is read or written in. */
export type HistoryClient = Pick<Prisma, 'schemaSnapshot' | 'schemaChange'>;

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

/** A new snapshot: its catalog and row estimates packed (see pack). */
export interface SnapshotInput extends Omit<SnapshotRecord, 'id'> {
  catalog: Packed;
  rowCounts: Packed;
}

/** A change as stored: its kind (of SCHEMA_CHANGE_KINDS), path, and values before and after. */
export interface ChangeRow {
  id: number;
  kind: string;
  path: string;
  before: string | null;
  after: string | null;
  detectedAt: Date;
  snapshotId: number;
}

export interface ChangesPageOptions {
  first: number;
  /** Only changes found before the change with this id (the previous page's `next`). */
  before?: number | undefined;
  /** Only changes detected at or after this moment. */
  since?: Date | undefined;
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

const CHANGE_FIELDS = {
  id: true,
  kind: true,
  path: true,
  before: true,
  after: true,
  detectedAt: true,
  snapshotId: true,
};

const ofConnection = (connection: ConnectionRef) => ({ connectionId: connection.id, workspace: connection.workspace });

/** Reads of the history, limited to the connection's workspace. */
function historyReads(client: HistoryClient) {
  const latest = (connection: ConnectionRef): Promise<SnapshotRecord | null> =>
    client.schemaSnapshot.findFirst({
      where: ofConnection(connection),
      orderBy: { sequence: 'desc' },
      select: SNAPSHOT_FIELDS,
    });
  return {
    latest,
    /** The latest snapshot with its catalog and row estimates unpacked; null before the first scan. */
    async latestWithCatalog<C, R>(
      connection: ConnectionRef,
    ): Promise<{ snapshot: SnapshotRecord; catalog: C; rowCounts: R } | null> {
      const row = await client.schemaSnapshot.findFirst({
        where: ofConnection(connection),
        orderBy: { sequence: 'desc' },
        select: { ...SNAPSHOT_FIELDS, catalog: true, rowCounts: true },
      });
      if (!row) return null;
      const { catalog, rowCounts, ...snapshot } = row;
      const [structure, counts] = await Promise.all([unpack<C>(catalog), unpack<R>(rowCounts)]);
      return { snapshot, catalog: structure, rowCounts: counts };
    },
    /** A snapshot's catalog, unpacked. */
    async catalogOf<C>(snapshotId: number): Promise<C> {
      const { catalog } = await client.schemaSnapshot.findUniqueOrThrow({
        where: { id: snapshotId },
        select: { catalog: true },
      });
      return unpack<C>(catalog);
    },
    /** A page of the connection's changes, newest first, and the cursor of the next page (null on the last). */
    async changes(connection: ConnectionRef, page: ChangesPageOptions) {
      const rows: ChangeRow[] = await client.schemaChange.findMany({
        where: {
          ...ofConnection(connection),
          ...(page.before !== undefined && { id: { lt: page.before } }),
          ...(page.since && { detectedAt: { gte: page.since } }),
        },
        orderBy: { id: 'desc' },
        take: page.first + 1,
        select: CHANGE_FIELDS,
      });
      const changes = rows.slice(0, page.first);
      return { changes, next: rows.length > page.first ? (changes.at(-1)?.id ?? null) : null };
    },
  };
}

/** Writes of the history, for the transaction of a scan. */
function historyWrites(client: HistoryClient) {
  return {
    /** The latest snapshot found again: only when it was checked, and the row estimates, move. */
    touch: (snapshotId: number, checkedAt: Date, rowCounts: Packed): Promise<SnapshotRecord> =>
      client.schemaSnapshot.update({
        where: { id: snapshotId },
        data: { checkedAt, rowCounts },
        select: SNAPSHOT_FIELDS,
      }),
    /** Throws a unique violation (P2002) when another scan stored this sequence first. */
    insert: (connection: ConnectionRef, snapshot: SnapshotInput): Promise<SnapshotRecord> =>
      client.schemaSnapshot.create({ data: { ...ofConnection(connection), ...snapshot }, select: SNAPSHOT_FIELDS }),
    insertChanges: (connection: ConnectionRef, rows: Omit<ChangeRow, 'id'>[]) =>
      client.schemaChange.createMany({ data: rows.map((row) => ({ ...row, ...ofConnection(connection) })) }),
    /** Drops the snapshots up to this sequence, their changes with them (ON DELETE CASCADE). */
    dropUpTo: (connection: ConnectionRef, sequence: number) =>
      client.schemaSnapshot.deleteMany({ where: { connectionId: connection.id, sequence: { lte: sequence } } }),
  };
}

export const schemaHistoryTables = (client: HistoryClient) => ({ ...historyReads(client), ...historyWrites(client) });

export type SchemaHistoryTables = ReturnType<typeof schemaHistoryTables>;
