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
import { TABLES, tableAccessOutsideStores } from './support/table-access.ts';

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

  it('are enforced: a file cycle, a folder cycle, upward imports and REST past the GraphQL entry each fail the check', () => {
    const folder = mkdtempSync(join(tmpdir(), 'dcapi-layers-'));
    const files: Record<string, string> = {
      'src/connections/a.ts': "import type { B } from './b.ts';\nexport type A = B;\n",
      'src/connections/b.ts': "import type { A } from './a.ts';\nexport type B = A | 1;\n",
      'src/dialects/c.ts': "import type { D } from '../secrets/d.ts';\nexport type C = D;\n",
      'src/secrets/d.ts': "import type { C } from '../dialects/c.ts';\nexport type D = C | 2;\n",
      'src/db/e.ts': "import { f } from '../rest/f.ts';\nexport const e = f;\n",
      'src/rest/f.ts': 'export const f = 1;\n',
      'src/connections/g.ts': "import { h } from '../commands/h.ts';\nexport const g = h;\n",
      'src/commands/h.ts': "import { i } from '../schema/i.ts';\nexport const h = i;\n",
      'src/schema/i.ts': 'export const i = 1;\n',
      'src/rest/j.ts':
        "import { k } from '../connections/k.ts';\nimport { l } from '../graphql/entry.ts';\nexport const j = k + l;\n",
      'src/connections/k.ts': 'export const k = 1;\n',
      'src/graphql/entry.ts': 'export const l = 1;\n',
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
      expect(output).toMatch(/domain-imports-application: src\/connections\/g\.ts → src\/commands\/h\.ts/);
      expect(output).toMatch(/application-imports-graphql: src\/commands\/h\.ts → src\/schema\/i\.ts/);
      expect(output).toMatch(/rest-beyond-graphql-entry: src\/rest\/j\.ts → src\/connections\/k\.ts/);
      // The GraphQL layer's entry is allowed.
      expect(output).not.toMatch(/src\/rest\/j\.ts → src\/graphql\/entry\.ts/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('each table', () => {
  it('is read and written by its store module alone: one door per table', () => {
    expect(tableAccessOutsideStores(ROOT)).toEqual([]);
  }, 120_000);

  it('is guarded: a module that touches it through Prisma, held in a variable or not, or in SQL, is found', () => {
    const folder = mkdtempSync(join(tmpdir(), 'dcapi-table-'));
    const client = JSON.stringify(join(ROOT, 'src/db/client.ts'));
    const imports = `import type { Prisma } from ${client};\n`;
    const files: Record<string, string> = {};
    const expected: RegExp[] = [];
    TABLES.forEach(({ name, delegate, module }, index) => {
      const member = delegate.replace(/Delegate$/, '').replace(/^./, (first) => first.toLowerCase());
      // Its own module may; a module of another table, one of the application layer, and a domain module may not.
      files[module] = `${files[module] ?? imports}export const ok${index} = (p: Prisma) => p.${member}.count();\n`;
      files[`src/commands/direct-${index}.ts`] =
        `${imports}export const f = (p: Prisma) => p.${member}.deleteMany({});\n`;
      files[`src/events/held-${index}.ts`] =
        `${imports}export function g(p: Prisma) {\n  const { ${member}: table } = p;\n  return table.findMany();\n}\n`;
      files[`src/auth/raw-${index}.ts`] =
        `${imports}export const h = (p: Prisma) => p.$executeRawUnsafe('DELETE FROM ${name}');\n`;
      // The module of the next table with a module of its own (the schema history's two tables share one).
      const other = [...TABLES.slice(index + 1), ...TABLES].find((table) => table.module !== module)?.module ?? '';
      files[other] = `${files[other] ?? imports}export const bad${index} = (p: Prisma) => p.${member}.count();\n`;
      expected.push(
        new RegExp(
          `^src/commands/direct-${index}\\.ts:2 ${name}: its Prisma delegate \\(p\\.${member}\\.deleteMany\\)$`,
        ),
        new RegExp(`^src/events/held-${index}\\.ts:4 ${name}: its Prisma delegate \\(table\\.findMany\\)$`),
        new RegExp(`^src/auth/raw-${index}\\.ts:2 ${name}: SQL on the table$`),
        new RegExp(`^${other.replace(/\./g, '\\.')}:\\d+ ${name}: its Prisma delegate \\(p\\.${member}\\.count\\)$`),
      );
    });
    try {
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(folder, path)), { recursive: true });
        writeFileSync(join(folder, path), text);
      }
      const found = tableAccessOutsideStores(folder);
      expect(found).toHaveLength(expected.length);
      for (const pattern of expected) expect(found).toContainEqual(expect.stringMatching(pattern));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 120_000);
});
