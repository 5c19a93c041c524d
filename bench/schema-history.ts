/**
 * `npm run bench:schema-history [-- --store sqlite|postgresql] [--tables 10000] [--columns 20]`
 *
 * The schema history at scale: a catalog of `tables` tables of `columns` columns (keys, foreign
 * keys, comments on some) is made canonical and hashed, stored as a connection's first snapshot,
 * scanned again unchanged, changed in a few places (columns added, tables dropped, types changed,
 * a foreign key, comments), diffed, stored again with its changes, and read back. Prints the time
 * of each step, the process's RSS growth over the idle process (the highest sampled, every 20 ms),
 * and the bytes a snapshot takes per 1,000 columns. Exits with 1 when RSS grows past the bound.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { SchemaInfo, TableInfo } from '../src/connectivity/drivers/driver.ts';
import { createPrismaClient } from '../src/db/client.ts';
import { applyMigrations } from '../src/db/migrations.ts';
import { storeFromUrl } from '../src/db/store.ts';
import { createLogger } from '../src/logger.ts';
import { canonicalCatalog } from '../src/schema-history/catalog.ts';
import { diffCatalogs } from '../src/schema-history/diff.ts';
import { schemaHistoryStore } from '../src/schema-history/store.ts';
import { freshDatabase } from './fresh-database.ts';

/** RSS may grow at most this much above the idle process's while the steps run. */
const RSS_BOUND_MB = 600;

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    tables: { type: 'string', default: '10000' },
    columns: { type: 'string', default: '20' },
  },
});
const TABLES = Number(values.tables);
const COLUMNS = Number(values.columns);
const TYPES = ['integer', 'bigint', 'text', 'character varying(200)', 'numeric(12,2)', 'timestamp with time zone'];

function bigCatalog(): SchemaInfo[] {
  const tables = Array.from({ length: TABLES }, (_, t): TableInfo => {
    const name = `table_${String(t).padStart(5, '0')}`;
    return {
      name,
      type: t % 50 === 49 ? 'view' : 'table',
      comment: t % 10 === 0 ? `What ${name} holds, in a sentence a model can read` : null,
      estimatedRowCount: t * 17,
      primaryKey: ['column_00'],
      foreignKeys:
        t === 0
          ? []
          : [
              {
                name: `${name}_parent_fk`,
                columns: ['column_01'],
                referencedSchema: 'public',
                referencedTable: `table_${String(t - 1).padStart(5, '0')}`,
                referencedColumns: ['column_00'],
              },
            ],
      columns: Array.from({ length: COLUMNS }, (_, c) => ({
        name: `column_${String(c).padStart(2, '0')}`,
        type: TYPES[(t + c) % TYPES.length] as string,
        nullable: c > 1,
        comment: c === 2 ? 'A column with a comment' : null,
      })),
    };
  });
  return [{ name: 'public', tables }];
}

/** A few changes: 5 columns added, 2 tables dropped, 3 types changed, a foreign key, 2 comments. */
function changed(catalog: SchemaInfo[]): SchemaInfo[] {
  const copy: SchemaInfo[] = structuredClone(catalog);
  const tables = copy[0]?.tables ?? [];
  for (let i = 0; i < 5; i++)
    tables[i * 100]?.columns.push({ name: 'added', type: 'text', nullable: true, comment: null });
  for (let i = 0; i < 3; i++) {
    const column = tables[i * 1000 + 7]?.columns[5];
    if (column) column.type = 'bigint';
  }
  tables[0]?.foreignKeys?.push({
    name: 'table_00000_self_fk',
    columns: ['column_03'],
    referencedSchema: 'public',
    referencedTable: 'table_00000',
    referencedColumns: ['column_00'],
  });
  for (const index of [1, 2]) if (tables[index]) (tables[index] as TableInfo).comment = 'Changed';
  tables.splice(TABLES - 3, 2);
  return copy;
}

let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss());
}, 20);
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

async function step<T>(name: string, work: () => Promise<T> | T): Promise<T> {
  const started = performance.now();
  const result = await work();
  peak = Math.max(peak, process.memoryUsage.rss());
  console.log(`${name.padEnd(56)} ${(performance.now() - started).toFixed(0).padStart(6)} ms   RSS ${mb(peak)} MB`);
  return result;
}

const database = await freshDatabase(values.store, 'schema_history');
const store = storeFromUrl(database.url);
await applyMigrations(store, createLogger('silent'));
const prisma = await createPrismaClient(store);
const history = schemaHistoryStore(prisma);
const id = randomUUID();
const now = new Date();
await prisma.databaseConnection.create({
  data: {
    ...{ id, alias: id, aliasKey: id, connectionUriEncrypted: 'x', connectionUriMasked: 'x', dialect: 'postgresql' },
    ...{ schemas: '[]', metadata: '{}', createdAt: now, updatedAt: now },
  },
});
const connection = { id, workspace: 'default' };
global.gc?.();
const idle = process.memoryUsage.rss();
peak = idle;
console.log(
  `${TABLES} tables × ${COLUMNS} columns on ${values.store}, Node.js ${process.versions.node}; idle RSS ${mb(idle)} MB`,
);
try {
  const catalog = await step('build the catalog', bigCatalog);
  const canonical = await step('canonical form and hash', () => canonicalCatalog(catalog));
  await step('store the first snapshot', () => history.recordScan(connection, catalog, 50));
  await step('scan again, unchanged (checked_at only)', () => history.recordScan(connection, catalog, 50));
  const next = await step('change a few things', () => changed(catalog));
  const found = await step('canonical form and diff of the two', () =>
    diffCatalogs(canonical.catalog, canonicalCatalog(next).catalog),
  );
  const recorded = await step('store the changed catalog and its changes', () =>
    history.recordScan(connection, next, 50),
  );
  if (recorded.changes.length !== found.length || !recorded.stored) throw new Error('the scan stored other changes');
  await step('read the latest snapshot back, with its catalog', () => history.latestWithCatalog(connection));
  const rows = await prisma.schemaSnapshot.findMany({
    where: { connectionId: id },
    select: { catalog: true, rowCounts: true },
  });
  const stored = rows.reduce((sum, row) => sum + row.catalog.length + row.rowCounts.length, 0) / rows.length;
  const perThousand = (bytes: number) => Math.round((bytes / (TABLES * COLUMNS)) * 1000);
  console.log(`changes found: ${found.length}`);
  console.log(
    `a snapshot: ${perThousand(stored)} bytes per 1,000 columns stored (gzipped; canonical JSON: ${perThousand(canonical.json.length)})`,
  );
  const growth = mb(peak - idle);
  console.log(
    `RSS growth: ${growth} MB at its highest (bound: ${RSS_BOUND_MB} MB): ${growth <= RSS_BOUND_MB ? 'met' : 'NOT met'}`,
  );
  process.exitCode = growth <= RSS_BOUND_MB ? 0 : 1;
} finally {
  clearInterval(sampler);
  await prisma.$disconnect();
  await database.drop();
}
