/**
 * Every GraphQL operation the console runs, and the shapes of their answers. Each is checked
 * against the service's schema.graphql by test/console.test.ts, so none can drift from the API.
 */

const HEALTH = 'health { status checkedAt latencyMs error { code message } }';
// Each mutation's union holds some of these error types: a fragment spreads only on the ones it holds.
const ANY_ERROR = '... on Error { code message }';
const FIELD_ERRORS = '... on ValidationError { fieldErrors { field message } }';
const FAILURES = `${ANY_ERROR}
  ... on ConnectionFailedError { reason { code message } }`;
const ERRORS = `${FAILURES}
  ${FIELD_ERRORS}`;
const TEST_RESULT = 'ok latencyMs serverVersion error { code message }';

export const SSH_FIELDS = 'host port username password privateKey privateKeyPassword hostKeyFingerprint';
export const TLS_FIELDS = 'caCertificate clientCertificate clientKey';

const LIST_FIELDS = `id alias dialect workspace managed ${HEALTH}`;

export const START = `query ConsoleStart {
  viewer { name grants { workspace scopes } }
  workspaces { name }
  dialects {
    name label defaultPort supportsSchemas supportsSsh supportsTls fileDatabase
    parameters { name type required secret default description }
  }
}`;

export const LIST = `query ConsoleConnections {
  databaseConnections(first: 1000) { totalCount edges { node { ${LIST_FIELDS} } } }
}`;

export const EVENTS = `subscription ConsoleEvents {
  databaseConnectionEvents { action connectionId connection { ${LIST_FIELDS} } }
}`;

export const DETAIL = `query ConsoleConnection($id: ID!, $reveal: Boolean!) {
  databaseConnection(id: $id) {
    ${LIST_FIELDS} version createdAt updatedAt schemas metadata useSsh
    healthHistory { at status latencyMs errorCode }
    connectionUri(reveal: $reveal) parameters(reveal: $reveal)
    sshSettings(reveal: $reveal) { ${SSH_FIELDS} }
    tlsSettings(reveal: $reveal) { ${TLS_FIELDS} }
  }
}`;

export const HISTORY = `query ConsoleHistory($id: ID!) {
  auditEvents(first: 50, filter: { connectionId: $id }) { edges { node { id at action actor outcome fields } } }
}`;

export const SCHEMA = `query ConsoleSchema($id: ID!) {
  databaseConnection(id: $id) {
    introspection {
      __typename
      ... on IntrospectionSuccess { schemas { name tables { name kind columns { name type nullable } } } }
      ${FAILURES}
    }
  }
}`;

export const CREATE = `mutation ConsoleCreate($input: CreateDatabaseConnectionInput!, $testConnection: Boolean!) {
  result: createDatabaseConnection(input: $input, testConnection: $testConnection) {
    __typename
    ... on CreateDatabaseConnectionSuccess { databaseConnection { id } }
    ${ERRORS}
  }
}`;

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
}`;

export const DELETE = `mutation ConsoleDelete($id: ID!) {
  result: deleteDatabaseConnection(id: $id) {
    __typename
    ${ANY_ERROR}
  }
}`;

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
}`;

export const TEST_SAVED = `mutation ConsoleTestSaved($id: ID!) {
  result: testDatabaseConnection(id: $id) {
    __typename
    ... on ConnectionTestResult { ${TEST_RESULT} }
    ${ANY_ERROR}
  }
}`;

// --- Shapes of the answers ----------------------------------------------------------

export type HealthStatus = 'OK' | 'FAILING' | 'UNKNOWN' | 'NOT_TESTABLE';
export interface Failure {
  code: string;
  message: string;
}
export interface Health {
  status: HealthStatus;
  checkedAt: string | null;
  latencyMs: number | null;
  error: Failure | null;
}
export interface ListedConnection {
  id: string;
  alias: string;
  dialect: string;
  workspace: string;
  managed: boolean;
  health: Health;
}
export type Settings = Record<string, string | number | null>;
export interface HealthCheck {
  at: string;
  status: HealthStatus;
  latencyMs: number;
  errorCode: string | null;
}
export interface Connection extends ListedConnection {
  healthHistory: HealthCheck[];
  version: number;
  createdAt: string;
  updatedAt: string;
  schemas: string[];
  metadata: Record<string, unknown>;
  useSsh: boolean;
  connectionUri: string;
  parameters: Record<string, unknown> | null;
  sshSettings: Settings | null;
  tlsSettings: Settings | null;
}
export interface DialectParameter {
  name: string;
  type: 'string' | 'integer';
  required: boolean;
  secret: boolean;
  default: string | null;
  description: string;
}
export interface Dialect {
  name: string;
  label: string;
  defaultPort: number | null;
  supportsSchemas: boolean;
  supportsSsh: boolean;
  supportsTls: boolean;
  fileDatabase: boolean;
  parameters: DialectParameter[];
}
export interface Grant {
  workspace: string;
  scopes: string[];
}
export interface Start {
  viewer: { name: string; grants: Grant[] };
  workspaces: { name: string }[];
  dialects: Dialect[];
}
export interface FieldError {
  field: string;
  message: string;
}
/** A mutation's answer: its success, or a typed error. */
export interface Outcome {
  __typename: string;
  code?: string;
  message?: string;
  fieldErrors?: FieldError[];
  reason?: Failure;
  databaseConnection?: { id: string };
}
export interface TestOutcome extends Outcome {
  ok?: boolean;
  latencyMs?: number;
  serverVersion?: string | null;
  error?: Failure | null;
}
export interface AuditEvent {
  id: string;
  at: string;
  action: string;
  actor: string;
  outcome: string;
  fields: string[];
}
export interface Column {
  name: string;
  type: string;
  nullable: boolean;
}
export interface Table {
  name: string;
  kind: string;
  columns: Column[];
}
export interface Schema {
  name: string;
  tables: Table[];
}
