/**
 * The OpenAPI 3.1 description of the REST facade, served at
 * /api/v1/openapi.json. A test checks real responses of every route against
 * it (test/openapi.test.ts), so it has to say what the service does.
 */
import { DIALECT_NAMES } from '../dialects/registry.ts';
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

/** A documented error status: a problem+json body, with the codes it can carry. */
function problemResponse(description: string, codes: string[], headers?: object) {
  return {
    description: `${description} Codes: ${codes.map((code) => `\`${code}\``).join(', ')}.`,
    ...(headers && { headers }),
    content: { 'application/problem+json': { schema: ref('Problem') } },
  };
}

const retryAfter = { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'string' } } };
const etag = {
  ETag: {
    description: 'The version of the connection, e.g. `"3"`: send it in `If-Match` to write only that version.',
    required: true,
    schema: { type: 'string', pattern: '^"[0-9]+"$' },
  },
};

/** Errors any authenticated call may answer. */
const COMMON_ERRORS = {
  401: problemResponse('No API key, or an unknown one (only when API keys are configured).', ['unauthenticated']),
  403: problemResponse('The API key lacks the scope the call needs.', ['forbidden']),
  500: problemResponse('An unexpected failure; the cause is in the server log.', ['internal_error']),
  503: problemResponse('The database cannot be reached.', ['database_unavailable'], retryAfter),
};
/** Errors of calls that send a JSON body. */
const BODY_ERRORS = {
  413: problemResponse('The body is over 1 MiB.', ['payload_too_large']),
  415: problemResponse('The body is not sent as application/json.', ['unsupported_media_type']),
};
const VALIDATION = problemResponse('The request is invalid; nothing was written.', [
  'validation_failed',
  'malformed_json',
  'unsupported_dialect',
  'schemas_not_supported',
  'unsafe_database_uri',
  'unknown_schema',
]);
const NOT_FOUND = problemResponse('No connection has this id.', ['not_found']);
const TEST_ERRORS = {
  422: problemResponse('With `test=true`: the connection does not work, or cannot be tested.', [
    'connection_failed',
    'dialect_not_testable',
  ]),
  429: problemResponse('Too many connection tests at once.', ['too_many_tests'], retryAfter),
};

/** Errors of calls that connect to the database a connection names. */
const CONNECTING_ERRORS = {
  ...TEST_ERRORS,
  ...COMMON_ERRORS,
  403: problemResponse('The API key lacks the scope, or the target address is denied.', [
    'forbidden',
    'target_not_allowed',
  ]),
};

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
          400: problemResponse('An invalid query parameter.', ['validation_failed']),
          ...COMMON_ERRORS,
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
          400: VALIDATION,
          409: problemResponse('The alias is taken, or a request with this Idempotency-Key is still running.', [
            'alias_conflict',
            'idempotency_key_in_use',
          ]),
          ...BODY_ERRORS,
          422: problemResponse(
            'With `test=true`, the connection does not work or cannot be tested; or the Idempotency-Key was used with another request.',
            ['connection_failed', 'dialect_not_testable', 'idempotency_key_reused'],
          ),
          429: TEST_ERRORS[429],
          ...COMMON_ERRORS,
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
          400: VALIDATION,
          ...BODY_ERRORS,
          ...CONNECTING_ERRORS,
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
          400: problemResponse('An invalid query parameter.', ['validation_failed']),
          404: NOT_FOUND,
          ...COMMON_ERRORS,
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
          400: VALIDATION,
          404: NOT_FOUND,
          409: problemResponse('Another connection has this alias.', ['alias_conflict']),
          412: problemResponse('The connection is no longer at the If-Match version.', ['version_mismatch']),
          ...BODY_ERRORS,
          ...TEST_ERRORS,
          ...COMMON_ERRORS,
        },
      },
      delete: {
        operationId: 'deleteDatabaseConnection',
        summary: 'Delete a database connection',
        description: 'Answers the connection as it was. Needs connections:write.',
        parameters: [IF_MATCH],
        responses: {
          200: { description: 'The deleted connection.', headers: etag, ...json(ref('DatabaseConnection')) },
          404: NOT_FOUND,
          412: problemResponse('The connection is no longer at the If-Match version.', ['version_mismatch']),
          ...COMMON_ERRORS,
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
          404: NOT_FOUND,
          ...CONNECTING_ERRORS,
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
          400: problemResponse('A schema of the connection does not exist in the database.', ['unknown_schema']),
          404: NOT_FOUND,
          ...CONNECTING_ERRORS,
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
      DatabaseConnection: strictObject({
        id: { type: 'string', format: 'uuid' },
        alias: { type: 'string', minLength: 1, maxLength: 255 },
        connection_uri: {
          type: 'string',
          description: 'Secrets shown as `****` unless revealed.',
          examples: ['postgresql://user:****@localhost/dbname'],
        },
        dialect: { type: 'string', enum: DIALECT_NAMES },
        schemas: { type: 'array', items: { type: 'string' } },
        metadata: { type: 'object' },
        created_at: { type: 'string', format: 'date-time' },
        updated_at: { type: 'string', format: 'date-time' },
      }),
      DatabaseConnectionInput: strictObject(
        {
          alias: { type: 'string', minLength: 1, maxLength: 255 },
          connection_uri: {
            type: 'string',
            maxLength: 2048,
            examples: ['postgresql://user:password@localhost/dbname'],
          },
          schemas: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true, default: [] },
          metadata: { type: 'object', default: {} },
        },
        ['alias', 'connection_uri'],
      ),
      ConnectionUriTest: strictObject(
        { connection_uri: { type: 'string' }, schemas: { type: 'array', items: { type: 'string' } } },
        ['connection_uri'],
      ),
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
            code: { type: 'string', description: 'Stable, for programs to branch on.' },
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
