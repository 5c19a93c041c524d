/**
 * The console's operations are typed from schema.graphql: its type check, run on a copy of the
 * console whose schema types and plain fields come from a changed copy of schema.graphql (a field
 * renamed, an enum value removed), fails where the console reads them; on the schema as it is, the
 * same check passes. A plain field added to the schema passes it with no change to the console; a
 * field of another kind fails it, named, until the console shows it its own way.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CONSOLE_PLAIN_FIELDS,
  CONSOLE_SCHEMA_TYPES,
  consolePlainFields,
  consoleSchemaTypes,
} from '../src/cli/schema-files.ts';

const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const copies: string[] = [];

/** The console's type check on a copy of it whose generated files are made from `sdl`: tsc's status and output. */
function checkConsoleAgainst(sdl: string) {
  const copy = mkdtempSync(join(tmpdir(), 'console-types-'));
  copies.push(copy);
  cpSync('console', join(copy, 'console'), { recursive: true });
  symlinkSync(resolve('node_modules'), join(copy, 'node_modules'), 'dir');
  writeFileSync(join(copy, CONSOLE_SCHEMA_TYPES), consoleSchemaTypes(sdl));
  writeFileSync(join(copy, CONSOLE_PLAIN_FIELDS), consolePlainFields(sdl));
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
  /** The schema with a field of this type added to the connection and to both of its inputs. */
  const withField = (name: string, type: string) =>
    sdl.replace(
      /^(type DatabaseConnection implements Node|input (Create|Update)DatabaseConnectionInput) \{\n/gm,
      `$&  ${name}: ${type}\n`,
    );

  it('pass it with a plain field added, the console unchanged; fail it, naming the field, with another kind', () => {
    const plain = withField('owner', 'String');
    expect(plain.match(/^ {2}owner: String$/gm)).toHaveLength(3);
    expect(checkConsoleAgainst(plain)).toEqual({ status: 0, output: '' });
    const { status, output } = checkConsoleAgainst(withField('labels', 'JSONObject'));
    expect(status).not.toBe(0);
    expect(output).toMatch(
      /src\/plain-fields\.ts\(\d+,\d+\): error TS2344: Type '"labels"' does not satisfy the constraint 'never'/,
    );
  }, 120_000);
});
