/**
 * Each field of a connection is declared once (src/connections/fields/fields.ts): the
 * GraphQL schema, the REST responses and the OpenAPI document must all show
 * every field of that declaration, so that a field added there shows everywhere.
 */
import { type GraphQLInputObjectType, type GraphQLObjectType, getNamedType, isNonNullType } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  CONNECTION_FIELDS,
  type FieldDeclaration,
  isRequiredInput,
  REST_FIELDS,
  WRITTEN_FIELDS,
} from '../src/connections/fields/fields.ts';
import { optionalText } from '../src/connections/fields/values.ts';
import { OPENAPI_DOCUMENT } from '../src/rest/openapi.ts';
import { schema } from '../src/schema/index.ts';
import { STORES } from './support/databases.ts';
import { useServiceFixture } from './support/service.ts';

const PATH = '/api/v1/database-connections';
const schemas = OPENAPI_DOCUMENT.components.schemas as Record<string, { properties: object; required: string[] }>;
const fieldNames = Object.keys(CONNECTION_FIELDS);
/** Every field, groups of settings with each of their members. */
const selection = (Object.entries(CONNECTION_FIELDS) as [string, FieldDeclaration][])
  .map(([name, { value }]) =>
    value.group ? `${name} { ${Object.keys(value.group.members).join(' ')} }` : `${name} ${value.selection ?? ''}`,
  )
  .join(' ');

describe('the declaration of a connection’s fields', () => {
  it('gives the GraphQL type every field, with its description', () => {
    const type = schema.getType('DatabaseConnection') as GraphQLObjectType;
    const fields = type.getFields();
    for (const [name, field] of Object.entries(CONNECTION_FIELDS)) {
      expect(fields[name], `DatabaseConnection.${name}`).toBeDefined();
      if (name !== 'id') expect(fields[name]?.description).toBe(field.description);
    }
  });

  it('gives the GraphQL inputs every input field, required on create as declared, optional on update', () => {
    const create = (schema.getType('CreateDatabaseConnectionInput') as GraphQLInputObjectType).getFields();
    const update = (schema.getType('UpdateDatabaseConnectionInput') as GraphQLInputObjectType).getFields();
    expect(Object.keys(create).sort()).toEqual(WRITTEN_FIELDS.map(([name]) => name).sort());
    expect(Object.keys(update).sort()).toEqual(WRITTEN_FIELDS.map(([name]) => name).sort());
    // The URI may be spelled as a dialect and its parameters instead: neither form is required alone.
    expect(String(create.connectionUri?.type)).toBe('String');
    for (const [name, field] of WRITTEN_FIELDS) {
      expect(String(create[name]?.type).endsWith('!'), `create ${name} required`).toBe(isRequiredInput(field));
      expect(String(update[name]?.type).endsWith('!'), `update ${name} optional`).toBe(false);
      // A group of settings has an input type of its own, named after its object type.
      const outputType = getNamedType(fieldsOfConnection()[name]?.type as never) as unknown as { name: string };
      const inputType = getNamedType(create[name]?.type as never) as unknown as { name: string };
      expect(inputType.name).toBe(field.value.group ? `${outputType.name}Input` : outputType.name);
    }
  });

  it('gives the OpenAPI document every REST field, and every input field with its limits', () => {
    expect(Object.keys(schemas.DatabaseConnection?.properties ?? {})).toEqual(REST_FIELDS.map(([, f]) => f.rest));
    const input = schemas.DatabaseConnectionInput;
    expect(Object.keys(input?.properties ?? {})).toEqual(WRITTEN_FIELDS.map(([name, f]) => f.rest ?? name));
    expect(input?.required).toEqual(WRITTEN_FIELDS.filter(([, f]) => isRequiredInput(f)).map(([n, f]) => f.rest ?? n));
    expect((input as { allOf?: unknown } | undefined)?.allOf).toEqual([
      { oneOf: [{ required: ['connection_uri'] }, { required: ['dialect', 'parameters'] }] },
    ]);
    for (const [name, field] of WRITTEN_FIELDS) {
      expect((input?.properties as Record<string, object> | undefined)?.[field.rest ?? name]).toMatchObject(
        field.value.jsonSchema,
      );
    }
  });
});

describe('the nullability of a field', () => {
  const acceptsNull = (schema: { type?: string | string[]; oneOf?: { type?: string }[] }) =>
    (Array.isArray(schema.type) && schema.type.includes('null')) ||
    (schema.oneOf ?? []).some((option) => option.type === 'null');

  it('is carried from its kind to GraphQL, in output and input, and to the OpenAPI document', () => {
    const output = fieldsOfConnection();
    const create = (schema.getType('CreateDatabaseConnectionInput') as GraphQLInputObjectType).getFields();
    const properties = schemas.DatabaseConnection?.properties as Record<string, object>;
    for (const [name, field] of Object.entries(CONNECTION_FIELDS) as [string, FieldDeclaration][]) {
      const nullable = field.value.nullable === true;
      expect(isNonNullType(output[name]?.type), `DatabaseConnection.${name}`).toBe(!nullable);
      if (field.input && !isRequiredInput(field)) expect(isNonNullType(create[name]?.type), name).toBe(false);
      if (field.rest) expect(acceptsNull(properties[field.rest] as object), `OpenAPI ${field.rest}`).toBe(nullable);
    }
    // Nullable fields there are: the groups of settings.
    expect(isNonNullType(output.sshSettings?.type)).toBe(false);
  });

  it('is that of free text: null, empty, or lines of text within its length', () => {
    const text = optionalText(10);
    expect(text.nullable).toBe(true);
    expect(text.jsonSchema).toEqual({ type: ['string', 'null'], maxLength: 10 });
    for (const value of [null, '', 'two\nlines', 'a\ttab'])
      expect(text.rules.safeParse(value).success, String(value)).toBe(true);
    for (const value of ['x'.repeat(11), 'bell\u0007', 7])
      expect(text.rules.safeParse(value).success, String(value)).toBe(false);
    expect(text.shape.safeParse(null).success).toBe(true);
  });
});

function fieldsOfConnection() {
  return (schema.getType('DatabaseConnection') as GraphQLObjectType).getFields();
}

describe.each(STORES)('every declared field over HTTP on $name', (store) => {
  const fixture = useServiceFixture(store);

  it.skipIf(store.skip)('is in the REST response under its REST name, and in GraphQL under its own', async () => {
    const created = await fixture.api.request('POST', PATH, {
      alias: 'fields',
      connection_uri: 'postgresql://u:pw@db/x',
      schemas: ['public'],
      metadata: { team: 'data' },
      use_ssh: true,
      ssh_settings: { host: 'bastion.internal', username: 'tunnel', password: 'ssh-secret' },
    });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body)).toEqual(REST_FIELDS.map(([, field]) => field.rest));
    const listed = await fixture.api.request('GET', PATH);
    expect(Object.keys(listed.body[0])).toEqual(REST_FIELDS.map(([, field]) => field.rest));

    const { data } = await fixture.api.graphql(`query ($id: ID!) { databaseConnection(id: $id) { ${selection} } }`, {
      id: created.body.id,
    });
    expect(Object.keys(data.databaseConnection)).toEqual(fieldNames);
    for (const [name, field] of REST_FIELDS) {
      let restValue = created.body[field.rest];
      // A value whose REST form differs (the health's member names): the GraphQL one in REST form.
      const graphqlValue = field.value.toRest
        ? field.value.toRest(data.databaseConnection[name])
        : data.databaseConnection[name];
      const members = Object.entries(field.value.group?.members ?? {});
      // Members of a group: the same values under their GraphQL names.
      if (members.length > 0 && restValue !== null) {
        restValue = Object.fromEntries(members.map(([member, { rest }]) => [member, restValue[rest]]));
      }
      expect(typeof graphqlValue === 'string' ? graphqlValue.toLowerCase() : graphqlValue, name).toEqual(
        typeof restValue === 'string' ? restValue.toLowerCase() : restValue,
      );
    }
  });
});
