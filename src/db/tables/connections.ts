/**
 * The connections table: the one module that reads or writes `database_connections` (a test holds
 * the rule). The connections commands call it; nothing else does. Writes are returned as Prisma
 * queries not yet run, so that a command can send one in a batch with its audit event and its
 * change notification; a command's write of one row also as a SQL statement, which PostgreSQL
 * runs with the audit event and the notification as one statement (src/db/recorded-statement.ts).
 */
import {
  type DatabaseConnection,
  Prisma as PrismaRuntime,
  type Prisma as PrismaTypes,
} from '../../generated/sqlite/client.ts';
import type { Prisma } from '../client.ts';
import { columnList, columnOf, fieldsAsNamed } from '../columns.ts';

export type ConnectionRow = DatabaseConnection;
export type NewRow = PrismaTypes.DatabaseConnectionCreateInput;
export type RowChange = PrismaTypes.DatabaseConnectionUpdateInput;
export type RowWhere = PrismaTypes.DatabaseConnectionWhereInput;

/**
 * Where a page of connections ends: a keyset position (created_at, id), so that a cursor stays
 * valid when rows around it are deleted, and a page costs the same wherever it is.
 */
export interface Position {
  createdAt: Date;
  id: string;
}

/** The key under which an alias is unique: two aliases that differ only in case (or Unicode form) collide. */
export function aliasKey(alias: string): string {
  return alias.normalize('NFKC').toLowerCase();
}

/**
 * The rows past a position, in the order of the (created_at, id) index. The first condition alone
 * bounds the index range, so both databases seek to the position instead of walking the index from
 * its start and filtering (a page costs the same at row 100 and at row 1,000,000); the second
 * only sorts out rows that share the position's timestamp.
 */
export function pastPosition({ createdAt, id }: Position, direction: 'gt' | 'lt'): RowWhere {
  return {
    AND: [
      { createdAt: { [direction === 'gt' ? 'gte' : 'lte']: createdAt } },
      { OR: [{ createdAt: { [direction]: createdAt } }, { id: { [direction]: id } }] },
    ],
  };
}

/** What a list may be narrowed to. */
export interface ConnectionFilter {
  /** Only the connections of this workspace. */
  workspace?: string;
  /** Only the connections of these workspaces (what a caller may see); null or absent: every workspace. */
  workspaces?: string[] | null;
  /** Compared ignoring case and surrounding spaces. */
  alias?: string;
  dialect?: string;
  /** A health status (src/connections/fields/health.ts names them). */
  health?: string;
}

/** A page of the list in the order of the (created_at, id) index, from a position, forwards or backwards. */
export interface PageRequest {
  filter: ConnectionFilter;
  after?: Position;
  before?: Position;
  take: number;
  backwards: boolean;
}

/** Where a command's conditional write finds its row: by id, and only while it is so. */
export interface RowAt {
  id: string;
  managed?: boolean;
  version?: number;
  /** Only in one of these workspaces. */
  workspace?: { in: string[] };
}

/**
 * One row's write both ways, neither run yet: a Prisma query, for a batch with other queries
 * (SQLite); a SQL statement RETURNING the row as written (each column under its field's name),
 * for a statement that writes more with it (PostgreSQL). It finds no row where `RowAt` matches none:
 * the query then fails (P2025), the statement answers no row.
 */
export interface RowWrite {
  query: () => PrismaTypes.PrismaPromise<ConnectionRow>;
  statement: () => PrismaTypes.Sql;
}

const FIELDS = Object.values(PrismaRuntime.DatabaseConnectionScalarFieldEnum);
const RETURNING = PrismaRuntime.sql`RETURNING ${fieldsAsNamed(FIELDS)}`;

/** A value of a statement's column: what a write's columns hold (text, numbers, booleans, dates, null). */
function columnValue(field: string, value: unknown) {
  if (value === null || value instanceof Date || typeof value !== 'object') return value;
  throw new Error(`The column of ${field} cannot be written as ${JSON.stringify(value)} by a statement.`);
}

function insertStatement(row: NewRow) {
  const fields = Object.keys(row).filter((field) => row[field as keyof NewRow] !== undefined);
  const values = fields.map((field) => columnValue(field, row[field as keyof NewRow]));
  return PrismaRuntime.sql`INSERT INTO database_connections (${columnList(fields)}) VALUES (${PrismaRuntime.join(values)}) ${RETURNING}`;
}

/** SET of each column the change names; a count moved on by `{ increment }` (the version). */
function updateStatement({ id, managed, version, workspace }: RowAt, data: RowChange) {
  const set = Object.entries(data).flatMap(([field, value]) => {
    if (value === undefined) return [];
    const column = PrismaRuntime.raw(columnOf(field));
    const increment = (value as { increment?: unknown } | null)?.increment;
    if (typeof increment === 'number') return [PrismaRuntime.sql`${column} = ${column} + ${increment}`];
    return [PrismaRuntime.sql`${column} = ${columnValue(field, value)}`];
  });
  const where = [
    PrismaRuntime.sql`id = ${id}`,
    ...(managed !== undefined ? [PrismaRuntime.sql`managed = ${managed}`] : []),
    ...(version !== undefined ? [PrismaRuntime.sql`version = ${version}`] : []),
    ...(workspace ? [PrismaRuntime.sql`workspace = ANY(${workspace.in})`] : []),
  ];
  return PrismaRuntime.sql`UPDATE database_connections SET ${PrismaRuntime.join(set)} WHERE ${PrismaRuntime.join(where, ' AND ')} ${RETURNING}`;
}

/** The client, or the transaction, the store works in. */
export type StoreClient = Pick<Prisma, 'databaseConnection' | '$queryRawUnsafe'>;

const whereOf = ({ workspace, workspaces, alias, dialect, health }: ConnectionFilter): RowWhere => ({
  ...(workspaces && { workspace: { in: workspaces } }),
  ...(workspace !== undefined && { AND: [{ workspace }] }),
  ...(alias !== undefined && { aliasKey: aliasKey(alias.trim()) }),
  ...(dialect !== undefined && { dialect }),
  ...(health !== undefined && { healthStatus: health }),
});

/** The queries of the service's upkeep: health checks due and their results, and the encryption keys rows are under. */
function upkeepQueries(client: StoreClient) {
  const table = client.databaseConnection;
  return {
    /** Connections whose health check is due and that no instance holds, the most overdue first. */
    dueForHealthCheck: (now: Date, take: number) =>
      table.findMany({
        where: {
          OR: [{ healthNextAt: null }, { healthNextAt: { lte: now } }],
          AND: [{ OR: [{ healthLeaseUntil: null }, { healthLeaseUntil: { lt: now } }] }],
        },
        select: { id: true, healthNextAt: true, healthLeaseUntil: true },
        orderBy: { healthNextAt: 'asc' },
        take,
      }),
    /** The last health of every connection that has one to report, in these workspaces (null: in all), for /metrics. */
    checkedHealth: (workspaces: string[] | null) =>
      table.findMany({
        where: { healthStatus: { in: ['ok', 'failing'] }, ...(workspaces && { workspace: { in: workspaces } }) },
        select: { workspace: true, alias: true, dialect: true, healthStatus: true, healthLatencyMs: true },
      }),

    /**
     * One row for each key the stored ciphertexts name (`v1.<16-hex key id>.…`), so that start-up
     * does not read every row of a large table to check that it has their keys.
     */
    async oneRowPerKey() {
      const sample = await client.$queryRawUnsafe<{ id: string }[]>(
        'SELECT MIN(id) AS id FROM database_connections GROUP BY substr(connection_uri_encrypted, 1, 19)',
      );
      return table.findMany({
        where: { id: { in: sample.map((row) => row.id) } },
        select: { id: true, connectionUriEncrypted: true },
      });
    },
    /** The next rows after `after` (by id) holding a ciphertext in `columns` that is not under the key with `prefix`. */
    notUnderKey: (prefix: string, columns: string[], after: string, take: number) =>
      table.findMany({
        where: {
          id: { gt: after },
          // A null column (no such settings) matches no NOT … LIKE: only ciphertexts under older keys do.
          OR: columns.map((column) => ({ [column]: { not: { startsWith: prefix } } })),
        },
        orderBy: { id: 'asc' },
        take,
      }),
  };
}

export function connectionStore(client: StoreClient) {
  const table = client.databaseConnection;
  return {
    byId: (id: string) => table.findUnique({ where: { id } }),
    byAlias: (workspace: string, alias: string) =>
      table.findUnique({ where: { workspace_aliasKey: { workspace, aliasKey: aliasKey(alias.trim()) } } }),
    /** The version of a row, its workspace and whether it is managed, to tell why a conditional write found nothing. */
    stateOf: (id: string) =>
      table.findUnique({ where: { id }, select: { version: true, managed: true, workspace: true } }),
    /** Moves every connection of a workspace to another (a workspace renamed). */
    moveWorkspace: (from: string, to: string) =>
      table.updateMany({ where: { workspace: from }, data: { workspace: to } }),
    page({ filter, after, before, take, backwards }: PageRequest) {
      const direction = backwards ? 'desc' : 'asc';
      return table.findMany({
        where: {
          AND: [
            whereOf(filter),
            ...(after ? [pastPosition(after, 'gt')] : []),
            ...(before ? [pastPosition(before, 'lt')] : []),
          ],
        },
        orderBy: [{ createdAt: direction }, { id: direction }],
        take,
        // A page never shows the health history (healthHistoryOf reads it, for one connection).
        omit: { healthHistory: true },
      }) as Promise<ConnectionRow[]>;
    },
    /** The JSON text of a connection's last scheduled checks; null when there is no such connection. */
    healthHistoryOf: async (id: string) =>
      (await table.findUnique({ where: { id }, select: { healthHistory: true } }))?.healthHistory ?? null,
    count: (filter: ConnectionFilter) => table.count({ where: whereOf(filter) }),
    /** Every row, oldest first (export, provisioning). */
    all: () => table.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),

    insert: (row: NewRow) => table.create({ data: row }),
    update: (where: PrismaTypes.DatabaseConnectionWhereUniqueInput, data: RowChange) => table.update({ where, data }),
    /** A command's insert of one row, both ways (RowWrite). */
    insertRow: (row: NewRow): RowWrite => ({
      query: () => table.create({ data: row }),
      statement: () => insertStatement(row),
    }),
    /** A command's conditional update of one row, both ways (RowWrite). */
    updateRow: (where: RowAt, data: RowChange): RowWrite => ({
      query: () => table.update({ where, data }),
      statement: () => updateStatement(where, data),
    }),
    /** Writes `data` to the row only while it still matches `where`; answers how many rows it wrote (0 or 1). */
    updateIf: (where: RowWhere, data: PrismaTypes.DatabaseConnectionUpdateManyMutationInput) =>
      table.updateMany({ where, data }),
    delete: (where: PrismaTypes.DatabaseConnectionWhereUniqueInput) => table.delete({ where }),

    ...upkeepQueries(client),
  };
}

export type ConnectionStore = ReturnType<typeof connectionStore>;
