/**
 * The tables the migrations build are the tables prisma/model.prisma describes, on each store:
 * the same columns with the same types and nullability, the same indexes. A migration written by
 * hand that drifts from the model (a column left out, a NOT NULL forgotten, an index missing)
 * fails here.
 */
import { describe, expect, it } from 'vitest';
import { applyMigrations } from '../src/db/migrations.ts';
import { storeFromUrl } from '../src/db/store.ts';
import { createLogger } from '../src/logger.ts';
import { runSql, STORES, type TestDatabase } from './support/databases.ts';
import { type ModelIndex, type ModelTable, modelTables } from './support/model.ts';

/** How each provider spells Prisma's scalar types in its catalogue (Prisma's own mapping). */
const COLUMN_TYPES: Record<string, Record<string, string>> = {
  sqlite: { String: 'TEXT', Int: 'INTEGER', Boolean: 'BOOLEAN', DateTime: 'DATETIME', Bytes: 'BLOB' },
  postgresql: {
    String: 'text',
    Int: 'integer',
    Boolean: 'boolean',
    DateTime: 'timestamp without time zone',
    Bytes: 'bytea',
  },
};

interface Column {
  name: string;
  type: string;
  nullable: boolean;
}

const sortIndexes = (indexes: ModelIndex[]) =>
  [...indexes].sort((a, b) => `${a.kind}${a.columns}`.localeCompare(`${b.kind}${b.columns}`));

async function sqliteTable(database: TestDatabase, table: string) {
  const columns = (await runSql(database, `SELECT name, type, "notnull", pk FROM pragma_table_info('${table}')`)) as {
    name: string;
    type: string;
    notnull: number;
    pk: number;
  }[];
  const indexes: ModelIndex[] = [];
  const list = (await runSql(database, `SELECT name, "unique", origin FROM pragma_index_list('${table}')`)) as {
    name: string;
    unique: number;
    origin: string;
  }[];
  for (const index of list) {
    const info = (await runSql(database, `SELECT name FROM pragma_index_info('${index.name}') ORDER BY seqno`)) as {
      name: string;
    }[];
    const kind = index.origin === 'pk' ? 'primary' : index.unique ? 'unique' : 'index';
    indexes.push({ columns: info.map((column) => column.name), kind });
  }
  // A single INTEGER PRIMARY KEY is the rowid: SQLite lists no index for it.
  const rowid = columns.filter((column) => column.pk > 0);
  if (!list.some((index) => index.origin === 'pk') && rowid.length > 0) {
    indexes.push({ columns: rowid.sort((a, b) => a.pk - b.pk).map((column) => column.name), kind: 'primary' });
  }
  return {
    columns: columns.map((c): Column => ({ name: c.name, type: c.type, nullable: c.notnull === 0 && c.pk === 0 })),
    indexes,
  };
}

async function postgresTable(database: TestDatabase, table: string) {
  const columns = (await runSql(
    database,
    `SELECT column_name AS name, data_type AS type, is_nullable = 'YES' AS nullable
     FROM information_schema.columns WHERE table_name = '${table}' ORDER BY ordinal_position`,
  )) as Column[];
  const indexes = (await runSql(
    database,
    `SELECT ix.indisprimary AS primary, ix.indisunique AS unique,
            array_agg(a.attname::text ORDER BY k.ordinality) AS columns
     FROM pg_index ix
     JOIN pg_class t ON t.oid = ix.indrelid
     CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ordinality)
     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
     WHERE t.relname = '${table}'
     GROUP BY ix.indexrelid, ix.indisprimary, ix.indisunique`,
  )) as { primary: boolean; unique: boolean; columns: string[] }[];
  return {
    columns,
    indexes: indexes.map(
      (index): ModelIndex => ({
        columns: index.columns,
        kind: index.primary ? 'primary' : index.unique ? 'unique' : 'index',
      }),
    ),
  };
}

const MODEL = modelTables();

describe('the model', () => {
  it('is read: every table with its columns and indexes', () => {
    expect(MODEL.map((table) => table.name).sort()).toEqual([
      'api_keys',
      'audit_events',
      'database_connections',
      'idempotency_keys',
      'schema_changes',
      'schema_snapshots',
      'workspaces',
    ]);
    const connections = MODEL.find((table) => table.name === 'database_connections') as ModelTable;
    expect(connections.columns).toContainEqual({ name: 'ssh_settings_encrypted', type: 'String', nullable: true });
    expect(connections.indexes).toContainEqual({ columns: ['created_at', 'id'], kind: 'index' });
    expect(connections.indexes).toContainEqual({ columns: ['workspace', 'alias_key'], kind: 'unique' });
  });
});

describe.each(STORES)('the tables the migrations build on $name', ({ name, create, skip }) => {
  it.skipIf(skip)('are those of prisma/model.prisma: columns, types, nullability and indexes', async () => {
    const database = await create();
    try {
      await applyMigrations(storeFromUrl(database.url), createLogger('silent'));
      for (const table of MODEL) {
        const built =
          name === 'sqlite' ? await sqliteTable(database, table.name) : await postgresTable(database, table.name);
        const expected = table.columns.map((column) => ({
          name: column.name,
          type: COLUMN_TYPES[name]?.[column.type],
          nullable: column.nullable,
        }));
        const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
        expect([...built.columns].sort(byName), `${table.name} columns`).toEqual(expected.sort(byName));
        expect(sortIndexes(built.indexes), `${table.name} indexes`).toEqual(sortIndexes(table.indexes));
      }
    } finally {
      await database.drop();
    }
  });
});
