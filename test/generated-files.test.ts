/** Committed files that are generated from the code must match what the code generates now. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { schemaFiles } from '../src/cli/schema-files.ts';
import { renderProviderSchemas } from '../src/db/prisma-schemas.ts';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

describe('generated files', () => {
  it('schema.graphql and the console’s schema types are what the code builds (run `npm run schema`)', () => {
    const files = schemaFiles();
    expect(files.map((file) => file.path)).toEqual(['schema.graphql', 'console/src/schema.generated.d.ts']);
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
});
