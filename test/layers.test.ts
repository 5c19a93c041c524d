/**
 * `npm run check` runs dependency-cruiser with .dependency-cruiser.cjs: no import
 * cycle between files or folders, no import up the layers. Here the rules are
 * run on the source (clean) and on a small tree that breaks each of them.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TABLE_MODULE, tableAccessOutsideStore } from './support/table-access.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

function cruise(cwd: string): { status: number; output: string } {
  try {
    const output = execFileSync(
      process.execPath,
      [DEPCRUISE, 'src', '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'err'],
      { cwd, encoding: 'utf8', stdio: 'pipe' },
    );
    return { status: 0, output };
  } catch (error) {
    const failed = error as { status: number; stdout: string };
    return { status: failed.status, output: failed.stdout };
  }
}

describe('the layers', () => {
  it('hold in the source: no cycle, no import up the layers', () => {
    const { status, output } = cruise(ROOT);
    expect(output).toContain('no dependency violations');
    expect(status).toBe(0);
  }, 60_000);

  it('are enforced: a file cycle, a folder cycle and an upward import each fail the check', () => {
    const folder = mkdtempSync(join(tmpdir(), 'dcapi-layers-'));
    const files: Record<string, string> = {
      'src/connections/a.ts': "import type { B } from './b.ts';\nexport type A = B;\n",
      'src/connections/b.ts': "import type { A } from './a.ts';\nexport type B = A | 1;\n",
      'src/dialects/c.ts': "import type { D } from '../secrets/d.ts';\nexport type C = D;\n",
      'src/secrets/d.ts': "import type { C } from '../dialects/c.ts';\nexport type D = C | 2;\n",
      'src/db/e.ts': "import { f } from '../rest/f.ts';\nexport const e = f;\n",
      'src/rest/f.ts': 'export const f = 1;\n',
    };
    try {
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(folder, path)), { recursive: true });
        writeFileSync(join(folder, path), text);
      }
      writeFileSync(
        join(folder, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: { allowImportingTsExtensions: true, noEmit: true } }),
      );
      const { status, output } = cruise(folder);
      expect(status).not.toBe(0);
      expect(output).toMatch(/no-circular: src\/connections\/a\.ts/);
      expect(output).toMatch(/no-circular-folders: src\/(dialects|secrets)/);
      expect(output).toMatch(/store-imports-rest: src\/db\/e\.ts → src\/rest\/f\.ts/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the connections table', () => {
  it(`is read and written by ${TABLE_MODULE} alone: the connections service is the one door`, () => {
    expect(tableAccessOutsideStore(ROOT)).toEqual([]);
  }, 120_000);

  it('is guarded: a module that writes it through Prisma, held in a variable or not, or in SQL, is found', () => {
    const folder = mkdtempSync(join(tmpdir(), 'dcapi-table-'));
    const client = JSON.stringify(join(ROOT, 'src/db/client.ts'));
    const files: Record<string, string> = {
      [TABLE_MODULE]: `import type { Prisma } from ${client};\nexport const ok = (p: Prisma) => p.databaseConnection.count();\n`,
      'src/health/direct.ts': `import type { Prisma } from ${client};\nexport const f = (p: Prisma) => p.databaseConnection.deleteMany({});\n`,
      'src/health/held.ts': `import type { Prisma } from ${client};\nexport function g(p: Prisma) {\n  const { databaseConnection: table } = p;\n  return table.update({ where: { id: 'x' }, data: {} });\n}\n`,
      'src/events/raw.ts': `import type { Prisma } from ${client};\nexport const h = (p: Prisma) => p.$executeRawUnsafe('DELETE FROM database_connections');\n`,
    };
    try {
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(folder, path)), { recursive: true });
        writeFileSync(join(folder, path), text);
      }
      const found = tableAccessOutsideStore(folder);
      expect(found).toEqual([
        expect.stringMatching(/^src\/events\/raw\.ts:2 SQL on the table$/),
        expect.stringMatching(/^src\/health\/direct\.ts:2 the table's Prisma delegate/),
        expect.stringMatching(/^src\/health\/held\.ts:4 the table's Prisma delegate \(table\.update\)/),
      ]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 120_000);
});
