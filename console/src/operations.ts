/**
 * Every GraphQL operation the console runs, and the shapes of their answers. Each text is a constant
 * (`as const`), so that gql.tada reads its answer's and its variables' types from it and schema.graphql
 * (typed.ts): a field renamed or removed there fails the console's type check. test/console.test.ts
 * also validates each against schema.graphql.
 */
import { PLAIN_SELECTION } from './fields.generated.ts';
import type { Result, Variables } from './typed.ts';

const HEALTH = 'health { status checkedAt latencyMs error { code message } }' as const;
// Each mutation's union holds some of these error types: a fragment spreads only on the ones it holds.
const ANY_ERROR = '... on Error { code message }' as const;
const FIELD_ERRORS = '... on ValidationError { fieldErrors { field message } }' as const;
const FAILURES = `${ANY_ERROR}
  ... on ConnectionFailedError { reason { code message } }` as const;
const ERRORS = `${FAILURES}
  ${FIELD_ERRORS}` as const;
const TEST_RESULT = 'ok latencyMs serverVersion error { code message }' as const;

export const SSH_FIELDS = 'host port username password privateKey privateKeyPassword hostKeyFingerprint' as const;
export const TLS_FIELDS = 'caCertificate clientCertificate clientKey' as const;

const LIST_FIELDS = `id alias dialect workspace managed ${HEALTH}` as const;

export const START = `query ConsoleStart {
  viewer { name grants { workspace scopes } }
  workspaces { name }
  dialects {
    name label defaultPort supportsSchemas supportsSsh supportsTls fileDatabase
    parameters { name type required secret default description }
  }
}` as const;

export const LIST = `query ConsoleConnections {
  databaseConnections(first: 1000) { totalCount edges { node { ${LIST_FIELDS} } } }
}` as const;

export const EVENTS = `subscription ConsoleEvents {
  databaseConnectionEvents { action connectionId connection { ${LIST_FIELDS} } }
}` as const;

// With a connection's plain fields as schema.graphql declares them (fields.generated.ts), which the
// form and the detail show as they come (plain-fields.ts).
export const DETAIL = `query ConsoleConnection($id: ID!, $reveal: Boolean!) {
  databaseConnection(id: $id) {
    ${LIST_FIELDS} ${PLAIN_SELECTION} version createdAt updatedAt schemas metadata
    healthHistory { at status latencyMs errorCode }
    connectionUri(reveal: $reveal) parameters(reveal: $reveal)
    sshSettings(reveal: $reveal) { ${SSH_FIELDS} }
    tlsSettings(reveal: $reveal) { ${TLS_FIELDS} }
  }
}` as const;

export const HISTORY = `query ConsoleHistory($id: ID!) {
  auditEvents(first: 50, filter: { connectionId: $id }) { edges { node { id at action actor outcome fields } } }
}` as const;

export const SCHEMA = `query ConsoleSchema($id: ID!) {
  databaseConnection(id: $id) {
    introspection {
      __typename
      ... on IntrospectionSuccess { schemas { name tables { name kind columns { name type nullable } } } }
      ${FAILURES}
    }
  }
}` as const;

// Read in two steps, the scan first: sibling fields resolve at once, and the changes would miss the scan's.
export const SCHEMA_SNAPSHOT = `query ConsoleSchemaSnapshot($id: ID!, $refresh: Boolean!) {
  databaseConnection(id: $id) {
    schemaSnapshot(refresh: $refresh) {
      __typename
      ... on SchemaSnapshotSuccess { snapshot { scannedAt firstFoundAt contentHash tableCount columnCount } }
      ${FAILURES}
    }
  }
}` as const;

// No `first`: a page holds as many as the API gives by default.
export const SCHEMA_CHANGES = `query ConsoleSchemaChanges($id: ID!, $after: String) {
  databaseConnection(id: $id) {
    schemaChanges(after: $after) {
      edges { node { kind path before after detectedAt } }
      pageInfo { hasNextPage endCursor }
    }
  }
}` as const;

export const CREATE = `mutation ConsoleCreate($input: CreateDatabaseConnectionInput!, $testConnection: Boolean!) {
  result: createDatabaseConnection(input: $input, testConnection: $testConnection) {
    __typename
    ... on CreateDatabaseConnectionSuccess { databaseConnection { id } }
    ${ERRORS}
  }
}` as const;

export const UPDATE = `mutation ConsoleUpdate(
  $id: ID!, $input: UpdateDatabaseConnectionInput!, $expectedVersion: Int, $testConnection: Boolean!
) {
  result: updateDatabaseConnection(
    id: $id, input: $input, expectedVersion: $expectedVersion, testConnection: $testConnection
  ) {
    __typename
    ... on UpdateDatabaseConnectionSuccess { databaseConnection { id } }
    ${ERRORS}
  }
}` as const;

export const DELETE = `mutation ConsoleDelete($id: ID!) {
  result: deleteDatabaseConnection(id: $id) {
    __typename
    ${ANY_ERROR}
  }
}` as const;

export const TEST_DRAFT = `mutation ConsoleTestDraft(
  $uri: String, $dialect: Dialect, $parameters: JSONObject, $schemas: [String!],
  $useSsh: Boolean, $sshSettings: SshSettingsInput, $tlsSettings: TlsSettingsInput
) {
  result: testConnectionUri(
    uri: $uri, dialect: $dialect, parameters: $parameters, schemas: $schemas,
    useSsh: $useSsh, sshSettings: $sshSettings, tlsSettings: $tlsSettings
  ) {
    __typename
    ... on ConnectionTestResult { ${TEST_RESULT} }
    ${ANY_ERROR}
    ${FIELD_ERRORS}
  }
}` as const;

export const TEST_SAVED = `mutation ConsoleTestSaved($id: ID!) {
  result: testDatabaseConnection(id: $id) {
    __typename
    ... on ConnectionTestResult { ${TEST_RESULT} }
    ${ANY_ERROR}
  }
}` as const;

// --- Shapes of the answers, as the schema types them -----------------------------------

export type Start = Result<typeof START>;
export type Dialect = Start['dialects'][number];
export type Scope = Start['viewer']['grants'][number]['scopes'][number];
export type ListedConnection = Result<typeof LIST>['databaseConnections']['edges'][number]['node'];
export type ConnectionEvent = Result<typeof EVENTS>['databaseConnectionEvents'];
export type Health = ListedConnection['health'];
export type HealthStatus = Health['status'];
export type Failure = NonNullable<Health['error']>;
export type Connection = NonNullable<Result<typeof DETAIL>['databaseConnection']>;
export type HealthCheck = Connection['healthHistory'][number];
export type AuditEvent = Result<typeof HISTORY>['auditEvents']['edges'][number]['node'];
type Introspection = NonNullable<Result<typeof SCHEMA>['databaseConnection']>['introspection'];
export type Schema = Extract<Introspection, { __typename: 'IntrospectionSuccess' }>['schemas'][number];

type SnapshotRead = NonNullable<Result<typeof SCHEMA_SNAPSHOT>['databaseConnection']>['schemaSnapshot'];
export type SchemaSnapshot = Extract<SnapshotRead, { __typename: 'SchemaSnapshotSuccess' }>['snapshot'];
export type SchemaChangesPage = NonNullable<Result<typeof SCHEMA_CHANGES>['databaseConnection']>['schemaChanges'];
export type SchemaChange = SchemaChangesPage['edges'][number]['node'];

type Created = Result<typeof CREATE>['result'];
type Updated = Result<typeof UPDATE>['result'];
/** A save's or a draft's test's refusal: one of the typed errors of their unions. */
export type Refusal = Exclude<
  Created | Updated | Result<typeof TEST_DRAFT>['result'],
  { __typename: 'CreateDatabaseConnectionSuccess' | 'UpdateDatabaseConnectionSuccess' | 'ConnectionTestResult' }
>;
type DraftTest = Variables<typeof TEST_DRAFT>;
export type SshSettingsInput = NonNullable<DraftTest['sshSettings']>;
export type TlsSettingsInput = NonNullable<DraftTest['tlsSettings']>;
export type FieldError = Extract<Refusal, { __typename: 'ValidationError' }>['fieldErrors'][number];
