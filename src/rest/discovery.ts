/**
 * Schema discovery's answer in REST, declared once: each object's fields by their GraphQL names,
 * with their JSON Schemas; REST names them in snake_case. The GraphQL selection the route runs,
 * the renaming of its result and the OpenAPI schema all derive from this declaration; what the
 * fields mean is said once, for GraphQL too, in DISCOVERY_FIELDS.
 */
import { DISCOVERY_FIELDS as MEANING, SNAPSHOT_MEANINGS } from '../graphql/entry.ts';

interface Field {
  /** The GraphQL field. */
  name: string;
  /** Its REST name, when other than the GraphQL name in snake_case. */
  rest?: string;
  /** The JSON Schema of its value; for a list of objects, without `items`, which `fields` gives. */
  schema: Record<string, unknown>;
  /** The fields of each object of a list. */
  fields?: Field[];
  /** Turns the GraphQL value into the REST one. */
  value?: (value: unknown) => unknown;
}

const text = { type: 'string' };
const textOrNull = { type: ['string', 'null'] };
const names = { type: 'array', items: text };

const COLUMN: Field[] = [
  { name: 'name', schema: text },
  { name: 'type', schema: { ...text, description: MEANING.columnType } },
  { name: 'nullable', schema: { type: 'boolean' } },
  { name: 'comment', schema: { ...textOrNull, description: MEANING.columnComment } },
];

const FOREIGN_KEY: Field[] = [
  { name: 'name', schema: { ...textOrNull, description: MEANING.foreignKeyName } },
  { name: 'columns', schema: { ...names, description: MEANING.foreignKeyColumns } },
  { name: 'referencedSchema', schema: text },
  { name: 'referencedTable', schema: text },
  { name: 'referencedColumns', schema: { ...names, description: MEANING.referencedColumns } },
];

const TABLE: Field[] = [
  { name: 'name', schema: text },
  {
    name: 'kind',
    rest: 'type',
    schema: { type: 'string', enum: ['table', 'view'] },
    value: (kind) => String(kind).toLowerCase(),
  },
  { name: 'comment', schema: { ...textOrNull, description: MEANING.tableComment } },
  { name: 'estimatedRowCount', schema: { type: ['integer', 'null'], description: MEANING.estimatedRowCount } },
  { name: 'primaryKey', schema: { type: ['array', 'null'], items: text, description: MEANING.primaryKey } },
  {
    name: 'foreignKeys',
    schema: { type: ['array', 'null'], description: `${MEANING.foreignKeys} ${MEANING.foreignKey}` },
    fields: FOREIGN_KEY,
  },
  { name: 'columns', schema: { type: 'array' }, fields: COLUMN },
];

const SCHEMA: Field[] = [
  { name: 'name', schema: text },
  { name: 'tables', schema: { type: 'array' }, fields: TABLE },
];

/** A snapshot of the catalog, as GET …/{id}/schemas answers it (its content hash is the ETag, not in the body). */
const SNAPSHOT: Field[] = [
  { name: 'scannedAt', schema: { type: 'string', format: 'date-time', description: SNAPSHOT_MEANINGS.scannedAt } },
  {
    name: 'firstFoundAt',
    schema: { type: 'string', format: 'date-time', description: SNAPSHOT_MEANINGS.firstFoundAt },
  },
  { name: 'tableCount', schema: { type: 'integer', description: SNAPSHOT_MEANINGS.tableCount } },
  { name: 'columnCount', schema: { type: 'integer', description: SNAPSHOT_MEANINGS.columnCount } },
  { name: 'schemas', schema: { type: 'array' }, fields: SCHEMA },
];

const restName = (field: Field) => field.rest ?? field.name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** The GraphQL selection of these fields: `name tables { name kind … }`. */
const selectionOf = (fields: Field[]): string =>
  fields.map((field) => (field.fields ? `${field.name} { ${selectionOf(field.fields)} }` : field.name)).join(' ');

/** One GraphQL object (or a list of them, or null) in REST names. */
function restValueOf(fields: Field[], value: unknown): unknown {
  if (value === null) return null;
  if (Array.isArray(value)) return value.map((item) => restValueOf(fields, item));
  const object = value as Record<string, unknown>;
  return Object.fromEntries(
    fields.map((field) => {
      const raw = object[field.name];
      const converted = field.fields ? restValueOf(field.fields, raw) : raw;
      return [restName(field), field.value ? field.value(converted) : converted];
    }),
  );
}

interface ObjectSchema {
  type: 'object';
  required: string[];
  additionalProperties: false;
  properties: Record<string, object>;
}

/** The JSON Schema of an object of these fields: every field required, no other. */
function jsonSchemaOf(fields: Field[]): ObjectSchema {
  const properties = Object.fromEntries(
    fields.map((field) => {
      if (!field.fields) return [restName(field), field.schema];
      return [restName(field), { ...field.schema, items: jsonSchemaOf(field.fields) }];
    }),
  );
  return { type: 'object', required: Object.keys(properties), additionalProperties: false, properties };
}

/** What the REST route selects of a SchemaSnapshot. */
export const SNAPSHOT_SELECTION = selectionOf(SNAPSHOT);

/** The snapshot GraphQL answered, in REST's shape (only the fields declared: not its content hash). */
export const restSnapshotOf = (snapshot: unknown) => restValueOf(SNAPSHOT, snapshot);

/** The JSON Schema of a snapshot in REST's shape, for the OpenAPI document. */
export const SNAPSHOT_JSON_SCHEMA = jsonSchemaOf(SNAPSHOT);
