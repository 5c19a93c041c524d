/**
 * The files generated from the GraphQL schema the code builds: schema.graphql, and from it the
 * types the console's operations are checked against (gql.tada's introspection, types only).
 */

import { minifyIntrospection, outputIntrospectionFile } from 'gql.tada/internal';
import { buildSchema, introspectionFromSchema, printSchema } from 'graphql';
import { schema } from '../schema/index.ts';

export const CONSOLE_SCHEMA_TYPES = 'console/src/schema.generated.d.ts';

const PREAMBLE = `/* Generated from schema.graphql by \`npm run schema\` (src/cli/schema-files.ts): do not edit.
 * The console's operations (console/src/operations.ts) take their answers' types from it. */
`;

/** The console's schema types for a schema's SDL: types only, nothing of it reaches the bundle. */
export function consoleSchemaTypes(sdl: string): string {
  const introspection = minifyIntrospection(introspectionFromSchema(buildSchema(sdl)));
  // A named schema: gql.tada declares no global one, the console passes it where it types its operations.
  const text = outputIntrospectionFile(
    { ...introspection, name: 'schema.graphql' },
    { fileType: '.d.ts', shouldPreprocess: true, preamble: PREAMBLE },
  );
  // gql.tada's note on its editor plugin's settings, which this project does not use, would mislead here.
  return `${text.replace(/\/\*\* An IntrospectionQuery representation[\s\S]*?\*\/\n/, '').trimEnd()}\n`;
}

/** Each generated file's path in the repository and the text the code makes of it now. */
export function schemaFiles(): { path: string; text: string }[] {
  const sdl = `${printSchema(schema)}\n`;
  return [
    { path: 'schema.graphql', text: sdl },
    { path: CONSOLE_SCHEMA_TYPES, text: consoleSchemaTypes(sdl) },
  ];
}
