/**
 * The OpenAPI 3.1 description of the REST facade, served at
 * /api/v1/openapi.json. A test checks real responses of every route against
 * it (test/openapi.test.ts), so it has to say what the service does.
 */
import { type ConnectionFieldName, type FieldDeclaration, INPUT_FIELDS, REST_FIELDS } from '../connections/fields.ts';
import { DIALECT_NAMES } from '../dialects/registry.ts';
import { ERROR_CODES, type ErrorCode } from '../error-codes.ts';
import { COLLECTION_PATH } from './database-connections.ts';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
/** An object with these properties and no other, all of them required unless `required` says otherwise. */
const strictObject = (properties: Record<string, object>, required = Object.keys(properties)) => ({
  type: 'object',
  required,
  additionalProperties: false,
  properties,
});

/** Codes whose answers carry Retry-After. */
const RETRY_AFTER_CODES = new Set<ErrorCode>([
  'too_many_requests',
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

const etag = {
  ETag: {
    description: 'The version of the connection, e.g. `"3"`: send it in `If-Match` to write only that version.',
    required: true,
    schema: { type: 'string', pattern: '^"[0-9]+"$' },
  },
};

/** Errors any authenticated call may answer. */
const COMMON: ErrorCode[] = [
  'unauthenticated',
  'forbidden',
  'too_many_requests',
  'internal_error',
  'database_unavailable',
];
/** Errors of calls that send a JSON body. */
const BODY: ErrorCode[] = ['validation_failed', 'malformed_json', 'payload_too_large', 'unsupported_media_type'];
/** What the rules of a connection document may refuse. */
const RULES: ErrorCode[] = ['unsupported_dialect', 'schemas_not_supported', 'unsafe_database_uri'];
/** Errors of calls that connect to the database a connection names. */
const CONNECTING: ErrorCode[] = [
  'target_not_allowed',
  'connection_failed',
  'unknown_schema',
  'dialect_not_testable',
  'too_many_tests',
];

/** A field's JSON Schema, with its description. */
const fieldSchema = (field: FieldDeclaration) => ({ ...field.value.jsonSchema, description: field.description });

/**
 * A request body of these input fields. Defaults are told in the descriptions, not as `default`:
 * client generators take a property with a default for one the client must send.
 */
function inputSchema(names: ConnectionFieldName[]) {
  const fields = INPUT_FIELDS.filter(([name]) => names.includes(name));
  return strictObject(
    Object.fromEntries(fields.map(([name, field]) => [field.rest ?? name, fieldSchema(field)])),
    fields.filter(([, field]) => field.input?.required).map(([name, field]) => field.rest ?? name),
  );
}

const ID = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The connection id (a UUID). Anything else is unknown: 404.',
  schema: { type: 'string' },
};
const TEST = {
  name: 'test',
  in: 'query',
  description: 'Connect with the real driver first, and write nothing unless it works.',
  schema: { type: 'boolean', default: false },
};
const IF_MATCH = {
  name: 'If-Match',
  in: 'header',
  description:
    'An ETag this API gave (`"3"`), or `*`: write only if the connection is still at that version, else 412.',
  schema: { type: 'string' },
};

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
  paths: {
    [COLLECTION_PATH]: {
      get: {
        operationId: 'listDatabaseConnections',
        summary: 'List database connections',
        description: 'Every connection, oldest first. Needs connections:read.',
        parameters: [
          {
            name: 'dialect',
            in: 'query',
            description: 'Only connections to this kind of database.',
            schema: { type: 'string', enum: DIALECT_NAMES },
          },
        ],
        responses: {
          200: { description: 'The connections.', ...json({ type: 'array', items: ref('DatabaseConnection') }) },
          ...errorResponses('validation_failed', ...COMMON),
        },
      },
      post: {
        operationId: 'createDatabaseConnection',
        summary: 'Create a database connection',
        description: 'Needs connections:write.',
        parameters: [
          TEST,
          {
            name: 'Idempotency-Key',
            in: 'header',
            description:
              'Retry safely: the first success for this key is answered again for 24 h, and nothing new is created.',
            schema: { type: 'string', minLength: 1, maxLength: 255 },
          },
        ],
        requestBody: { required: true, ...json(ref('DatabaseConnectionInput')) },
        responses: {
          201: {
            description: 'Created.',
            headers: {
              Location: { description: 'The new connection.', required: true, schema: { type: 'string' } },
              ...etag,
              'Idempotent-Replayed': {
                description: '`true` when this is the kept answer to an earlier request with the same Idempotency-Key.',
                schema: { type: 'string' },
              },
            },
            ...json(ref('DatabaseConnection')),
          },
          ...errorResponses(
            ...BODY,
            ...RULES,
            'alias_conflict',
            'idempotency_key_in_use',
            'idempotency_key_reused',
            ...CONNECTING,
            ...COMMON,
          ),
        },
      },
    },
    [`${COLLECTION_PATH}/test`]: {
      post: {
        operationId: 'testConnectionUri',
        summary: 'Test a connection URI before saving it',
        description: 'Connects with the real driver and answers the outcome; saves nothing. Needs connections:write.',
        requestBody: { required: true, ...json(ref('ConnectionUriTest')) },
        responses: {
          200: { description: 'The outcome, working or not.', ...json(ref('ConnectionTestResult')) },
          ...errorResponses(...BODY, ...RULES, ...CONNECTING, ...COMMON),
        },
      },
    },
    [`${COLLECTION_PATH}/{id}`]: {
      parameters: [ID],
      get: {
        operationId: 'getDatabaseConnection',
        summary: 'Get a database connection',
        description: 'Needs connections:read; `reveal=true` also needs connections:reveal.',
        parameters: [
          {
            name: 'reveal',
            in: 'query',
            description: 'Show the URI with its secrets (the call is logged).',
            schema: { type: 'boolean', default: false },
          },
        ],
        responses: {
          200: { description: 'The connection.', headers: etag, ...json(ref('DatabaseConnection')) },
          ...errorResponses('validation_failed', 'not_found', ...COMMON),
        },
      },
      put: {
        operationId: 'updateDatabaseConnection',
        summary: 'Update (replace) a database connection',
        description:
          'Replaces the document: fields left out take their defaults. A `connection_uri` holding `****` where a ' +
          'secret goes keeps the stored secret. Needs connections:write.',
        parameters: [TEST, IF_MATCH],
        requestBody: { required: true, ...json(ref('DatabaseConnectionInput')) },
        responses: {
          200: { description: 'The updated connection.', headers: etag, ...json(ref('DatabaseConnection')) },
          ...errorResponses(
            ...BODY,
            ...RULES,
            'not_found',
            'alias_conflict',
            'version_mismatch',
            ...CONNECTING,
            ...COMMON,
          ),
        },
      },
      delete: {
        operationId: 'deleteDatabaseConnection',
        summary: 'Delete a database connection',
        description: 'Answers the connection as it was. Needs connections:write.',
        parameters: [IF_MATCH],
        responses: {
          200: { description: 'The deleted connection.', headers: etag, ...json(ref('DatabaseConnection')) },
          ...errorResponses('not_found', 'version_mismatch', ...COMMON),
        },
      },
    },
    [`${COLLECTION_PATH}/{id}/test`]: {
      parameters: [ID],
      post: {
        operationId: 'testDatabaseConnection',
        summary: 'Test a saved connection',
        description: 'Needs connections:read.',
        responses: {
          200: { description: 'The outcome, working or not.', ...json(ref('ConnectionTestResult')) },
          ...errorResponses('not_found', ...CONNECTING, ...COMMON),
        },
      },
    },
    [`${COLLECTION_PATH}/{id}/schemas`]: {
      parameters: [ID],
      get: {
        operationId: 'getDatabaseSchemas',
        summary: "Discover a connection's schemas, tables and columns",
        description: "Limited to the connection's schemas when it has any. Needs connections:read.",
        responses: {
          200: { description: 'The schemas.', ...json(ref('DatabaseSchemas')) },
          ...errorResponses('not_found', ...CONNECTING, ...COMMON),
        },
      },
    },
  },
  components: {
    securitySchemes: {
      apiKey: {
        type: 'http',
        scheme: 'bearer',
        description: 'An API key (`dcapi_…`). With no keys configured, the service runs in local mode without one.',
      },
    },
    schemas: {
      DatabaseConnection: strictObject(
        Object.fromEntries(REST_FIELDS.map(([, field]) => [field.rest, fieldSchema(field)])),
      ),
      DatabaseConnectionInput: inputSchema(INPUT_FIELDS.map(([name]) => name)),
      ConnectionUriTest: inputSchema(['connectionUri', 'schemas']),
      CodeAndMessage: strictObject({ code: { type: 'string' }, message: { type: 'string' } }),
      ConnectionTestResult: strictObject({
        ok: { type: 'boolean' },
        latency_ms: { type: 'number' },
        server_version: { type: ['string', 'null'] },
        error: { oneOf: [{ type: 'null' }, ref('CodeAndMessage')] },
      }),
      DatabaseSchemas: strictObject({
        schemas: {
          type: 'array',
          items: strictObject({
            name: { type: 'string' },
            tables: {
              type: 'array',
              items: strictObject({
                name: { type: 'string' },
                type: { type: 'string', enum: ['table', 'view'] },
                columns: {
                  type: 'array',
                  items: strictObject({
                    name: { type: 'string' },
                    type: { type: 'string' },
                    nullable: { type: 'boolean' },
                  }),
                },
              }),
            },
          }),
        },
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
              description: 'With validation_failed: every invalid field.',
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
