/**
 * The fixed GraphQL operations behind the REST routes, parsed and validated once
 * at start-up, and run on Yoga's envelop pipeline, so every plugin that guards
 * /graphql guards REST too.
 */
import { type DocumentNode, type ExecutionResult, parse, validate } from 'graphql';
import type { RequestContext } from '../graphql/entry.ts';
import { DATABASE_UNAVAILABLE, FORBIDDEN, trustedDocuments, type Yoga } from '../graphql/entry.ts';
import { CONNECTION_SELECTION } from './connection-fields.ts';
import { SNAPSHOT_SELECTION } from './discovery.ts';
import { databaseUnavailable, ProblemResponse, problem } from './problem.ts';

// Every operation declares $reveal (false unless GET ?reveal=true asks), which this fragment uses.
export const CONNECTION_FIELDS = `fragment RestConnection on DatabaseConnection { ${CONNECTION_SELECTION} }`;

const ERROR_FIELDS = `fragment RestError on Error {
  code message
  ... on ValidationError { fieldErrors { field message } }
  ... on ConnectionFailedError { reason { code message } }
}`;

const TEST_RESULT_FIELDS = `fragment RestTestResult on ConnectionTestResult {
  ok latencyMs serverVersion error { code message }
}`;

/** A test mutation, whose success is the ConnectionTestResult itself. */
function testMutation(name: string, args: string, call: string): string {
  return `mutation Rest${name}(${args}) {
  result: ${call} {
    __typename
    ...RestTestResult
    ...RestError
  }
}
${TEST_RESULT_FIELDS}
${ERROR_FIELDS}`;
}

function mutation(name: string, args: string, call: string): string {
  return `mutation Rest${name}(${args}, $reveal: Boolean = false) {
  result: ${call} {
    __typename
    ... on ${name}Success { databaseConnection { ...RestConnection } }
    ...RestError
  }
}
${CONNECTION_FIELDS}
${ERROR_FIELDS}`;
}

export const WORKSPACE_FIELDS = 'name createdAt';
export const API_KEY_FIELDS = 'id name grants { workspace scopes } createdBy createdAt expiresAt revokedAt lastUsedAt';

/** A mutation of workspaces or keys: its success's data field, or a typed error. */
function accessMutation(name: string, args: string, call: string, data: string): string {
  return `mutation Rest${name}(${args}) {
  result: ${call} {
    __typename
    ... on ${name}Success { data: ${data} }
    ...RestError
  }
}
${ERROR_FIELDS}`;
}

const ACCESS_OPERATIONS = {
  createWorkspace: accessMutation(
    'CreateWorkspace',
    '$name: String!',
    'createWorkspace(name: $name)',
    `workspace { ${WORKSPACE_FIELDS} }`,
  ),
  renameWorkspace: accessMutation(
    'RenameWorkspace',
    '$name: String!, $newName: String!',
    'renameWorkspace(name: $name, newName: $newName)',
    `workspace { ${WORKSPACE_FIELDS} }`,
  ),
  deleteWorkspace: accessMutation(
    'DeleteWorkspace',
    '$name: String!',
    'deleteWorkspace(name: $name)',
    `workspace { ${WORKSPACE_FIELDS} }`,
  ),
  createApiKey: accessMutation(
    'CreateApiKey',
    '$name: String!, $grants: [GrantInput!]!, $expiresAt: DateTime',
    'createApiKey(name: $name, grants: $grants, expiresAt: $expiresAt)',
    `created { key apiKey { ${API_KEY_FIELDS} } }`,
  ),
  revokeApiKey: accessMutation('RevokeApiKey', '$id: ID!', 'revokeApiKey(id: $id)', `apiKey { ${API_KEY_FIELDS} }`),
};

const REST_OPERATIONS = {
  list: `query RestListDatabaseConnections(
  $first: Int!
  $after: String
  $filter: DatabaseConnectionFilter
  $reveal: Boolean = false
) {
  page: databaseConnections(first: $first, after: $after, filter: $filter) {
    edges { node { ...RestConnection } }
    pageInfo { hasNextPage endCursor }
  }
}
${CONNECTION_FIELDS}`,
  create: mutation(
    'CreateDatabaseConnection',
    '$input: CreateDatabaseConnectionInput!, $testConnection: Boolean = false',
    'createDatabaseConnection(input: $input, testConnection: $testConnection)',
  ),
  update: mutation(
    'UpdateDatabaseConnection',
    '$id: ID!, $input: UpdateDatabaseConnectionInput!, $testConnection: Boolean = false, $expectedVersion: Int',
    'updateDatabaseConnection(id: $id, input: $input, testConnection: $testConnection, expectedVersion: $expectedVersion)',
  ),
  delete: mutation(
    'DeleteDatabaseConnection',
    '$id: ID!, $expectedVersion: Int',
    'deleteDatabaseConnection(id: $id, expectedVersion: $expectedVersion)',
  ),
  testStored: testMutation('TestDatabaseConnection', '$id: ID!', 'testDatabaseConnection(id: $id)'),
  testUri: testMutation(
    'TestConnectionUri',
    '$uri: String, $dialect: Dialect, $parameters: JSONObject, $schemas: [String!], $useSsh: Boolean, $sshSettings: SshSettingsInput, $tlsSettings: TlsSettingsInput, $workspace: String',
    'testConnectionUri(uri: $uri, dialect: $dialect, parameters: $parameters, schemas: $schemas, useSsh: $useSsh, sshSettings: $sshSettings, tlsSettings: $tlsSettings, workspace: $workspace)',
  ),
  auditEvents: `query RestAuditEvents($first: Int!, $after: String, $filter: AuditEventFilter) {
  page: auditEvents(first: $first, after: $after, filter: $filter) {
    edges { node { id at actor actorId action connectionId workspace subject alias fields requestId outcome } }
    pageInfo { hasNextPage endCursor }
  }
}`,
  ...ACCESS_OPERATIONS,
  schemaSnapshot: `query RestSchemaSnapshot($id: ID!, $refresh: Boolean!) {
  databaseConnection(id: $id) {
    schemaSnapshot(refresh: $refresh) {
      __typename
      ... on SchemaSnapshotSuccess { snapshot { contentHash ${SNAPSHOT_SELECTION} } }
      ...RestError
    }
  }
}
${ERROR_FIELDS}`,
  schemaChanges: `query RestSchemaChanges($id: ID!, $first: Int, $after: String, $since: DateTime) {
  databaseConnection(id: $id) {
    schemaChanges(first: $first, after: $after, since: $since) {
      edges { node { kind path before after detectedAt } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`,
};

/** An operation of REST_OPERATIONS by its name, or the text of one a route declares (./routes.ts). */
export type OperationName = keyof typeof REST_OPERATIONS | `${'query' | 'mutation'} ${string}`;

/**
 * Who asks. No Fetch Request is built for REST calls: authentication happens
 * in the HTTP server, and nothing that runs during execution reads one.
 */
export type Caller = RequestContext;

export type RunOperation = <Data>(
  name: OperationName,
  variables: Record<string, unknown>,
  caller: Caller,
) => Promise<ExecutionResult<Data>>;

/**
 * Prepares every REST operation, those of REST_OPERATIONS and the texts the routes declare
 * (`declared`), against the Yoga server's schema; throws at start-up if one is invalid.
 */
export function createOperationRunner(yoga: Yoga, declared: string[]): RunOperation {
  const { schema } = yoga.getEnveloped();
  const documents = new Map<string, DocumentNode>();
  const named = [...Object.entries(REST_OPERATIONS), ...declared.map((text) => [text, text] as const)];
  for (const [name, source] of named) {
    const document = parse(source);
    const errors = validate(schema, document);
    if (errors.length > 0) throw new Error(`REST operation ${name} does not fit the schema: ${errors.join('; ')}`);
    documents.set(name, document);
    trustedDocuments.add(document);
  }
  return async (name, variables, { principal, logger, requestId, fresh }) => {
    const document = documents.get(name);
    if (!document) throw new Error(`REST operation ${name} was not prepared at start-up`);
    const { contextFactory, execute, schema: enveloped } = yoga.getEnveloped({ principal, logger, requestId, fresh });
    const contextValue = await contextFactory();
    return (await execute({
      schema: enveloped,
      document,
      variableValues: variables,
      contextValue,
    })) as ExecutionResult<never>;
  };
}

/** Thrown when GraphQL answered with errors: REST has nothing to show but a 500 (Yoga has logged the cause). */
class UnexpectedGraphQLErrors extends Error {}

/**
 * Runs a REST operation and answers its data, or throws the problem its errors map to: a missing
 * scope (403), our database down (503), anything else (500). The variables cannot be of the wrong
 * type: each body was checked against the shape GraphQL takes (src/rest/connection-form.ts).
 */
export async function executeOperation<Data>(
  run: RunOperation,
  name: OperationName,
  variables: Record<string, unknown>,
  caller: Caller,
): Promise<Data> {
  const result = await run<Data>(name, variables, caller);
  const forbidden = result.errors?.find((error) => error.extensions?.code === FORBIDDEN);
  if (forbidden) throw new ProblemResponse(problem('forbidden', forbidden.message));
  if (result.errors?.some((error) => error.extensions?.code === DATABASE_UNAVAILABLE)) throw databaseUnavailable();
  if (result.errors?.length || !result.data) {
    // A declared operation is named by its text's first words: `query RestGetWorkspace`.
    const label = /^(query|mutation) \w+/.exec(name)?.[0] ?? name;
    throw new UnexpectedGraphQLErrors(
      `GraphQL operation ${label} failed: ${result.errors?.map((e) => e.message).join('; ')}`,
    );
  }
  return result.data;
}
