/**
 * The GraphQL fields of a connection and of its inputs, built from the one
 * declaration of its fields (src/connections/fields/fields.ts).
 */
import { builder } from '../builder.ts';
import {
  CONNECTION_FIELDS,
  type ConnectionFieldName,
  type FieldDeclaration,
  isRequiredInput,
  type SecretFieldName,
  WRITTEN_FIELDS,
} from '../connections/fields/fields.ts';
import type { GraphQLTypeName } from '../connections/fields/values.ts';
import type { ConnectionRow } from '../db/tables/connections.ts';
import { DIALECT_NAMES, type DialectName } from '../dialects/registry.ts';
import { ConnectionHealthType } from './connection-health.ts';
import { SETTINGS_TYPES } from './connection-settings.ts';

export const DialectEnum = builder.enumType('Dialect', {
  description: 'The kind of database, from the URI scheme.',
  values: Object.fromEntries(DIALECT_NAMES.map((name) => [name.toUpperCase(), { value: name }])) as Record<
    Uppercase<DialectName>,
    { value: DialectName }
  >,
});

const SCALAR_TYPES = {
  ID: 'ID',
  String: 'String',
  '[String]': ['String'],
  JSONObject: 'JSONObject',
  DateTime: 'DateTime',
  Int: 'Int',
  Boolean: 'Boolean',
  Dialect: DialectEnum,
} as const;

/** The Pothos type of each kind of GraphQL value, in output and in input. */
const OUTPUT_TYPE_OF: Record<GraphQLTypeName, unknown> = {
  ...SCALAR_TYPES,
  SshSettings: SETTINGS_TYPES.SshSettings.output,
  TlsSettings: SETTINGS_TYPES.TlsSettings.output,
  ConnectionHealth: ConnectionHealthType,
};
const INPUT_TYPE_OF: Record<GraphQLTypeName, unknown> = {
  ...SCALAR_TYPES,
  SshSettings: SETTINGS_TYPES.SshSettings.input,
  TlsSettings: SETTINGS_TYPES.TlsSettings.input,
  // Read only: never an input.
  ConnectionHealth: undefined,
};

type BuilderTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer Types> ? Types : never;
type ObjectFieldBuilder = PothosSchemaTypes.ObjectFieldBuilder<BuilderTypes, ConnectionRow>;
type InputFieldBuilder = Parameters<NonNullable<Parameters<typeof builder.inputType>[1]['fields']>>[0];

/** What a row holds for a field kept as JSON text (lists and objects). */
const readColumn = (row: ConnectionRow, name: ConnectionFieldName): unknown =>
  JSON.parse((row as unknown as Record<string, string>)[name] as string);

function outputField(t: ObjectFieldBuilder, name: ConnectionFieldName, field: FieldDeclaration) {
  // What every field shares: its type, whether null is a value, its description.
  const common = {
    type: OUTPUT_TYPE_OF[field.value.graphql] as 'String',
    nullable: field.value.nullable === true,
    description: field.description,
  };
  // A secret field, and what is read from one, show their secrets only when asked, to those allowed.
  const revealable = {
    args: {
      reveal: t.arg.boolean({
        defaultValue: false,
        description: 'Show the secrets (needs the connections:reveal scope; the reveal is logged).',
      }),
    },
    authScopes: (_row: ConnectionRow, { reveal }: { reveal?: boolean | null }) =>
      reveal ? { 'connections:reveal': true } : true,
  };
  const { derivedFrom } = field;
  if (derivedFrom) {
    return t.field({
      ...common,
      ...revealable,
      resolve: async (row, { reveal }, { connections, caller }) => {
        const value = await connections.present(caller, row, derivedFrom.field, reveal === true);
        return derivedFrom.derive(value as string, row.dialect as DialectName) as string;
      },
    });
  }
  if (field.secret) {
    // The store keeps a secret encrypted, beside a masked copy made at write time (src/secrets).
    return t.field({
      ...common,
      ...revealable,
      resolve: (row, { reveal }, { connections, caller }) =>
        connections.present(caller, row, name as SecretFieldName, reveal === true) as Promise<string>,
    });
  }
  const { derive } = field.value;
  if (derive) return t.field({ ...common, resolve: (row) => derive(row) as string });
  // A column kept as it is, exposed without a resolver: graphql-jit then reads the property inline.
  if (field.value.stored === 'plain') return t.expose(name as 'alias', common);
  return t.field({ ...common, resolve: (row) => readColumn(row, name) as string });
}

/** Every field of a connection but its id (the Node interface gives that). */
export function connectionObjectFields(t: ObjectFieldBuilder) {
  return Object.fromEntries(
    (Object.entries(CONNECTION_FIELDS) as [ConnectionFieldName, FieldDeclaration][])
      .filter(([name]) => name !== 'id')
      .map(([name, field]) => [name, outputField(t, name, field)]),
  );
}

/**
 * The input fields of a connection. `allOptional`: for an update, which changes only what it names;
 * otherwise the required ones are required (create).
 */
export function connectionInputFields(t: InputFieldBuilder, allOptional: boolean) {
  return Object.fromEntries(
    WRITTEN_FIELDS.map(([name, field]) => [
      name,
      t.field({
        type: INPUT_TYPE_OF[field.value.graphql] as 'String',
        required: !allOptional && isRequiredInput(field),
        description: field.description,
      }),
    ]),
  );
}
