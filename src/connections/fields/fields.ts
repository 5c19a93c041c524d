/**
 * The fields of a database connection, each declared once: its GraphQL name
 * (the key), its REST name, its kind of value with its limits, its description,
 * and whether clients write it. The GraphQL type and inputs, the rules, the REST
 * mapping both ways and the OpenAPI schemas are all derived from this table.
 * Adding a field is one entry here plus its storage (prisma/model.prisma and a
 * migration per provider under prisma/): docs/development.md, "Adding a field".
 */
import { DEFAULT_WORKSPACE } from '../../auth/grants.ts';
import { parametersOf } from '../../dialects/parameters.ts';
import { DIALECT_NAMES, type DialectName, dialectNamed } from '../../dialects/registry.ts';
import { isReference } from '../../secrets/references.ts';
import { MASK } from '../../secrets/uri-secrets.ts';
import { settings } from './groups.ts';
import { healthReport } from './health.ts';
import { SSH_SETTINGS, TLS_SETTINGS } from './settings.ts';
import {
  counter,
  dialectName,
  dialectParameters,
  distinctNames,
  flag,
  jsonObject,
  name,
  readOnlyFlag,
  timestamp,
  uri,
  uuid,
  type ValueKind,
  workspaceName,
} from './values.ts';

/** How clients write a stored field: `orInstead`, other fields that may stand in its place. */
type StoredInput =
  | { required: true; orInstead?: readonly string[] }
  | { required: false; default: unknown; keptOnReplace?: true };

export interface FieldDeclaration {
  /** Its name in REST bodies; absent for a field REST does not show (the version travels as the ETag). */
  rest?: string;
  value: ValueKind;
  description: string;
  /**
   * Whether clients write it: required on create, or optional with a default. `keptOnReplace`: a
   * replace (REST PUT) that leaves it out keeps the stored value rather than taking the default.
   */
  input?:
    | StoredInput
    /** Another spelling of a stored field, sent in its place and turned into it before the rules run. */
    | { insteadOf: 'connectionUri' };
  /** Shown masked unless revealed; stored encrypted. Its value kind says what its secrets are. */
  secret?: true;
  /** Not stored: read from a secret field's value as presented (masked or revealed), with the row's dialect. */
  derivedFrom?: { field: 'connectionUri'; derive: (value: string, dialect: DialectName) => unknown };
}

/** A URI's parameters, or null where it cannot be read by parts (a reference, or no authority a URL parser takes). */
function readParameters(uri: string, dialect: DialectName) {
  if (isReference(uri)) return null;
  try {
    return parametersOf(dialectNamed(dialect), uri);
  } catch {
    return null;
  }
}

export const CONNECTION_FIELDS = {
  id: { rest: 'id', value: uuid(), description: 'The connection id, a UUID: the same in REST and GraphQL.' },
  workspace: {
    rest: 'workspace',
    value: workspaceName(),
    description:
      `The workspace the connection belongs to: who may see and change it follows from it. Default: ${DEFAULT_WORKSPACE}; ` +
      'a replace that leaves it out keeps it. Moving a connection needs connections:write in both workspaces.',
    input: { required: false, default: DEFAULT_WORKSPACE, keptOnReplace: true },
  },
  alias: {
    rest: 'alias',
    value: name(255),
    description:
      'Name of the connection, unique in its workspace, compared ignoring case. Leading and trailing spaces are removed; ' +
      'then 1 to 255 characters, no control characters.',
    input: { required: true },
  },
  connectionUri: {
    rest: 'connection_uri',
    value: uri(8192),
    description:
      'The URI to reach the database (`scheme://…`, at most 8192 characters: a BigQuery service account key in it takes about 3,200). Its password and secret ' +
      `parameters are shown as ${MASK} unless revealed; a URI sent back with ${MASK} in place of a secret ` +
      'keeps the stored one.',
    input: { required: true, orInstead: ['dialect', 'parameters'] },
    secret: true,
  },
  dialect: {
    rest: 'dialect',
    value: dialectName(DIALECT_NAMES),
    description:
      'The kind of database, from the URI scheme. Written only beside parameters, which it says how to read.',
    input: { insteadOf: 'connectionUri' },
  },
  parameters: {
    rest: 'parameters',
    value: dialectParameters(),
    description:
      'The URI by its parts, named as its dialect declares them (REST GET /api/v1/dialects, GraphQL dialects): ' +
      `host, port, database, username, password, the vendor's own; other query parameters under options. Secrets show as ${MASK} ` +
      `unless revealed; sent back as ${MASK}, they keep the stored ones. Written with dialect, in place of connectionUri: ` +
      'a write sends one of the two forms. Null where the whole URI is a secret reference, until revealed.',
    input: { insteadOf: 'connectionUri' },
    secret: true,
    derivedFrom: {
      field: 'connectionUri',
      derive: readParameters,
    },
  },
  schemas: {
    rest: 'schemas',
    value: distinctNames(),
    description: 'Schemas of the database this connection is limited to: distinct, non-empty names. Default: [].',
    input: { required: false, default: [] },
  },
  metadata: {
    rest: 'metadata',
    value: jsonObject(64 * 1024, 32),
    description: 'Any JSON object, at most 64 KiB as JSON, nesting at most 32 levels. Default: {}.',
    input: { required: false, default: {} },
  },
  useSsh: {
    rest: 'use_ssh',
    value: flag(),
    description:
      'Reach the database through the SSH bastion of sshSettings: connection tests and schema discovery open ' +
      'a tunnel to the host and port of the URI. Default: false.',
    input: { required: false, default: false },
  },
  sshSettings: {
    rest: 'ssh_settings',
    value: settings(SSH_SETTINGS),
    description: `${SSH_SETTINGS.description} Its password, private key and passphrase show as ${MASK} unless revealed; sent back as ${MASK}, they keep the stored ones. Default: null.`,
    input: { required: false, default: null },
    secret: true,
  },
  tlsSettings: {
    rest: 'tls_settings',
    value: settings(TLS_SETTINGS),
    description: `${TLS_SETTINGS.description} The client key shows as ${MASK} unless revealed; sent back as ${MASK}, it keeps the stored one. Default: null.`,
    input: { required: false, default: null },
    secret: true,
  },
  health: {
    rest: 'health',
    value: healthReport(),
    description:
      'The last health check (scheduled every HEALTH_CHECK_INTERVAL_S, or the test of a write that asked for ' +
      'one): ok, failing, unknown (not checked since it changed) or not_testable (no driver for its dialect), ' +
      'when, how long it took, and why it failed.',
  },
  managed: {
    rest: 'managed',
    value: readOnlyFlag(),
    description:
      'Whether the connection comes from the provisioning file (CONNECTIONS_FILE): the file is its source of ' +
      'truth, and the API may not change or delete it (409 managed_connection).',
  },
  createdAt: { rest: 'created_at', value: timestamp(), description: 'When the connection was created.' },
  updatedAt: { rest: 'updated_at', value: timestamp(), description: 'When the connection last changed.' },
  version: {
    value: counter(),
    description:
      '1 when created, one more at each change. Pass it as expectedVersion so that a write applies only to this ' +
      'version (REST: the ETag, sent back in If-Match).',
  },
} satisfies Record<string, FieldDeclaration>;

export type ConnectionFieldName = keyof typeof CONNECTION_FIELDS;

type Fields = typeof CONNECTION_FIELDS;
type InputFieldName = {
  [K in ConnectionFieldName]: Fields[K] extends { input: { insteadOf: string } }
    ? never
    : Fields[K] extends { input: object }
      ? K
      : never;
}[ConnectionFieldName];

/** A connection document as clients write it and the store keeps it: the input fields and their values' types. */
export type ConnectionDocument = {
  [K in InputFieldName]: Fields[K]['value'] extends ValueKind<infer T> ? T : never;
};

const entries = Object.entries(CONNECTION_FIELDS) as [ConnectionFieldName, FieldDeclaration][];

/** Every field with its declaration, in declaration order. */
export const FIELDS_IN_ORDER: readonly [ConnectionFieldName, FieldDeclaration][] = entries;

/** A field's declaration, as every field's: what generic code reads of it. */
export const declarationOf = (name: ConnectionFieldName): FieldDeclaration => CONNECTION_FIELDS[name];

/** The fields clients write, other spellings of them included, in declaration order. */
export const WRITTEN_FIELDS = entries.filter(([, field]) => field.input !== undefined);

/** The fields that may stand in a field's place (`dialect` and `parameters` for the URI), if any. */
export const alternativesOf = ({ input }: FieldDeclaration): readonly string[] | undefined =>
  input && 'orInstead' in input ? input.orInstead : undefined;

/** Whether every write must send it: required, with no other spelling that may stand in its place. */
export const isRequiredInput = (field: FieldDeclaration) =>
  field.input !== undefined && 'required' in field.input && field.input.required && !alternativesOf(field);

/** What a write that sends neither a required field nor what may stand in its place is told. */
export function missingMessage(field: FieldDeclaration): string {
  const others = alternativesOf(field);
  return others ? `is required, or ${others.join(' and ')} in its place` : 'is required';
}

/** The fields clients write as they are stored, in declaration order. */
export const INPUT_FIELDS = WRITTEN_FIELDS.filter(
  (entry): entry is [ConnectionFieldName, FieldDeclaration & { input: StoredInput }] =>
    entry[1].input !== undefined && !('insteadOf' in entry[1].input),
);

/** The fields REST shows, in declaration order, with their REST names. */
export const REST_FIELDS = entries.filter(
  (entry): entry is [ConnectionFieldName, FieldDeclaration & { rest: string }] => Boolean(entry[1].rest),
);

/** REST name → GraphQL name, for the fields clients write. */
export const GRAPHQL_NAME_OF_REST: ReadonlyMap<string, ConnectionFieldName> = new Map(
  WRITTEN_FIELDS.map(([graphqlName, field]) => [field.rest ?? graphqlName, graphqlName]),
);

/** GraphQL name → REST name, for every field REST shows. */
export const REST_NAME_OF: ReadonlyMap<string, string> = new Map(
  REST_FIELDS.map(([graphqlName, field]) => [graphqlName, field.rest]),
);

/** The REST names of the fields clients write: what a create sets, as the audit trail names them. */
export const INPUT_REST_NAMES = INPUT_FIELDS.map(([name, field]) => field.rest ?? name);

/** The fields stored sealed (encrypted, beside a masked copy), in declaration order. */
export const SECRET_FIELDS = INPUT_FIELDS.filter(([, field]) => field.secret);

/** The names of the fields that hold secrets. */
export type SecretFieldName = {
  [K in InputFieldName]: Fields[K] extends { secret: true } ? K : never;
}[InputFieldName];
