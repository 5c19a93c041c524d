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
    // Fields of every kind added to the create's input and the connection, before those they have.
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
    const [retries, ratio, archived, ...others] = plainFieldsOf(sdl);
    expect([retries, ratio, archived]).toEqual([
      { name: 'retries', type: 'Int', required: true, nullable: false, description: 'How many times.' },
      { name: 'ratio', type: 'Float', required: false, nullable: true, description: null },
      { name: 'archived', type: 'Boolean', required: false, nullable: false, description: null },
    ]);
    expect(others).toEqual(plainFieldsOf(read('schema.graphql')));
    // Those of the schema as it is: the alias among them, the URI (read with an argument) not.
    const names = others.map(({ name }) => name);
    expect(names).toContain('alias');
    expect(names).not.toContain('connectionUri');
  });
});
