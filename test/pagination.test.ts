/**
 * A page costs the same wherever it is: the query a deep page runs seeks the
 * (created_at, id) index to the cursor on both stores, rather than walking the
 * index from its start and filtering. Read from the databases' own query plans
 * of the very SQL Prisma sends.
 */
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { applyMigrations } from '../src/db/migrations.ts';
import { adapterDriverOptions, sqliteDatabase } from '../src/db/sqlite-driver.ts';
import { storeFromUrl } from '../src/db/store.ts';
import { connectionStore } from '../src/db/tables/connections.ts';
import { PrismaClient as PostgresPrismaClient } from '../src/generated/postgresql/client.ts';
import { PrismaClient } from '../src/generated/sqlite/client.ts';
import { createLogger } from '../src/logger.ts';
import { STORES } from './support/databases.ts';

const Sqlite = sqliteDatabase();

const ROWS = 20_000;
const DEEP = 15_000;

interface Plan {
  'Node Type': string;
  'Index Cond'?: string;
  'Rows Removed by Filter'?: number;
  Plans?: Plan[];
}
const planNodes = (plan: Plan): Plan[] => [plan, ...(plan.Plans ?? []).flatMap(planNodes)];

describe.each(STORES)('a deep page on $name', ({ name, create, skip }) => {
  it.skipIf(skip)(
    'seeks the index to the cursor: an index range, none of the rows before it filtered away',
    async () => {
      const database = await create();
      const store = storeFromUrl(database.url);
      await applyMigrations(store, createLogger('silent'));
      const log = [{ emit: 'event' as const, level: 'query' as const }];
      const prisma =
        store.provider === 'sqlite'
          ? new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: store.file, ...adapterDriverOptions }), log })
          : (new PostgresPrismaClient({
              adapter: new PrismaPg({ connectionString: store.url }),
              log,
            }) as never as PrismaClient);
      const queries: { query: string; params: string }[] = [];
      // The SQL Prisma sends, to ask each database for its plan.
      const events = prisma as unknown as {
        $on(name: 'query', listener: (event: (typeof queries)[number]) => void): void;
      };
      events.$on('query', (event) => queries.push(event));
      try {
        const start = Date.UTC(2026, 0, 1);
        const rows = Array.from({ length: ROWS }, (_, i) => ({
          id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          alias: `page-${i}`,
          aliasKey: `page-${i}`,
          connectionUriEncrypted: 'not read here',
          connectionUriMasked: 'postgresql://h/db',
          dialect: 'postgresql',
          schemas: '[]',
          metadata: '{}',
          createdAt: new Date(start + i * 1000),
          updatedAt: new Date(start + i * 1000),
          version: 1,
        }));
        for (let i = 0; i < ROWS; i += 2_000)
          await prisma.databaseConnection.createMany({ data: rows.slice(i, i + 2_000) });
        if (name === 'postgresql') await prisma.$executeRawUnsafe('ANALYZE database_connections');

        queries.length = 0;
        const page = await connectionStore(prisma).page({
          filter: {},
          after: rows[DEEP] as (typeof rows)[number],
          take: 50,
          backwards: false,
        });
        expect(page.map((row) => row.id)).toEqual(rows.slice(DEEP + 1, DEEP + 51).map((row) => row.id));
        const sent = queries.find(({ query }) => /SELECT/i.test(query));
        expect(sent).toBeDefined();
        const { query, params } = sent as { query: string; params: string };

        if (store.provider === 'sqlite') {
          const sqlite = new Sqlite(store.file, { readonly: true });
          const plan = sqlite
            .prepare(`EXPLAIN QUERY PLAN ${query}`)
            .all(...JSON.parse(params))
            .map((row) => (row as { detail: string }).detail)
            .join('\n');
          sqlite.close();
          expect(plan).toMatch(/SEARCH (main\.)?database_connections USING INDEX \S+ \(created_at>\?\)/);
          expect(plan).not.toMatch(/SCAN|TEMP B-TREE/);
        } else {
          const client = new pg.Client({ connectionString: store.url });
          await client.connect();
          const [{ 'QUERY PLAN': explained }] = (
            await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${query}`, JSON.parse(params))
          ).rows as { 'QUERY PLAN': { Plan: Plan }[] }[] as [{ 'QUERY PLAN': { Plan: Plan }[] }];
          await client.end();
          const nodes = planNodes((explained[0] as { Plan: Plan }).Plan);
          const scan = nodes.find((node) => node['Node Type'] === 'Index Scan');
          expect(nodes.map((node) => node['Node Type'])).not.toContain('Seq Scan');
          expect(scan?.['Index Cond']).toMatch(/created_at >=/);
          // At most the rows sharing the cursor's timestamp (here the cursor's own row): not the rows before it.
          expect(nodes.reduce((sum, node) => sum + (node['Rows Removed by Filter'] ?? 0), 0)).toBeLessThanOrEqual(1);
        }
      } finally {
        await prisma.$disconnect();
        await database.drop();
      }
    },
    60_000,
  );
});
