/**
 * The console's operations are typed from schema.graphql: its type check, run on a copy of the
 * console whose schema types come from a changed copy of schema.graphql (a field renamed, an enum
 * value removed), fails where the console reads them; on the schema as it is, the same check passes.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONSOLE_SCHEMA_TYPES, consoleSchemaTypes } from '../src/cli/schema-files.ts';

const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const copies: string[] = [];

/** The console's type check on a copy of it whose schema types are made from `sdl`: tsc's status and output. */
function checkConsoleAgainst(sdl: string) {
  const copy = mkdtempSync(join(tmpdir(), 'console-types-'));
  copies.push(copy);
  cpSync('console', join(copy, 'console'), { recursive: true });
  symlinkSync(resolve('node_modules'), join(copy, 'node_modules'), 'dir');
  writeFileSync(join(copy, CONSOLE_SCHEMA_TYPES), consoleSchemaTypes(sdl));
  const run = spawnSync(process.execPath, [TSC, '-p', join(copy, 'console/tsconfig.json')], { encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

afterAll(() => {
  for (const copy of copies) rmSync(copy, { recursive: true, force: true });
});

describe('the console’s operations, typed from schema.graphql', () => {
  const sdl = readFileSync('schema.graphql', 'utf8');

  it('pass the console’s type check on schema.graphql as it is', () => {
    const { status, output } = checkConsoleAgainst(sdl);
    expect(output).toBe('');
    expect(status).toBe(0);
  }, 120_000);

  it('fail it where a field is renamed and an enum value removed', () => {
    const changed = sdl
      .replace(/(type DatabaseConnection implements Node \{[^}]*?\n {2})alias: String!/, '$1name: String!')
      .replace(/(enum TableKind \{\n {2}TABLE\n) {2}VIEW\n/, '$1');
    expect(changed.length).toBe(sdl.length - 'alias'.length + 'name'.length - '  VIEW\n'.length);
    const { status, output } = checkConsoleAgainst(changed);
    expect(status).not.toBe(0);
    // Each operation that selects the renamed field is refused where it runs, read or not…
    for (const [file, operation] of [
      ['list.tsx', 'ConsoleConnections'],
      ['list.tsx', 'ConsoleEvents'],
      ['detail.tsx', 'ConsoleConnection'],
    ])
      expect(output).toMatch(
        new RegExp(
          `src/${file}\\(\\d+,\\d+\\): error TS2345: Argument of type '"(query|subscription) ${operation}[ (]`,
        ),
      );
    expect(output).toContain("'an operation selecting a field that schema.graphql lacks'");
    // …and a comparison with the removed enum value has no overlap left.
    expect(output).toMatch(/src\/schema-browser\.tsx\(\d+,\d+\): error TS2367: .*'"VIEW"'/);
  }, 120_000);
});
