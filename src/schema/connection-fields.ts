/**
 * The GraphQL fields of a connection and of its inputs, built from the one
 * declaration of its fields (src/connections/fields/fields.ts).
 */
import { isThenable } from '@pothos/core';
import { builder } from '../builder.ts';
import {
  type ConnectionFieldName,
  FIELDS_IN_ORDER,
  type FieldDeclaration,
  isRequiredInput,
  SECRET_FIELDS,
  type SecretFieldName,
  WRITTEN_FIELDS,
} from '../connections/fields/fields.ts';
import { HEALTH_STATUSES } from '../connections/fields/health.ts';
import { type GraphQLTypeName, isJsonObject } from '../connections/fields/values.ts';
import { TEST_FAILURES, type TestFailure } from '../connectivity/errors.ts';
import type { ConnectionRow } from '../db/tables/connections.ts';
import { DIALECT_NAMES, type DialectName, isDialectName } from '../dialects/registry.ts';
import { getDatamodel } from '../generated/pothos-types.ts';
import { ConnectionHealthType, type Health } from './connection-health.ts';
import { SETTINGS_TYPES } from './connection-settings.ts';
import {
  checked,
  checkedOrNull,
  type InputFactory,
  type InputFieldBuilder,
  type ObjectFieldBuilder,
  type OutputFactory,
  type OutputSpec,
  options,
  revealable,
  SCALAR_INPUTS,
  scalarOutputs,
} from './value-types.ts';

export const DialectEnum = builder.enumType('Dialect', {
  description: 'The kind of database, from the URI scheme.',
  // Typed as text, the column's own type: GraphQL writes and reads only the values listed, and the
  // commands check each row's (checkedRow), so a column read inline needs no cast to be exposed.
  values: Object.fromEntries(DIALECT_NAMES.map((name) => [name.toUpperCase(), { value: name }])) as Record<
    Uppercase<DialectName>,
    { value: string }
  >,
});

const HEALTH_STATUS_NAMES: readonly unknown[] = HEALTH_STATUSES;
const isTestFailure = (value: unknown): value is TestFailure =>
  isJsonObject(value) &&
  typeof value.code === 'string' &&
  value.code in TEST_FAILURES &&
  typeof value.message === 'string';
/** Whether a value is a health report as ConnectionHealth shows it. */
const isHealth = (value: unknown): value is Health =>
  isJsonObject(value) &&
  HEALTH_STATUS_NAMES.includes(value.status) &&
  (value.checkedAt === null || value.checkedAt instanceof Date) &&
  (value.latencyMs === null || Number.isSafeInteger(value.latencyMs)) &&
  (value.error === null || isTestFailure(value.error));

const isSettings = isJsonObject;

/** The output field of each kind of value, for a connection's fields. */
const OUTPUT_OF: Record<GraphQLTypeName, OutputFactory<ConnectionRow>> = {
  ...scalarOutputs<ConnectionRow>(),
  Dialect: (t, spec) =>
    t.field({ ...options(spec), type: DialectEnum, nullable: false, resolve: checked(spec, 'dialect', isDialectName) }),
  ConnectionHealth: (t, spec) =>
    t.field({
      ...options(spec),
      type: ConnectionHealthType,
      nullable: false,
      resolve: checked(spec, 'health report', isHealth),
    }),
  SshSettings: (t, spec) =>
    t.field({
      ...options(spec),
      type: SETTINGS_TYPES.SshSettings.output,
      nullable: true,
      resolve: checkedOrNull(spec, 'group of settings', isSettings),
    }),
  TlsSettings: (t, spec) =>
    t.field({
      ...options(spec),
      type: SETTINGS_TYPES.TlsSettings.output,
      nullable: true,
      resolve: checkedOrNull(spec, 'group of settings', isSettings),
    }),
};

/** The input field of each kind of value; none for what is only read. */
const INPUT_OF: Record<GraphQLTypeName, InputFactory | undefined> = {
  ...SCALAR_INPUTS,
  Dialect: (t, spec) => t.field({ ...spec, type: DialectEnum }),
  SshSettings: (t, spec) => t.field({ ...spec, type: SETTINGS_TYPES.SshSettings.input }),
  TlsSettings: (t, spec) => t.field({ ...spec, type: SETTINGS_TYPES.TlsSettings.input }),
  ConnectionHealth: undefined,
};

// --- Columns of the Prisma model -----------------------------------------------

type ColumnTypes = { String: string; Boolean: boolean; Int: number; DateTime: Date };
/** The model's non-null columns whose values are of this type. */
type ColumnOf<T> = { [K in keyof ConnectionRow]: ConnectionRow[K] extends T ? K : never }[keyof ConnectionRow];

const MODEL_FIELDS = new Map(
  (getDatamodel().datamodel.models.DatabaseConnection?.fields ?? []).map((field) => [field.name, field]),
);

/** Whether the DatabaseConnection model has a non-null column of this name and type (the datamodel says). */
function isColumn<P extends keyof ColumnTypes>(name: string, type: P): name is ColumnOf<ColumnTypes[P]> {
  const field = MODEL_FIELDS.get(name);
  return field !== undefined && field.kind === 'scalar' && field.type === type && field.isRequired && !field.isList;
}

/**
 * A non-null column kept as it is, exposed without a resolver: graphql-jit then reads the property
 * inline. A dialect is a text column whose values its kind narrows: the commands check it once per
 * row as they read the row from the store (checkedRow, src/connections/stored/records.ts), not here
 * per field and request. Undefined where the kind is not a column type as it is.
 */
function exposed(t: ObjectFieldBuilder<ConnectionRow>, name: string, field: FieldDeclaration) {
  if (field.value.nullable) return undefined;
  const { description } = field;
  switch (field.value.graphql) {
    case 'String':
      return isColumn(name, 'String') ? t.exposeString(name, { description }) : undefined;
    case 'Boolean':
      return isColumn(name, 'Boolean') ? t.exposeBoolean(name, { description }) : undefined;
    case 'Int':
      return isColumn(name, 'Int') ? t.exposeInt(name, { description }) : undefined;
    case 'DateTime':
      return isColumn(name, 'DateTime') ? t.expose(name, { type: 'DateTime', description }) : undefined;
    case 'Dialect':
      // The Prisma type says only `string`, as the enum's does; checkedRow has made it a dialect's name
      // on every row the commands hand GraphQL.
      return isColumn(name, 'String') ? t.expose(name, { type: DialectEnum, description }) : undefined;
    default:
      return undefined;
  }
}

/** A parsed JSON value made read-only throughout, so that the requests that share it cannot change it. */
function frozen(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const member of Object.values(value)) frozen(member);
  return Object.freeze(value);
}

/**
 * What a row holds in a column, as the store keeps it: JSON text parsed (lists and objects). A row
 * is never changed in place (a change is a new row) and the read cache hands the same row to every
 * read of it, so its JSON is parsed once per row, not per field and request, and kept beside the
 * row for as long as the row itself is kept.
 */
function columnReader(name: ConnectionFieldName, field: FieldDeclaration) {
  if (!MODEL_FIELDS.has(name)) {
    throw new Error(`The field catalogue stores ${name}, but the DatabaseConnection model has no such column.`);
  }
  const columnOf = (row: ConnectionRow): unknown => {
    const columns: Readonly<Record<string, unknown>> = row;
    return columns[name];
  };
  if (field.value.stored !== 'json') return columnOf;
  const parsed = new WeakMap<ConnectionRow, unknown>();
  return (row: ConnectionRow) => {
    if (parsed.has(row)) return parsed.get(row);
    const value = columnOf(row);
    const read = typeof value === 'string' ? frozen(JSON.parse(value)) : value;
    parsed.set(row, read);
    return read;
  };
}

const isSecretField = (name: string): name is SecretFieldName => SECRET_FIELDS.some(([secret]) => secret === name);

/** How a field's value is read from a row: presented (a secret), derived, or from its column. */
function readerOf(name: ConnectionFieldName, field: FieldDeclaration): OutputSpec<ConnectionRow>['read'] {
  const { derivedFrom } = field;
  if (derivedFrom) {
    const derive = (value: unknown, row: ConnectionRow) =>
      typeof value === 'string' && isDialectName(row.dialect) ? derivedFrom.derive(value, row.dialect) : null;
    return (row, { reveal }, { connections, caller }) => {
      const value = connections.present(caller, row, derivedFrom.field, reveal === true);
      // Masked, read synchronously; revealed, once the reveal is recorded.
      return isThenable(value) ? Promise.resolve(value).then((shown) => derive(shown, row)) : derive(value, row);
    };
  }
  // The store keeps a secret encrypted, beside a masked copy made at write time (src/secrets).
  if (field.secret && isSecretField(name)) {
    return (row, { reveal }, { connections, caller }) => connections.present(caller, row, name, reveal === true);
  }
  const { derive } = field.value;
  return derive ? (row) => derive(row) : columnReader(name, field);
}

function outputField(t: ObjectFieldBuilder<ConnectionRow>, name: ConnectionFieldName, field: FieldDeclaration) {
  if (field.value.stored === 'plain' && !field.secret && !field.derivedFrom && !field.value.derive) {
    const column = exposed(t, name, field);
    if (column) return column;
  }
  const spec: OutputSpec<ConnectionRow> = {
    description: field.description,
    nullable: field.value.nullable === true,
    ...(field.secret || field.derivedFrom ? revealable(t) : {}),
    read: readerOf(name, field),
  };
  return OUTPUT_OF[field.value.graphql](t, spec);
}

/** Every field of a connection but its id (the Node interface gives that). */
export function connectionObjectFields(t: ObjectFieldBuilder<ConnectionRow>) {
  return Object.fromEntries(
    FIELDS_IN_ORDER.filter(([name]) => name !== 'id').map(([name, field]) => [name, outputField(t, name, field)]),
  );
}

/**
 * The input fields of a connection. `allOptional`: for an update, which changes only what it names;
 * otherwise the required ones are required (create).
 */
export function connectionInputFields(t: InputFieldBuilder, allOptional: boolean) {
  return Object.fromEntries(
    WRITTEN_FIELDS.map(([name, field]) => {
      const input = INPUT_OF[field.value.graphql];
      if (!input) throw new Error(`The field catalogue has clients write ${name}, whose kind is read only.`);
      return [name, input(t, { required: !allOptional && isRequiredInput(field), description: field.description })];
    }),
  );
}
