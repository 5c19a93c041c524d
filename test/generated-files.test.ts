/** Committed files that are generated from the code must match what the code generates now. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { plainFieldsOf, schemaFiles } from '../src/cli/schema-files.ts';
import { renderProviderSchemas } from '../src/db/prisma-schemas.ts';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

describe('generated files', () => {
  it('schema.graphql, the console’s schema types and plain fields are what the code builds (run `npm run schema`)', () => {
    const files = schemaFiles();
    expect(files.map((file) => file.path)).toEqual([
      'schema.graphql',
      'console/src/schema.generated.d.ts',
      'console/src/fields.generated.ts',
    ]);
    for (const file of files) expect(read(file.path), file.path).toBe(file.text);
  });

  it('each provider’s Prisma schema is prisma/model.prisma under its header (run `npm run generate`)', () => {
    const rendered = renderProviderSchemas(read('prisma/model.prisma'));
    expect(rendered.map((file) => file.path)).toEqual([
      'prisma/sqlite/schema.prisma',
      'prisma/postgresql/schema.prisma',
    ]);
    for (const file of rendered) expect(read(file.path), file.path).toBe(file.text);
  });
  it('lists as plain the fields a create takes as text, a number or a flag, and a connection shows so', () => {
    // Beside alias, useSsh and workspace: fields of every kind, in the create's input and the connection.
    const sdl = read('schema.graphql')
      .replace(
        'input CreateDatabaseConnectionInput {\n',
        '$&  """How many times."""\n  retries: Int!\n  ratio: Float\n  archived: Boolean\n' +
          '  tags: [String!]\n  extra: JSONObject\n  hidden: String\n  mismatched: String\n  unshown: String\n',
      )
      .replace(
        'type DatabaseConnection implements Node {\n',
        '$&  retries: Int!\n  ratio: Float\n  archived: Boolean!\n  tags: [String!]!\n  extra: JSONObject\n' +
          '  hidden(reveal: Boolean): String\n  mismatched: Int\n',
      );
    const plain = plainFieldsOf(sdl);
    expect(plain.map(({ name, type, required, nullable }) => [name, type, required, nullable])).toEqual([
      ['retries', 'Int', true, false],
      ['ratio', 'Float', false, true],
      ['archived', 'Boolean', false, false],
      ['alias', 'String', true, false],
      ['useSsh', 'Boolean', false, false],
      ['workspace', 'String', false, false],
    ]);
    expect(plain[0]?.description).toBe('How many times.');
  });
});
