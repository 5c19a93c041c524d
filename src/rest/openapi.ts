/**
 * The OpenAPI 3.1 description of the REST facade, served at
 * /api/v1/openapi.json. A test checks real responses of every route against
 * it (test/openapi.test.ts), so it has to say what the service does.
 */

import { ERROR_CODES, type ErrorCode } from '../error-codes.ts';
import {
  AUDIT_ACTIONS,
  alternativesOf,
  type ConnectionFieldName,
  DIALECT_NAMES,
  type FieldDeclaration,
  isRequiredInput,
  REST_FIELDS,
  REST_NAME_OF,
  SCHEMA_CHANGE_KIND_NAMES,
  TEST_FAILURES,
  WRITTEN_FIELDS,
} from '../graphql/entry.ts';
import { COLLECTION_PATH } from './database-connections.ts';
import { SNAPSHOT_JSON_SCHEMA } from './discovery.ts';
import { GRANT_JSON_SCHEMA, type HeaderDoc, REST_ROUTES, type RestRoute, templateOf } from './routes.ts';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
/** An object with these properties and no other, all of them required unless `required` says otherwise. */
const strictObject = (properties: Record<string, object>, required = Object.keys(properties)) => ({
  type: 'object',
  required,
  additionalProperties: false,
  properties,
});

const nullableTime = { type: ['string', 'null'], format: 'date-time' };
/** An API key as GET /api/v1/api-keys lists it (never the key). */
const API_KEY_PROPERTIES = {
  id: { type: 'string' },
  name: { type: 'string' },
  grants: { type: 'array', items: GRANT_JSON_SCHEMA },
  created_by: { type: 'string', description: 'Who made it, as the audit trail names callers.' },
  created_at: { type: 'string', format: 'date-time' },
  expires_at: nullableTime,
  revoked_at: nullableTime,
  last_used_at: { ...nullableTime, description: 'When it last authenticated a request, to the minute.' },
};

/** Codes whose answers carry Retry-After. */
const RETRY_AFTER_CODES = new Set<ErrorCode>([
  'too_many_requests',
  'too_many_authentication_failures',
  'too_many_tests',
  'database_unavailable',
  'idempotency_key_in_use',
]);
const retryAfter = { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'string' } } };

/**
 * The error responses of a call that may answer these codes: one problem+json
 * response per status (from the catalogue of error codes), listing its codes
 * and what each means.
 */
function errorResponses(...codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = ERROR_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, group]) => [
      status,
      {
        description: group.map((code) => `\`${code}\`: ${ERROR_CODES[code].description}`).join(' '),
        ...(group.some((code) => RETRY_AFTER_CODES.has(code)) && { headers: retryAfter }),
        content: { 'application/problem+json': { schema: ref('Problem') } },
      },
    ]),
  );
}

/** A field's JSON Schema, with its description. */
const fieldSchema = (field: FieldDeclaration) => ({ ...field.value.jsonSchema, description: field.description });

/**
 * A request body of these input fields. Defaults are told in the descriptions, not as `default`:
 * client generators take a property with a default for one the client must send.
 */
function inputSchema(names: ConnectionFieldName[]) {
  const fields = WRITTEN_FIELDS.filter(([name]) => names.includes(name));
  const restName = ([name, field]: (typeof fields)[number]) => field.rest ?? name;
  const schema = strictObject(
    Object.fromEntries(fields.map((entry) => [restName(entry), fieldSchema(entry[1])])),
    fields.filter(([, field]) => isRequiredInput(field)).map(restName),
  );
  // A field that other fields may stand in for: one of the two forms, never both.
  const forms = fields.flatMap(([name, field]) => {
    const others = alternativesOf(field);
    if (!others) return [];
    const instead = others.map((other) => REST_NAME_OF.get(other) ?? other);
    return [{ oneOf: [{ required: [restName([name, field])] }, { required: instead }] }];
  });
  return forms.length > 0 ? { ...schema, allOf: forms } : schema;
}

const ID_PARAMETER = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The connection id (a UUID). Anything else is unknown: 404.',
  schema: { type: 'string' },
};

const KEY_ID_PARAMETER = { ...ID_PARAMETER, description: 'The API key id (a UUID).' };
const WORKSPACE_NAME_PARAMETER = { ...ID_PARAMETER, name: 'name', description: 'The workspace’s name.' };

const schemaRef = (name: string) =>
  name.startsWith('[') ? { type: 'array', items: ref(name.slice(1, -1)) } : ref(name);

const headerObjects = (headers: HeaderDoc[]) =>
  Object.fromEntries(
    headers.map(({ name, description, schema, required }) => [
      name,
      { description, schema, ...(required && { required }) },
    ]),
  );

/** One operation of the document, from its route. */
function operationOf(route: RestRoute) {
  const parameters = [
    ...(route.path.includes(':id') ? [route.path.startsWith(COLLECTION_PATH) ? ID_PARAMETER : KEY_ID_PARAMETER] : []),
    ...(route.path.includes(':name') ? [WORKSPACE_NAME_PARAMETER] : []),
    ...(route.query ?? []).map(({ name, description, values }) => ({
      name,
      in: 'query',
      description,
      schema:
        values === 'boolean'
          ? { type: 'boolean', default: false }
          : values === 'text'
            ? { type: 'string' }
            : Array.isArray(values)
              ? { type: 'string', enum: values }
              : { type: 'integer', minimum: 1, maximum: (values as { max: number }).max },
    })),
    ...(route.headers ?? []).map(({ name, description, schema }) => ({ name, in: 'header', description, schema })),
  ];
  const { success } = route;
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: route.description,
    ...(parameters.length > 0 && { parameters }),
    ...(route.body && { requestBody: { required: true, ...json(ref(route.body.schema)) } }),
    responses: {
      [success.status]: {
        description: success.description,
        ...(success.headers && { headers: headerObjects(success.headers) }),
        ...json(schemaRef(success.schema)),
      },
      ...(success.notModified && {
        304: {
          description: success.notModified,
          ...(success.headers && { headers: headerObjects(success.headers) }),
        },
      }),
      // Every call but a GET changes state: refused when a page of another origin sends it.
      ...errorResponses(...route.errors, ...(route.method === 'GET' ? [] : ['origin_not_allowed' as const])),
    },
  };
}

/** The paths of the document: each route under its path template, by method. */
function paths() {
  const byPath: Record<string, Record<string, unknown>> = {};
  for (const route of REST_ROUTES) {
    const template = templateOf(route.path);
    byPath[template] = { ...byPath[template], [route.method.toLowerCase()]: operationOf(route) };
  }
  return byPath;
}

export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'Database Connection API',
    version: '1.0.0',
    description:
      'Registers the databases a data platform works with, keeps their credentials, and hands them out. ' +
      'The same operations are available in GraphQL at /graphql.',
  },
  security: [{ apiKey: [] }],
  paths: paths(),
  components: {
    securitySchemes: {
      apiKey: {
        type: 'http',
        scheme: 'bearer',
        description:
          'An API key (`dcapi_…`), or an access token of the identity provider (OIDC_ISSUER). With neither configured, ' +
          'the service runs in local mode without one.',
      },
    },
    schemas: {
      DatabaseConnection: strictObject(
        Object.fromEntries(REST_FIELDS.map(([, field]) => [field.rest, fieldSchema(field)])),
      ),
      // Each request body, with the fields its route declares.
      ...Object.fromEntries(
        REST_ROUTES.flatMap((route) =>
          route.body
            ? [[route.body.schema, 'fields' in route.body ? inputSchema(route.body.fields) : route.body.jsonSchema]]
            : [],
        ),
      ),
      Dialect: strictObject({
        name: { type: 'string', enum: DIALECT_NAMES },
        label: { type: 'string' },
        default_port: { type: ['integer', 'null'] },
        schemes: { type: 'array', items: { type: 'string' } },
        supports: strictObject(
          Object.fromEntries(
            ['schemas', 'test', 'discovery', 'ssh', 'tls', 'file_database'].map((name) => [name, { type: 'boolean' }]),
          ),
        ),
        parameters: { type: 'object', description: 'A JSON Schema of the parameters of its URI.' },
      }),
      Workspace: strictObject({ name: { type: 'string' }, created_at: { type: 'string', format: 'date-time' } }),
      ApiKey: strictObject(API_KEY_PROPERTIES),
      CreatedApiKey: strictObject({
        ...API_KEY_PROPERTIES,
        key: { type: 'string', description: 'The key, to send as `Authorization: Bearer <key>`: shown only now.' },
      }),
      CodeAndMessage: strictObject({
        code: {
          type: 'string',
          enum: Object.keys(TEST_FAILURES),
          description: Object.entries(TEST_FAILURES)
            .map(([code, words]) => `\`${code}\`: ${words}`)
            .join(' '),
        },
        message: { type: 'string' },
      }),
      ConnectionTestResult: strictObject({
        ok: { type: 'boolean' },
        latency_ms: { type: 'number' },
        server_version: { type: ['string', 'null'] },
        error: { oneOf: [{ type: 'null' }, ref('CodeAndMessage')] },
      }),
      AuditEvent: strictObject({
        id: { type: 'string', description: 'Events are numbered in the order they were recorded.' },
        at: { type: 'string', format: 'date-time' },
        actor: { type: 'string', description: "The API key's name, `local`, or the tool that acted." },
        actor_id: {
          type: ['string', 'null'],
          description: 'Who acted, exactly: `key:<id>` or `oidc:<issuer>#<subject>`; null for local mode and tools.',
        },
        workspace: { type: ['string', 'null'], description: 'The workspace acted on.' },
        subject: {
          type: ['string', 'null'],
          description: 'The API key’s id, or a renamed workspace’s former name.',
        },
        action: { type: 'string', enum: AUDIT_ACTIONS },
        connection_id: { type: ['string', 'null'] },
        alias: { type: ['string', 'null'] },
        fields: { type: 'array', items: { type: 'string' }, description: 'Fields changed or revealed; never values.' },
        request_id: { type: ['string', 'null'] },
        outcome: { type: 'string', description: '`ok`, or what went wrong.' },
      }),
      DatabaseSchemas: SNAPSHOT_JSON_SCHEMA,
      SchemaChange: strictObject({
        kind: { type: 'string', enum: SCHEMA_CHANGE_KIND_NAMES, description: 'See docs/rest-api.md (the kinds).' },
        path: { type: 'string', description: '`schema.table` or `schema.table.column`.' },
        before: { type: ['string', 'null'] },
        after: { type: ['string', 'null'] },
        detected_at: { type: 'string', format: 'date-time' },
      }),
      Problem: {
        description: 'RFC 9457 problem details.',
        ...strictObject(
          {
            type: { const: 'about:blank' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            code: { type: 'string', enum: Object.keys(ERROR_CODES), description: 'Stable, for programs to branch on.' },
            instance: { type: 'string', description: 'The request path.' },
            errors: {
              type: 'array',
              description: 'With validation_failed and invalid_secret_reference: every invalid field.',
              items: strictObject({ field: { type: 'string' }, message: { type: 'string' } }),
            },
            reason: {
              ...ref('CodeAndMessage'),
              description: 'With connection_failed and unknown_schema: why the connection test failed.',
            },
          },
          ['type', 'title', 'status', 'detail', 'code', 'instance'],
        ),
      },
    },
  },
};
