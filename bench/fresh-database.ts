/** A database of its own for a bench script: a SQLite file in a temporary folder, or a PostgreSQL database; `drop` removes it. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export async function freshDatabase(store: string, name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  if (store === 'sqlite') {
    const folder = mkdtempSync(join(os.tmpdir(), `dcapi-${name}-`));
    return { url: `file:${folder}/${name}.db`, drop: async () => rmSync(folder, { recursive: true, force: true }) };
  }
  const admin = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const database = `dcapi_${name}_${randomBytes(4).toString('hex')}`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(sql);
    await client.end();
  };
  await run(`CREATE DATABASE ${database}`);
  const url = new URL(admin);
  url.pathname = `/${database}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`) };
}
