/**
 * Rooms one can hold in one's head: no function in src/ over MAX_FUNCTION_LINES lines, factories
 * included.
 * The functions still over it are listed below with their length, which may only shrink: a list
 * that names one no longer over it fails too, so that it is taken off.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { longFunctions, MAX_FUNCTION_LINES } from './support/function-lengths.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Still over the limit, by file and name: to split, not to grow. */
const STILL_TOO_LONG: Record<string, number> = {};

const byName = (where: string) => where.replace(/:\d+ /, ' ');

describe('functions', () => {
  it(`in src/ are ${MAX_FUNCTION_LINES} lines at most, but for those listed, which do not grow`, () => {
    const found = longFunctions(ROOT).map(({ where, lines }) => ({ name: byName(where), where, lines }));
    const grown = found.filter(({ name, lines }) => !(lines <= (STILL_TOO_LONG[name] ?? MAX_FUNCTION_LINES)));
    expect(grown).toEqual([]);
    const names = new Set(found.map(({ name }) => name));
    expect(Object.keys(STILL_TOO_LONG).filter((name) => !names.has(name))).toEqual([]);
  });

  it('are measured: one a line too long is found, nested or not, a factory counted whole', () => {
    const folder = mkdtempSync(join(tmpdir(), 'dcapi-rooms-'));
    const body = (lines: number) => Array.from({ length: lines - 2 }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const files: Record<string, string> = {
      'src/a.ts': `export function fits() {\n${body(MAX_FUNCTION_LINES)}\n}\n`,
      'src/b/c.ts': `export const tooLong = () => {\n${body(MAX_FUNCTION_LINES + 1)}\n};\n`,
      'src/d.ts': `export function factory() {\n  return {\n    method() {\n${body(MAX_FUNCTION_LINES)}\n    },\n  };\n}\n`,
      'src/schema/e.ts': `export function resolver() {\n${body(MAX_FUNCTION_LINES + 1)}\n}\n`,
      'src/generated/f.ts': `export function written() {\n${body(MAX_FUNCTION_LINES + 1)}\n}\n`,
    };
    try {
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(folder, path)), { recursive: true });
        writeFileSync(join(folder, path), text);
      }
      // src/generated/ is Prisma's, left out.
      expect(longFunctions(folder)).toEqual([
        { where: 'src/d.ts:1 factory', lines: MAX_FUNCTION_LINES + 4 },
        { where: 'src/b/c.ts:1 tooLong', lines: MAX_FUNCTION_LINES + 1 },
        { where: 'src/schema/e.ts:1 resolver', lines: MAX_FUNCTION_LINES + 1 },
      ]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
