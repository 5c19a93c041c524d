/**
 * The files generated from the GraphQL schema the code builds: schema.graphql, and from it the
 * types the console's operations are checked against (gql.tada's introspection, types only) and
 * the list of a connection's plain fields, which the console's form and detail show as they come.
 */

import { minifyIntrospection, outputIntrospectionFile } from 'gql.tada/internal';
import {
  buildSchema,
  type GraphQLInputObjectType,
  type GraphQLObjectType,
  getNullableType,
  introspectionFromSchema,
  isNonNullType,
  isNullableType,
  isScalarType,
  printSchema,
} from 'graphql';
import { schema } from '../schema/index.ts';

export const CONSOLE_SCHEMA_TYPES = 'console/src/schema.generated.d.ts';
export const CONSOLE_PLAIN_FIELDS = 'console/src/fields.generated.ts';

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

/** The scalars a form shows as one input: text, a number, a flag. */
const PLAIN_SCALARS = new Set(['String', 'Int', 'Float', 'Boolean']);

/**
 * A connection's plain fields in a schema: those a create takes as a plain scalar (not a list) and
 * the connection shows as the same scalar with no arguments. `required`: a create must send it;
 * `nullable`: null is a value (none).
 */
export function plainFieldsOf(sdl: string) {
  const built = buildSchema(sdl);
  const input = built.getType('CreateDatabaseConnectionInput') as GraphQLInputObjectType;
  const shown = (built.getType('DatabaseConnection') as GraphQLObjectType).getFields();
  return Object.values(input.getFields()).flatMap((field) => {
    const type = getNullableType(field.type);
    const output = shown[field.name];
    if (!isScalarType(type) || !PLAIN_SCALARS.has(type.name)) return [];
    if (!output || output.args.length > 0 || getNullableType(output.type) !== type) return [];
    const required = isNonNullType(field.type);
    // A field with no description has null for one, written as such.
    const description = field.description ?? null;
    return [{ name: field.name, type: type.name, required, nullable: isNullableType(output.type), description }];
  });
}

/** The console's list of a connection's plain fields, and their selection, for a schema's SDL. */
export function consolePlainFields(sdl: string): string {
  const fields = plainFieldsOf(sdl);
  return `/* Generated from schema.graphql by \`npm run schema\` (src/cli/schema-files.ts): do not edit.
 * A connection's plain fields (text, a number, a flag: written by a create, shown with no arguments),
 * which the console's form and detail show as they come (console/src/plain-fields.ts). */

export const PLAIN_FIELDS = ${JSON.stringify(fields, null, 2)} as const;

/** Their GraphQL selection, for the console's operations. */
export const PLAIN_SELECTION = ${JSON.stringify(fields.map((field) => field.name).join(' '))} as const;
`;
}

/** Each generated file's path in the repository and the text the code makes of it now. */
export function schemaFiles(): { path: string; text: string }[] {
  const sdl = `${printSchema(schema)}\n`;
  return [
    { path: 'schema.graphql', text: sdl },
    { path: CONSOLE_SCHEMA_TYPES, text: consoleSchemaTypes(sdl) },
    { path: CONSOLE_PLAIN_FIELDS, text: consolePlainFields(sdl) },
  ];
}
