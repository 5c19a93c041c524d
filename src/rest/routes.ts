/**
 * The REST routes, each declared once: method and path, the query parameters
 * and the body it takes (which are checked here, before anything runs), the
 * answers it gives and the error codes it may answer, and what it runs: the
 * GraphQL operation a read declares with the mapping of its answer (./answers.ts),
 * or a handler for what more a write does. The HTTP layer registers these
 * routes; the OpenAPI document (./openapi.ts) is generated from them.
 */

import type { z } from 'zod';
import { plainWords } from '../config-error.ts';
import type { ErrorCode } from '../error-codes.ts';
import {
  AUDIT_ACTIONS,
  AUDIT_PAGE_DEFAULT,
  AUDIT_PAGE_MAX,
  DIALECT_NAMES,
  type DialectName,
  fieldPath,
  HEALTH_STATUSES,
  type HealthStatus,
  SCHEMA_CHANGES_PAGE_DEFAULT,
  SCHEMA_CHANGES_PAGE_MAX,
  SCOPES,
  WORKSPACE_NAME_PATTERN,
} from '../graphql/entry.ts';
import {
  API_KEY_BODY,
  API_KEYS_PATH,
  type createAccessHandlers,
  restApiKey,
  restWorkspace,
  WORKSPACE_BODY,
  WORKSPACES_PATH,
} from './access.ts';
import { type Answer, itemAt, listAt } from './answers.ts';
import { AUDIT_EVENTS_PATH, type AuditQuery, type createAuditEventHandlers } from './audit-events.ts';
import { jsonObjectBody, type RestRequest, type RoutedRequest } from './body.ts';
import { toRest } from './connection-fields.ts';
import { type BodyShape, bodyShape, DOCUMENT_SHAPE, inputFromBody } from './connection-form.ts';
import type { createDatabaseConnectionHandlers } from './database-connections.ts';
import { COLLECTION_PATH, entityTag, notFoundProblem } from './database-connections.ts';
import { DIALECT_FIELDS, DIALECTS_PATH, restDialect } from './dialects.ts';
import { API_KEY_FIELDS, type Caller, CONNECTION_FIELDS, WORKSPACE_FIELDS } from './operations.ts';
import { invalidInput, ProblemResponse, problem } from './problem.ts';
import type { RestResponse } from './response.ts';
import type { createSchemaHistoryHandlers, SchemaChangesQuery } from './schema-history.ts';

/** The handlers of the routes that do more than run one operation and map its answer. */
export type RestHandlers = ReturnType<typeof createDatabaseConnectionHandlers> &
  ReturnType<typeof createSchemaHistoryHandlers> &
  ReturnType<typeof createAuditEventHandlers> &
  ReturnType<typeof createAccessHandlers>;

/** A body that is not a connection document: its zod shape, and its JSON Schema for the OpenAPI document. */
export interface PlainBody {
  schema: string;
  check: z.ZodType;
  jsonSchema: Record<string, unknown>;
}

/**
 * A query parameter: a boolean (`true`/`false`, default false), any text, a whole number from 1 to
 * `max`, or one of a list of names.
 */
export interface QueryParameter {
  name: string;
  description: string;
  values: 'boolean' | 'text' | { max: number } | readonly string[];
}

export interface HeaderDoc {
  name: string;
  description: string;
  schema: Record<string, unknown>;
  required?: boolean;
}

export interface SuccessDoc {
  status: number;
  description: string;
  /** A schema of the OpenAPI document's components; `[Name]` for an array of them. */
  schema: string;
  headers?: HeaderDoc[];
  /** When it may answer 304 Not Modified (If-None-Match): what that means. */
  notModified?: string;
}

/** What a route is, for the HTTP layer and the OpenAPI document. */
interface RouteDeclaration {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** `:id` stands for the connection id. */
  path: string;
  operationId: string;
  summary: string;
  description: string;
  query?: QueryParameter[];
  headers?: HeaderDoc[];
  body?: (BodyShape & { schema: string }) | PlainBody;
  success: SuccessDoc;
  errors: ErrorCode[];
}

/**
 * A route that runs one GraphQL operation, `graphql`, and answers its data mapped by `answer`. The
 * operation's variables are the request's path and query parameters of the same names (`$id`, `$reveal`).
 */
export interface DeclaredRoute extends RouteDeclaration {
  graphql: `query ${string}`;
  answer: Answer;
}

/** A route whose handler does more: a write's typed errors, idempotency, paging, a stream. */
export interface HandledRoute extends RouteDeclaration {
  handle(handlers: RestHandlers, caller: Caller, request: RoutedRequest): Promise<RestResponse>;
}

export type RestRoute = DeclaredRoute | HandledRoute;

const ITEM_PATH = `${COLLECTION_PATH}/:id`;

// --- What routes share ---------------------------------------------------------

/** Errors any authenticated call may answer. */
const COMMON: ErrorCode[] = [
  'unauthenticated',
  'forbidden',
  'host_not_allowed',
  'too_many_requests',
  'too_many_authentication_failures',
  'internal_error',
  'database_unavailable',
];
/** Errors of calls that send a JSON body. */
const BODY: ErrorCode[] = ['validation_failed', 'malformed_json', 'payload_too_large', 'unsupported_media_type'];
/** What the rules of a connection document may refuse. */
const RULES: ErrorCode[] = [
  'unsupported_dialect',
  'schemas_not_supported',
  'unsafe_database_uri',
  'invalid_secret_reference',
];
/** Errors of calls that connect to the database a connection names. */
const CONNECTING: ErrorCode[] = [
  'target_not_allowed',
  'connection_failed',
  'unknown_schema',
  'dialect_not_testable',
  'too_many_tests',
];

/** The document of a create or replace: every field, the defaults filling what the body left out. */
const DOCUMENT = { schema: 'DatabaseConnectionInput', ...DOCUMENT_SHAPE };

const TEST: QueryParameter = {
  name: 'test',
  description:
    'Connect with the real driver first, and write nothing unless it works; written, the test is its health until the next scheduled check.',
  values: 'boolean',
};
const IF_MATCH: HeaderDoc = {
  name: 'If-Match',
  description:
    'An ETag this API gave (`"3"`), or `*`: write only if the connection is still at that version, else 412.',
  schema: { type: 'string' },
};
const ETAG: HeaderDoc = {
  name: 'ETag',
  description: 'The version of the connection, e.g. `"3"`: send it in `If-Match` to write only that version.',
  required: true,
  schema: { type: 'string', pattern: '^"[0-9]+"$' },
};

const idOf = (request: RoutedRequest) => request.params.id ?? '';
const nameOf = (request: RoutedRequest) => request.params.name ?? '';
const flag = (request: RoutedRequest, name: string) => request.parameters[name] === true;
/** A header's value, the first when it came more than once. */
const headerOf = (request: RoutedRequest, name: string) => [request.headers[name]].flat()[0];

// --- Workspaces and API keys ---------------------------------------------------------

const WORKSPACE_ITEM = `${WORKSPACES_PATH}/:name`;
const WORKSPACE_BODY_DOC: PlainBody = {
  schema: 'WorkspaceInput',
  check: WORKSPACE_BODY,
  jsonSchema: {
    type: 'object',
    required: ['name'],
    additionalProperties: false,
    properties: { name: { type: 'string', pattern: WORKSPACE_NAME_PATTERN.source } },
  },
};
/** A grant in a request body, and in the keys the API answers. */
export const GRANT_JSON_SCHEMA = {
  type: 'object',
  required: ['workspace', 'scopes'],
  additionalProperties: false,
  properties: {
    workspace: { type: 'string', description: 'A workspace’s name, or `*` for every workspace.' },
    scopes: { type: 'array', minItems: 1, items: { type: 'string', enum: SCOPES } },
  },
};

const ACCESS_ROUTES: RestRoute[] = [
  {
    method: 'GET',
    path: WORKSPACES_PATH,
    operationId: 'listWorkspaces',
    summary: 'List workspaces',
    description: 'The workspaces the caller’s grants name (every workspace with a grant on `*`), by name.',
    success: { status: 200, description: 'The workspaces.', schema: '[Workspace]' },
    errors: COMMON,
    graphql: `query RestListWorkspaces { workspaces { ${WORKSPACE_FIELDS} } }`,
    answer: listAt('workspaces', restWorkspace),
  },
  {
    method: 'POST',
    path: WORKSPACES_PATH,
    operationId: 'createWorkspace',
    summary: 'Create a workspace',
    description: 'Needs access:admin in every workspace.',
    body: WORKSPACE_BODY_DOC,
    success: {
      status: 201,
      description: 'Created.',
      schema: 'Workspace',
      headers: [{ name: 'Location', description: 'The new workspace.', required: true, schema: { type: 'string' } }],
    },
    errors: [...BODY, 'workspace_conflict', ...COMMON],
    handle: (rest, caller, request) => rest.createWorkspace(caller, request.input as { name: string }),
  },
  {
    method: 'PUT',
    path: WORKSPACE_ITEM,
    operationId: 'renameWorkspace',
    summary: 'Rename a workspace',
    description:
      'Its connections, and the grants of keys made through the API, follow the new name. The `default` ' +
      'workspace keeps its name. Needs access:admin in every workspace.',
    body: WORKSPACE_BODY_DOC,
    success: { status: 200, description: 'The renamed workspace.', schema: 'Workspace' },
    errors: [...BODY, 'workspace_not_found', 'workspace_conflict', ...COMMON],
    handle: (rest, caller, request) => rest.renameWorkspace(caller, nameOf(request), request.input as { name: string }),
  },
  {
    method: 'DELETE',
    path: WORKSPACE_ITEM,
    operationId: 'deleteWorkspace',
    summary: 'Delete an empty workspace',
    description: 'Answers the workspace as it was. Not `default`. Needs access:admin in every workspace.',
    success: { status: 200, description: 'The deleted workspace.', schema: 'Workspace' },
    errors: ['validation_failed', 'workspace_not_found', 'workspace_not_empty', ...COMMON],
    handle: (rest, caller, request) => rest.deleteWorkspace(caller, nameOf(request)),
  },
  {
    method: 'GET',
    path: API_KEYS_PATH,
    operationId: 'listApiKeys',
    summary: 'List API keys',
    description:
      'The keys made through the API that the caller administers (access:admin in every workspace their grants ' +
      'name), newest first; never the keys themselves.',
    success: { status: 200, description: 'The keys.', schema: '[ApiKey]' },
    errors: COMMON,
    graphql: `query RestListApiKeys { apiKeys { ${API_KEY_FIELDS} } }`,
    answer: listAt('apiKeys', restApiKey),
  },
  {
    method: 'POST',
    path: API_KEYS_PATH,
    operationId: 'createApiKey',
    summary: 'Create an API key',
    description:
      'The key is in this answer only (stored as its SHA-256). Needs access:admin in every workspace the grants ' +
      'name (in every workspace for a grant on `*`).',
    body: {
      schema: 'ApiKeyInput',
      check: API_KEY_BODY,
      jsonSchema: {
        type: 'object',
        required: ['name', 'grants'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 100 },
          grants: { type: 'array', minItems: 1, items: GRANT_JSON_SCHEMA },
          expires_at: { type: ['string', 'null'], format: 'date-time', description: 'Left out: never expires.' },
        },
      },
    },
    success: {
      status: 201,
      description: 'Created: the key is shown this once.',
      schema: 'CreatedApiKey',
      headers: [{ name: 'Location', description: 'The new key.', required: true, schema: { type: 'string' } }],
    },
    errors: [...BODY, ...COMMON],
    handle: (rest, caller, request) => rest.createApiKey(caller, request.input as z.infer<typeof API_KEY_BODY>),
  },
  {
    method: 'DELETE',
    path: `${API_KEYS_PATH}/:id`,
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key',
    description: 'Refused at once, on every instance. Answers the key as it is now.',
    success: { status: 200, description: 'The revoked key.', schema: 'ApiKey' },
    errors: ['api_key_not_found', ...COMMON],
    handle: (rest, caller, request) => rest.revokeApiKey(caller, idOf(request)),
  },
];

export const REST_ROUTES: RestRoute[] = [
  {
    method: 'GET',
    path: COLLECTION_PATH,
    operationId: 'listDatabaseConnections',
    summary: 'List database connections',
    description:
      'Every connection of the workspaces where the caller holds connections:read or connections:write, oldest first.',
    query: [
      { name: 'workspace', description: 'Only the connections of this workspace.', values: 'text' },
      { name: 'dialect', description: 'Only connections to this kind of database.', values: DIALECT_NAMES },
      { name: 'health', description: 'Only connections whose last health check says so.', values: HEALTH_STATUSES },
    ],
    success: { status: 200, description: 'The connections.', schema: '[DatabaseConnection]' },
    errors: ['validation_failed', ...COMMON],
    handle: (rest, caller, { parameters }) =>
      rest.list(caller, {
        workspace: parameters.workspace as string | undefined,
        dialect: parameters.dialect as DialectName | undefined,
        health: parameters.health as HealthStatus | undefined,
      }),
  },
  {
    method: 'POST',
    path: COLLECTION_PATH,
    operationId: 'createDatabaseConnection',
    summary: 'Create a database connection',
    description: 'Needs connections:write.',
    query: [TEST],
    headers: [
      {
        name: 'Idempotency-Key',
        description:
          'Retry safely: the first success for this key is answered again for 24 h, and nothing new is created.',
        schema: { type: 'string', minLength: 1, maxLength: 255 },
      },
    ],
    body: DOCUMENT,
    success: {
      status: 201,
      description: 'Created.',
      schema: 'DatabaseConnection',
      headers: [
        { name: 'Location', description: 'The new connection.', required: true, schema: { type: 'string' } },
        ETAG,
        {
          name: 'Idempotent-Replayed',
          description: '`true` when this is the kept answer to an earlier request with the same Idempotency-Key.',
          schema: { type: 'string' },
        },
      ],
    },
    errors: [
      ...BODY,
      ...RULES,
      'alias_conflict',
      'idempotency_key_in_use',
      'idempotency_key_reused',
      ...CONNECTING,
      ...COMMON,
    ],
    handle: (rest, caller, request) => rest.create(caller, request, flag(request, 'test')),
  },
  {
    method: 'POST',
    path: `${COLLECTION_PATH}/test`,
    operationId: 'testConnectionUri',
    summary: 'Test a connection URI before saving it',
    description:
      'Connects with the real driver and answers the outcome; saves nothing. The body holds `connection_uri`, or ' +
      '`dialect` and `parameters` in its place. Needs connections:write; secret references, connections:write in ' +
      'the `workspace` given (default: default), which must allow them.',
    body: {
      schema: 'ConnectionUriTest',
      ...bodyShape(
        ['connectionUri', 'dialect', 'parameters', 'schemas', 'useSsh', 'sshSettings', 'tlsSettings', 'workspace'],
        {
          fillDefaults: false,
          noun: 'a connection test',
        },
      ),
    },
    success: { status: 200, description: 'The outcome, working or not.', schema: 'ConnectionTestResult' },
    errors: [...BODY, ...RULES, ...CONNECTING, ...COMMON],
    handle: (rest, caller, request) => rest.testUri(caller, request.input),
  },
  {
    method: 'GET',
    path: ITEM_PATH,
    operationId: 'getDatabaseConnection',
    summary: 'Get a database connection',
    description: 'Needs connections:read; `reveal=true` also needs connections:reveal.',
    query: [{ name: 'reveal', description: 'Show the URI with its secrets (the call is logged).', values: 'boolean' }],
    success: { status: 200, description: 'The connection.', schema: 'DatabaseConnection', headers: [ETAG] },
    errors: ['validation_failed', 'not_found', ...COMMON],
    graphql: `query RestGetDatabaseConnection($id: ID!, $reveal: Boolean = false) {
  databaseConnection(id: $id) { ...RestConnection }
}
${CONNECTION_FIELDS}`,
    answer: itemAt(
      'databaseConnection',
      toRest,
      (request) => new ProblemResponse(notFoundProblem(idOf(request))),
      (connection) => ({ etag: entityTag(connection) }),
    ),
  },
  {
    method: 'PUT',
    path: ITEM_PATH,
    operationId: 'updateDatabaseConnection',
    summary: 'Update (replace) a database connection',
    description:
      'Replaces the document: fields left out take their defaults. A `connection_uri` holding `****` where a ' +
      'secret goes keeps the stored secret. Needs connections:write.',
    query: [TEST],
    headers: [IF_MATCH],
    body: DOCUMENT,
    success: { status: 200, description: 'The updated connection.', schema: 'DatabaseConnection', headers: [ETAG] },
    errors: [
      ...BODY,
      ...RULES,
      'not_found',
      'managed_connection',
      'alias_conflict',
      'version_mismatch',
      ...CONNECTING,
      ...COMMON,
    ],
    handle: (rest, caller, request) => rest.replace(caller, request, idOf(request), flag(request, 'test')),
  },
  {
    method: 'DELETE',
    path: ITEM_PATH,
    operationId: 'deleteDatabaseConnection',
    summary: 'Delete a database connection',
    description: 'Answers the connection as it was. Needs connections:write.',
    headers: [IF_MATCH],
    success: { status: 200, description: 'The deleted connection.', schema: 'DatabaseConnection', headers: [ETAG] },
    errors: ['not_found', 'managed_connection', 'version_mismatch', ...COMMON],
    handle: (rest, caller, request) => rest.delete(caller, idOf(request), request.headers['if-match']),
  },
  {
    method: 'POST',
    path: `${ITEM_PATH}/test`,
    operationId: 'testDatabaseConnection',
    summary: 'Test a saved connection',
    description: 'Needs connections:read.',
    success: { status: 200, description: 'The outcome, working or not.', schema: 'ConnectionTestResult' },
    errors: ['not_found', ...CONNECTING, ...COMMON],
    handle: (rest, caller, request) => rest.test(caller, idOf(request)),
  },
  {
    method: 'GET',
    path: `${ITEM_PATH}/schemas`,
    operationId: 'getDatabaseSchemas',
    summary: "A connection's schemas, tables and columns, from its latest scan",
    description:
      "The latest snapshot of the connection's catalog, limited to its schemas when it has any: scanned now on the " +
      'first call, when the connection changed since, or with `refresh=true`. A scan that finds changes records ' +
      'them (…/schema-changes), writes a schema_changed audit event and publishes SCHEMA_CHANGED. Needs connections:read.',
    query: [{ name: 'refresh', description: 'Scan the database now.', values: 'boolean' }],
    headers: [
      {
        name: 'If-None-Match',
        description:
          'The ETag of a snapshot read before (compared weakly: W/"…" or "…"), or *: 304, with no body, while the ' +
          'catalog is still that.',
        schema: { type: 'string' },
      },
    ],
    success: {
      status: 200,
      description: 'The schemas, and when a scan last found them.',
      schema: 'DatabaseSchemas',
      headers: [
        {
          name: 'ETag',
          description:
            'A weak entity tag (W/"…") of the snapshot\'s content hash (SHA-256 of its canonical form, row estimates ' +
            'aside): scanned_at and row estimates may change under it.',
          schema: { type: 'string' },
        },
      ],
      notModified: 'The catalog is still the one of the If-None-Match ETag.',
    },
    errors: ['not_found', ...CONNECTING, 'catalog_too_large', ...COMMON],
    handle: (rest, caller, request) =>
      rest.schemas(caller, idOf(request), flag(request, 'refresh'), headerOf(request, 'if-none-match')),
  },
  {
    method: 'GET',
    path: `${ITEM_PATH}/schema-changes`,
    operationId: 'listSchemaChanges',
    summary: "What scans found changed in a connection's schemas",
    description:
      "The newest scan first, each scan's changes in path order, a page at a time (the next page is in the Link " +
      'header, rel="next"). A rename is a removal and an addition. Needs connections:read.',
    query: [
      { name: 'since', description: 'Only changes detected at or after this moment (ISO 8601).', values: 'text' },
      {
        name: 'limit',
        description: `Changes a page (default ${SCHEMA_CHANGES_PAGE_DEFAULT}).`,
        values: { max: SCHEMA_CHANGES_PAGE_MAX },
      },
      { name: 'cursor', description: 'Where the page starts: from the Link header of the one before.', values: 'text' },
    ],
    success: {
      status: 200,
      description: "A page of changes, the newest scan first, each scan's in path order.",
      schema: '[SchemaChange]',
      headers: [
        {
          name: 'Link',
          description: 'The next page, `<…?cursor=…>; rel="next"`, when there is one.',
          schema: { type: 'string' },
        },
      ],
    },
    errors: ['not_found', 'validation_failed', ...COMMON],
    handle: (rest, caller, request) =>
      rest.schemaChanges(caller, idOf(request), request.parameters as SchemaChangesQuery),
  },
  {
    method: 'GET',
    path: AUDIT_EVENTS_PATH,
    operationId: 'listAuditEvents',
    summary: 'Read the audit trail',
    description:
      'Who created, changed, deleted, revealed or tested which connection, and when; newest first, a page at a ' +
      'time (the next page is in the Link header, rel="next"). Needs audit:read.',
    query: [
      { name: 'connection_id', description: 'Only the events of this connection.', values: 'text' },
      { name: 'action', description: 'Only events of this kind.', values: AUDIT_ACTIONS },
      { name: 'since', description: 'Only events at or after this moment (ISO 8601).', values: 'text' },
      {
        name: 'limit',
        description: `Events a page (default ${AUDIT_PAGE_DEFAULT}).`,
        values: { max: AUDIT_PAGE_MAX },
      },
      { name: 'cursor', description: 'Where the page starts: from the Link header of the one before.', values: 'text' },
    ],
    success: {
      status: 200,
      description: 'A page of events, newest first.',
      schema: '[AuditEvent]',
      headers: [
        {
          name: 'Link',
          description: 'The next page, `<…?cursor=…>; rel="next"`, when there is one.',
          schema: { type: 'string' },
        },
      ],
    },
    errors: ['validation_failed', ...COMMON],
    handle: (rest, caller, request) => rest.auditEvents(caller, request.parameters as AuditQuery),
  },
  ...ACCESS_ROUTES,
  {
    method: 'GET',
    path: DIALECTS_PATH,
    operationId: 'listDialects',
    summary: 'List the dialects',
    description:
      'Every kind of database: its label, default port, URI schemes, what it supports, and a JSON Schema of its ' +
      'URI’s parameters (secrets marked `format: password`, `x-secret: true`).',
    success: { status: 200, description: 'The dialects.', schema: '[Dialect]' },
    errors: COMMON,
    graphql: `query RestDialects { dialects { ${DIALECT_FIELDS} } }`,
    answer: listAt('dialects', restDialect),
  },
];

// --- Reading a request as its route declares it -----------------------------------

function readParameter({ name, values }: QueryParameter, value: string | string[] | undefined) {
  if (value === undefined) return values === 'boolean' ? false : undefined;
  const refuse = (message: string) => {
    throw invalidInput([{ field: name, message }], `query parameter ${name}`);
  };
  if (typeof value !== 'string') return refuse('must be given once');
  if (values === 'boolean')
    return value === 'true' || value === 'false' ? value === 'true' : refuse('must be true or false');
  // Nothing holds a control character: a NUL would reach the database in a condition.
  if (values === 'text') return /\p{Cc}/u.test(value) ? refuse('must not contain control characters') : value;
  if (Array.isArray(values)) return values.includes(value) ? value : refuse(`must be one of ${values.join(', ')}`);
  const { max } = values as { max: number };
  const number = /^[0-9]{1,9}$/.test(value) ? Number(value) : 0;
  return number >= 1 && number <= max ? number : refuse(`must be a whole number from 1 to ${max}`);
}

/** The request as its route declares it: query parameters read, body checked for its shape and renamed. */
export function readRequest(
  route: RestRoute,
  request: RestRequest & { params: RoutedRequest['params']; query: Record<string, string | string[] | undefined> },
): RoutedRequest {
  const parameters = Object.fromEntries(
    (route.query ?? []).map((parameter) => [parameter.name, readParameter(parameter, request.query[parameter.name])]),
  );
  let input: Record<string, unknown> = {};
  if (route.body && !('fields' in route.body)) {
    // In the words the settings use (`is "x", which is not one of …`), not zod's own.
    const result = route.body.check.safeParse(jsonObjectBody(request), { error: plainWords });
    if (!result.success) {
      throw invalidInput(
        result.error.issues.map((issue) => ({ field: fieldPath(issue.path), message: issue.message })),
      );
    }
    input = result.data as Record<string, unknown>;
  } else if (route.body) {
    const result = inputFromBody(jsonObjectBody(request), route.body);
    if ('problems' in result) throw invalidInput(result.problems);
    input = result.input;
  }
  return { headers: request.headers, body: request.body, params: request.params, parameters, input };
}

/** A route's path as the OpenAPI document and the metrics write it: `:id` → `{id}`. */
export const templateOf = (path: string) => path.replace(/:(\w+)/g, '{$1}');

export const methodNotAllowed = (allowed: string[]) =>
  new ProblemResponse(problem('method_not_allowed', `This path supports ${allowed.join(', ')}.`), {
    allow: allowed.join(', '),
  });

export const routeNotFound = (path: string) =>
  new ProblemResponse(problem('route_not_found', `There is no resource at ${path}.`));
