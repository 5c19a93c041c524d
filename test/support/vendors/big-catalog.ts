/** What discovery of bigWarehouse(5_000, 20) must answer, whatever the vendor: every table, with every column. */
import { expect } from 'vitest';

/**
 * Checks a discovery's answer holds schema `big` whole: 5,000 distinct tables of 20 columns each,
 * the last one t05000 with c20. `named` gives a name as the vendor keeps it (Snowflake: in upper case).
 */
export function expectWholeBigCatalog(discovered: { status: number; body: any }, named = (name: string) => name) {
  expect(discovered.status).toBe(200);
  const [schema] = discovered.body.schemas;
  expect(schema.name).toBe(named('big'));
  expect(schema.tables.length).toBe(5_000);
  expect(new Set(schema.tables.map((table: { name: string }) => table.name)).size).toBe(5_000);
  expect(schema.tables.every((table: { columns: unknown[] }) => table.columns.length === 20)).toBe(true);
  expect(schema.tables.at(-1)).toMatchObject({
    name: named('t05000'),
    columns: expect.arrayContaining([{ name: named('c20'), type: 'varchar', nullable: true }]),
  });
}
