/** Committed files that are generated from the code must match what the code generates now. */
import { readFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { renderProviderSchemas } from '../src/db/prisma-schemas.ts';
import { schema } from '../src/schema/index.ts';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

describe('generated files', () => {
  it('schema.graphql is the schema the code builds (run `npm run schema` after changing it)', () => {
    expect(read('schema.graphql')).toBe(`${printSchema(schema)}\n`);
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
