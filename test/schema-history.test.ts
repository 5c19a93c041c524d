/**
 * The schema history: a catalog's canonical form and hash, the diff of two catalogs into changes,
 * and the store of snapshots and changes on both stores (an unchanged scan moves checked_at only,
 * the bound drops the oldest, the rows go with their connection and follow its workspace).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchemaInfo, TableInfo } from '../src/connectivity/drivers/driver.ts';
import { createPrismaClient, type Prisma } from '../src/db/client.ts';
import { applyMigrations } from '../src/db/migrations.ts';
import { storeFromUrl } from '../src/db/store.ts';
import { createLogger } from '../src/logger.ts';
import { canonicalCatalog, withRowCounts } from '../src/schema-history/catalog.ts';
import { diffCatalogs, pathOf } from '../src/schema-history/diff.ts';
import { SCHEMA_CHANGE_KIND_NAMES } from '../src/schema-history/kinds.ts';
import { type ConnectionRef, schemaHistoryStore } from '../src/schema-history/store.ts';
import { runSql, STORES, type TestDatabase } from './support/databases.ts';

const column = (name: string, type = 'integer', nullable = true, comment: string | null = null) => ({
  name,
  type,
  nullable,
  comment,
});

const table = (name: string, details: Partial<TableInfo> = {}): TableInfo => ({
  name,
  type: 'table',
  comment: null,
  estimatedRowCount: null,
  primaryKey: [],
  foreignKeys: [],
  columns: [column('id', 'integer', false)],
  ...details,
});

/** A shop: customers, and orders referencing them. */
const shop = (): SchemaInfo[] => [
  {
    name: 'sales',
    tables: [
      table('orders', {
        estimatedRowCount: 10,
        primaryKey: ['id'],
        foreignKeys: [
          {
            name: 'orders_customer_fk',
            columns: ['customer_id'],
            referencedSchema: 'crm',
            referencedTable: 'customers',
            referencedColumns: ['id'],
          },
        ],
        columns: [column('id', 'integer', false), column('customer_id'), column('note', 'text')],
      }),
      table('big_orders', { type: 'view', primaryKey: [], columns: [column('id')] }),
    ],
  },
  { name: 'crm', tables: [table('customers', { comment: 'People who order', estimatedRowCount: 3 })] },
];

/** The catalog's table at these indexes: a test's own data, always there. */
function tableAt(catalog: SchemaInfo[], schema: number, index: number): TableInfo {
  const found = catalog[schema]?.tables[index];
  if (!found) throw new Error(`the catalog has no table ${schema}/${index}`);
  return found;
}

const diffOf = (before: SchemaInfo[], after: SchemaInfo[]) =>
  diffCatalogs(canonicalCatalog(before).catalog, canonicalCatalog(after).catalog);

describe('a canonical catalog', () => {
  it('hashes equal whatever order schemas, tables and foreign keys come in, and whatever the row estimates', () => {
    const catalog = shop();
    const shuffled = shop().reverse();
    for (const schema of shuffled) {
      schema.tables.reverse();
      for (const entry of schema.tables) entry.estimatedRowCount = 999;
    }
    const orders = shuffled[1]?.tables[1] as TableInfo;
    orders.foreignKeys = [
      { name: 'b', columns: ['x'], referencedSchema: 's', referencedTable: 't', referencedColumns: ['y'] },
      ...(orders.foreignKeys ?? []),
    ];
    const withSecondKey = shop();
    tableAt(withSecondKey, 0, 0).foreignKeys?.push({
      name: 'b',
      columns: ['x'],
      referencedSchema: 's',
      referencedTable: 't',
      referencedColumns: ['y'],
    });
    expect(canonicalCatalog(shuffled).hash).toBe(canonicalCatalog(withSecondKey).hash);
    expect(canonicalCatalog(shuffled).hash).not.toBe(canonicalCatalog(catalog).hash);
    expect(canonicalCatalog(catalog).hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps columns in the database’s order: a column moved is another catalog', () => {
    const moved = shop();
    tableAt(moved, 0, 0).columns.reverse();
    expect(canonicalCatalog(moved).hash).not.toBe(canonicalCatalog(shop()).hash);
  });

  it('gives back the catalog with its row estimates, in canonical order', () => {
    const { catalog, rowCounts } = canonicalCatalog(shop());
    expect(rowCounts).toEqual([3, null, 10]);
    const back = withRowCounts(catalog, rowCounts);
    expect(back.map((schema) => schema.name)).toEqual(['crm', 'sales']);
    expect(back[1]?.tables.map((entry) => [entry.name, entry.estimatedRowCount])).toEqual([
      ['big_orders', null],
      ['orders', 10],
    ]);
    expect(back[1]?.tables[1]).toEqual(shop()[0]?.tables[0]);
  });
});

describe('a diff of two catalogs', () => {
  it('finds nothing between equal catalogs', () => {
    expect(diffOf(shop(), shop().reverse())).toEqual([]);
  });

  it('finds each kind of change, by path, then in the order of the kinds', () => {
    const after = shop();
    const [sales, crm] = after as [SchemaInfo, SchemaInfo];
    const orders = sales.tables[0] as TableInfo;
    orders.columns = [
      column('id', 'bigint', false),
      column('customer_id', 'integer', false, 'Who ordered'),
      column('placed_at', 'timestamp', false),
    ];
    orders.primaryKey = ['id', 'customer_id'];
    orders.foreignKeys = [];
    orders.comment = 'What was ordered';
    sales.tables[1] = table('big_orders', { type: 'table', primaryKey: [], columns: [column('id')] });
    crm.tables = [table('people')];
    expect(diffOf(shop(), after)).toEqual([
      { kind: 'table_removed', path: 'crm.customers', before: 'table', after: null },
      { kind: 'table_added', path: 'crm.people', before: null, after: 'table' },
      { kind: 'type_changed', path: 'sales.big_orders', before: 'view', after: 'table' },
      { kind: 'key_changed', path: 'sales.orders', before: 'PRIMARY KEY (id)', after: 'PRIMARY KEY (id, customer_id)' },
      {
        kind: 'key_changed',
        path: 'sales.orders',
        before: 'FOREIGN KEY orders_customer_fk (customer_id) REFERENCES crm.customers (id)',
        after: null,
      },
      { kind: 'comment_changed', path: 'sales.orders', before: null, after: 'What was ordered' },
      {
        kind: 'nullability_changed',
        path: 'sales.orders.customer_id',
        before: 'NULL',
        after: 'NOT NULL',
      },
      { kind: 'comment_changed', path: 'sales.orders.customer_id', before: null, after: 'Who ordered' },
      { kind: 'type_changed', path: 'sales.orders.id', before: 'integer', after: 'bigint' },
      { kind: 'column_removed', path: 'sales.orders.note', before: 'text', after: null },
      { kind: 'column_added', path: 'sales.orders.placed_at', before: null, after: 'timestamp NOT NULL' },
    ]);
    const found = new Set(diffOf(shop(), after).map((change) => change.kind));
    expect(SCHEMA_CHANGE_KIND_NAMES.filter((kind) => !found.has(kind))).toEqual([]);
  });

  it('tells a renamed column as a removal and an addition', () => {
    const after = shop();
    const customers = after[1]?.tables[0] as TableInfo;
    customers.columns = [column('customer_id', 'integer', false)];
    expect(diffOf(shop(), after)).toEqual([
      { kind: 'column_added', path: 'crm.customers.customer_id', before: null, after: 'integer NOT NULL' },
      { kind: 'column_removed', path: 'crm.customers.id', before: 'integer NOT NULL', after: null },
    ]);
  });

  it('matches foreign keys by name (by what they say when unnamed), and compares no keys a dialect does not tell', () => {
    const key = { columns: ['a'], referencedSchema: 'main', referencedTable: 't', referencedColumns: ['id'] };
    const before = [{ name: 'main', tables: [table('x', { foreignKeys: [{ name: 'fk', ...key }] })] }];
    const after = [{ name: 'main', tables: [table('x', { foreignKeys: [{ name: 'fk', ...key, columns: ['b'] }] })] }];
    expect(diffOf(before, after)).toEqual([
      {
        kind: 'key_changed',
        path: 'main.x',
        before: 'FOREIGN KEY fk (a) REFERENCES main.t (id)',
        after: 'FOREIGN KEY fk (b) REFERENCES main.t (id)',
      },
    ]);
    const unnamed = (columns: string[]) => [
      { name: 'main', tables: [table('x', { foreignKeys: [{ name: null, ...key, columns }] })] },
    ];
    expect(diffOf(unnamed(['a']), unnamed(['b'])).map((change) => [change.before, change.after])).toEqual([
      ['FOREIGN KEY (a) REFERENCES main.t (id)', null],
      [null, 'FOREIGN KEY (b) REFERENCES main.t (id)'],
    ]);
    const untold = [{ name: 'main', tables: [table('x', { primaryKey: null, foreignKeys: null })] }];
    expect(diffOf(before, untold)).toEqual([]);
  });

  it('writes paths that a dot or a quote in a name cannot make ambiguous', () => {
    expect(pathOf('sales', 'orders', 'id')).toBe('sales.orders.id');
    expect(pathOf('my.schema', 'Order "Lines"', 'naïve_1')).toBe('"my.schema"."Order ""Lines""".naïve_1');
  });
});

/** A connection row as the connections store writes it, in the test's database. */
async function createConnection(prisma: Prisma, workspace = 'default'): Promise<ConnectionRef> {
  const id = randomUUID();
  const now = new Date();
  await prisma.databaseConnection.create({
    data: {
      id,
      workspace,
      alias: id,
      aliasKey: id,
      connectionUriEncrypted: 'x',
      connectionUriMasked: 'postgresql://h/db',
      dialect: 'postgresql',
      schemas: '[]',
      metadata: '{}',
      createdAt: now,
      updatedAt: now,
    },
  });
  return { id, workspace };
}

const at = (second: number) => new Date(Date.UTC(2026, 11, 8, 12, 0, second));

describe.each(STORES)('the schema history store on $name', ({ create, skip }) => {
  let database: TestDatabase;
  let prisma: Prisma;
  let store: ReturnType<typeof schemaHistoryStore>;
  const count = async (table: string, connection: ConnectionRef) =>
    Number(
      (
        (await runSql(database, `SELECT COUNT(*) AS n FROM ${table} WHERE connection_id = '${connection.id}'`)) as {
          n: number | string;
        }[]
      )[0]?.n,
    );

  beforeAll(async () => {
    if (skip) return;
    database = await create();
    await applyMigrations(storeFromUrl(database.url), createLogger('silent'));
    prisma = await createPrismaClient(storeFromUrl(database.url));
    store = schemaHistoryStore(prisma);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.drop();
  });

  it.skipIf(skip)(
    'stores the first scan as the baseline; an unchanged scan moves checked_at and estimates only',
    async () => {
      const connection = await createConnection(prisma);
      expect(await store.latest(connection)).toBeNull();
      const first = await store.recordScan(connection, shop(), 5, at(0));
      expect(first).toMatchObject({ stored: true, changes: [] });
      expect(first.snapshot).toMatchObject({ sequence: 1, tableCount: 3, columnCount: 5, createdAt: at(0) });
      const rowsMoved = shop().reverse();
      tableAt(rowsMoved, 1, 0).estimatedRowCount = 11;
      const again = await store.recordScan(connection, rowsMoved, 5, at(1));
      expect(again).toEqual({
        stored: false,
        changes: [],
        snapshot: { ...first.snapshot, checkedAt: at(1) },
      });
      expect(await count('schema_snapshots', connection)).toBe(1);
      const latest = await store.latestWithCatalog(connection);
      expect(latest).toMatchObject({ contentHash: canonicalCatalog(shop()).hash, checkedAt: at(1), createdAt: at(0) });
      expect(latest?.schemas).toEqual(withRowCounts(canonicalCatalog(rowsMoved).catalog, [3, null, 11]));
    },
  );

  it.skipIf(skip)('stores a changed catalog with its changes; pages them newest first, since a time', async () => {
    const connection = await createConnection(prisma);
    await store.recordScan(connection, shop(), 5, at(0));
    const dropped = shop().slice(0, 1);
    const second = await store.recordScan(connection, dropped, 5, at(1));
    expect(second).toMatchObject({ stored: true, snapshot: { sequence: 2 } });
    expect(second.changes).toEqual([{ kind: 'table_removed', path: 'crm.customers', before: 'table', after: null }]);
    const grown = shop();
    tableAt(grown, 0, 1).columns.push(column('total', 'numeric'), column('placed', 'date'));
    await store.recordScan(connection, grown, 5, at(2));
    // The newest scan first, each scan's changes in path order (as a scan's SCHEMA_CHANGED event lists them).
    const first = await store.changes(connection, { first: 2 });
    expect(first.changes.map((change) => [change.kind, change.path, change.detectedAt])).toEqual([
      ['table_added', 'crm.customers', at(2)],
      ['column_added', 'sales.big_orders.placed', at(2)],
    ]);
    expect(first.next).toBe(first.changes[1]?.id);
    const rest = await store.changes(connection, { first: 2, before: first.next ?? undefined });
    expect(rest.changes.map((change) => [change.kind, change.path])).toEqual([
      ['column_added', 'sales.big_orders.total'],
      ['table_removed', 'crm.customers'],
    ]);
    expect(rest.changes[1]?.snapshotId).toBe(second.snapshot.id);
    expect(rest.next).toBeNull();
    const since = await store.changes(connection, { first: 10, since: at(2) });
    expect(since.changes).toHaveLength(3);
  });

  it.skipIf(skip)(
    'keeps the newest snapshots within the bound, the changes found at the others going with them',
    async () => {
      const connection = await createConnection(prisma);
      const catalogs = [1, 2, 3, 4].map((n) => [{ name: 'main', tables: [table(`t${n}`)] }]);
      for (const [index, catalog] of catalogs.entries()) await store.recordScan(connection, catalog, 2, at(index));
      const sequences = await prisma.schemaSnapshot.findMany({
        where: { connectionId: connection.id },
        select: { sequence: true },
        orderBy: { sequence: 'asc' },
      });
      expect(sequences).toEqual([{ sequence: 3 }, { sequence: 4 }]);
      const { changes } = await store.changes(connection, { first: 10 });
      // The newest scan first, each scan's in path order: t3 removed and t4 added, then t2 removed and t3 added.
      expect(changes.map((change) => change.path)).toEqual(['main.t3', 'main.t4', 'main.t2', 'main.t3']);
      expect(changes.map((change) => change.detectedAt)).toEqual([at(3), at(3), at(2), at(2)]);
    },
  );

  it.skipIf(skip)(
    'unpacks a snapshot once for the readers asking at the same time, and again for a later one',
    async () => {
      const connection = await createConnection(prisma);
      await store.recordScan(connection, shop(), 5, at(0));
      const [one, two, three] = await Promise.all([1, 2, 3].map(() => store.latestWithCatalog(connection)));
      expect(one?.schemas).toEqual(withRowCounts(canonicalCatalog(shop()).catalog, [3, null, 10]));
      // One catalog in memory for the three, not three.
      expect(two).toBe(one);
      expect(three).toBe(one);
      // Nothing held once read: a later reader reads it again (and so sees what a scan since moved).
      const later = await store.latestWithCatalog(connection);
      expect(later).not.toBe(one);
      expect(later).toEqual(one);
      // A scan recorded while a read runs: a reader after it does not share that read.
      const running = store.latestWithCatalog(connection);
      const rowsMoved = shop();
      tableAt(rowsMoved, 1, 0).estimatedRowCount = 4;
      await store.recordScan(connection, rowsMoved, 5, at(1));
      const moved = await store.latestWithCatalog(connection);
      expect(await running).not.toBe(moved);
      expect(moved).toMatchObject({ checkedAt: at(1) });
      expect(moved?.schemas[0]?.tables[0]?.estimatedRowCount).toBe(4);
    },
  );

  it.skipIf(skip)('refuses a bound below one, storing nothing', async () => {
    const connection = await createConnection(prisma);
    await expect(store.recordScan(connection, shop(), 0)).rejects.toThrow(/keep must be a positive integer/);
    expect(await count('schema_snapshots', connection)).toBe(0);
  });

  it.skipIf(skip)('stores one snapshot when two scans of one catalog record at once', async () => {
    const connection = await createConnection(prisma);
    await store.recordScan(connection, shop(), 5, at(0));
    const changed = shop().slice(1);
    const both = await Promise.all([
      store.recordScan(connection, changed, 5, at(1)),
      store.recordScan(connection, changed, 5, at(1)),
    ]);
    expect(both.map((result) => result.stored).sort()).toEqual([false, true]);
    expect(await count('schema_snapshots', connection)).toBe(2);
    expect(await count('schema_changes', connection)).toBe(2);
  });

  it.skipIf(skip)('answers a connection’s history in its workspace only, and moves it with its workspace', async () => {
    await prisma.workspace.create({ data: { name: 'sales', createdAt: new Date() } });
    const connection = await createConnection(prisma, 'sales');
    await store.recordScan(connection, shop(), 5, at(0));
    await store.recordScan(connection, shop().slice(1), 5, at(1));
    const elsewhere = { id: connection.id, workspace: 'default' };
    expect(await store.latest(elsewhere)).toBeNull();
    expect(await store.latestWithCatalog(elsewhere)).toBeNull();
    expect((await store.changes(elsewhere, { first: 10 })).changes).toEqual([]);
    await prisma.databaseConnection.update({ where: { id: connection.id }, data: { workspace: 'default' } });
    expect(await store.latest(elsewhere)).toMatchObject({ sequence: 2 });
    expect((await store.changes(elsewhere, { first: 10 })).changes).toHaveLength(2);
    expect(await store.latest(connection)).toBeNull();
  });

  it.skipIf(skip)('deletes a connection’s history with it, and no other’s', async () => {
    const [gone, kept] = [await createConnection(prisma), await createConnection(prisma)];
    for (const connection of [gone, kept]) {
      await store.recordScan(connection, shop(), 5, at(0));
      await store.recordScan(connection, shop().slice(1), 5, at(1));
    }
    await prisma.databaseConnection.delete({ where: { id: gone.id } });
    expect([await count('schema_snapshots', gone), await count('schema_changes', gone)]).toEqual([0, 0]);
    expect([await count('schema_snapshots', kept), await count('schema_changes', kept)]).toEqual([2, 2]);
  });
});
