/**
 * A connection as the form edits it (text in every input), to and from the API's input, and where
 * the API's field errors and failed tests belong in it.
 */
import type { Connection, Dialect, FieldError, SshSettingsInput, TlsSettingsInput } from './operations.ts';
import { type PlainDraft, type PlainInput, plainDraftOf, SHOWN_FIELDS, sentValueOf } from './plain-fields.ts';

export const MASK = '****';

/** The form's errors by its keys: `alias`, `param:host`, `ssh:port`, `tls`… (fieldKeyOf, failureFieldOf). */
export type Errors = Record<string, string>;

export interface Draft {
  /** The plain fields shown as they come (plain-fields.ts): the alias, … */
  plain: PlainDraft;
  workspace: string;
  dialect: Dialect['name'];
  /** Written as parameters (a form of the dialect) or as a raw URI. */
  mode: 'parameters' | 'uri';
  parameters: Record<string, string>;
  /** Query parameters the dialect does not declare, as `a=1&b=2`. */
  options: string;
  uri: string;
  schemas: string;
  metadata: string;
  useSsh: boolean;
  ssh: Record<string, string>;
  tls: Record<string, string>;
}

export const SSH_MEMBERS = [
  ['host', 'SSH host'],
  ['port', 'SSH port'],
  ['username', 'SSH user name'],
  ['password', 'SSH password'],
  ['privateKey', 'SSH private key'],
  ['privateKeyPassword', 'Private key passphrase'],
  ['hostKeyFingerprint', 'Host key fingerprint'],
] as const;
export const SSH_SECRETS = new Set(['password', 'privateKey', 'privateKeyPassword']);
export const TLS_MEMBERS = [
  ['caCertificate', 'CA certificate'],
  ['clientCertificate', 'Client certificate'],
  ['clientKey', 'Client key'],
] as const;

export function emptyDraft(dialect: Dialect, workspace: string): Draft {
  const parameters = Object.fromEntries(
    dialect.parameters.map((parameter) => [parameter.name, parameter.default ?? '']),
  );
  return {
    plain: plainDraftOf({}),
    workspace,
    dialect: dialect.name,
    mode: 'parameters',
    parameters,
    options: '',
    uri: '',
    schemas: '',
    metadata: '{}',
    useSsh: false,
    ssh: { port: '22' },
    tls: {},
  };
}

const asText = (settings: Connection['sshSettings'] | Connection['tlsSettings']) =>
  Object.fromEntries(Object.entries(settings ?? {}).map(([name, value]) => [name, value == null ? '' : String(value)]));

/** A stored connection, its secrets masked, as the form shows it. */
export function draftOf(connection: Connection): Draft {
  const { options, ...named } = connection.parameters ?? {};
  return {
    plain: plainDraftOf(connection),
    workspace: connection.workspace,
    dialect: connection.dialect,
    mode: connection.parameters ? 'parameters' : 'uri',
    parameters: Object.fromEntries(Object.entries(named).map(([name, value]) => [name, String(value)])),
    options: options ? new URLSearchParams(options as Record<string, string>).toString() : '',
    uri: connection.connectionUri,
    schemas: connection.schemas.join(', '),
    metadata: JSON.stringify(connection.metadata, null, 2),
    useSsh: connection.useSsh,
    ssh: asText(connection.sshSettings),
    tls: asText(connection.tlsSettings),
  };
}

/**
 * Settings with their empty members left out; null when none is filled in. A required member left
 * empty is left out too, on purpose: the service's answer names it, and the form shows that at its field.
 */
function settingsOf<Input>(values: Record<string, string>, numbers: string[] = []) {
  const filled = Object.entries(values).filter(([, value]) => value.trim() !== '');
  if (filled.length === 0) return null;
  return Object.fromEntries(
    filled.map(([name, value]) => [name, numbers.includes(name) ? Number(value) : value]),
  ) as Input;
}

/** The parameters to send: the filled ones, integers as numbers, other query parameters under options. */
function parametersOf(draft: Draft, dialect: Dialect) {
  const parameters: Record<string, unknown> = {};
  for (const parameter of dialect.parameters) {
    const value = draft.parameters[parameter.name]?.trim() ?? '';
    if (value === '') continue;
    const number = Number(value);
    parameters[parameter.name] = parameter.type === 'integer' && Number.isInteger(number) ? number : value;
  }
  const options = Object.fromEntries(new URLSearchParams(draft.options.trim()));
  if (Object.keys(options).length > 0) parameters.options = options;
  return parameters;
}

export class DraftProblem extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const hasSshSettings = (draft: Draft) =>
  Object.entries(draft.ssh).some(([name, value]) => name !== 'port' && value.trim() !== '');

/** Where the URI goes and how: what a test of the draft needs. */
export function reachOf(draft: Draft, dialect: Dialect) {
  const where =
    draft.mode === 'uri'
      ? { uri: draft.uri.trim() }
      : { dialect: draft.dialect, parameters: parametersOf(draft, dialect) };
  const schemas = draft.schemas
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  return {
    ...where,
    schemas,
    useSsh: draft.useSsh,
    // Settings kept while the tunnel is off are kept; the port's default alone makes none.
    sshSettings: draft.useSsh || hasSshSettings(draft) ? settingsOf<SshSettingsInput>(draft.ssh, ['port']) : null,
    tlsSettings: dialect.supportsTls ? settingsOf<TlsSettingsInput>(draft.tls) : null,
  };
}

/** The API's input of the plain fields shown. Throws a DraftProblem for an input that cannot be sent. */
function plainInputOf(plain: PlainDraft): PlainInput {
  const values = SHOWN_FIELDS.map((field) => {
    const outcome = sentValueOf(field, plain[field.name]);
    if ('problem' in outcome) throw new DraftProblem(field.name, outcome.problem);
    return [field.name, outcome.value] as const;
  });
  return Object.fromEntries(values.filter(([, value]) => value !== undefined)) as PlainInput;
}

/**
 * The API's input for the draft. Throws a DraftProblem where the metadata is not a JSON object, or
 * a plain field's input cannot be sent.
 */
export function inputOf(draft: Draft, dialect: Dialect) {
  let metadata: unknown;
  const isObject = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value);
  try {
    metadata = JSON.parse(draft.metadata.trim() || '{}');
  } catch (error) {
    throw new DraftProblem('metadata', `is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(metadata)) throw new DraftProblem('metadata', 'must be a JSON object, such as {"team": "sales"}');
  const { uri, ...reach } = reachOf(draft, dialect) as ReturnType<typeof reachOf> & { uri?: string };
  return {
    ...plainInputOf(draft.plain),
    workspace: draft.workspace,
    ...(uri !== undefined ? { connectionUri: uri } : {}),
    ...reach,
    metadata,
  };
}

/** The form's key for an API field path: `parameters.host` → `param:host`, `sshSettings.port` → `ssh:port`. */
export function fieldKeyOf(path: string, draft: Draft): string {
  const [head = '', member] = path.replace(/\[\d+\]$/, '').split('.');
  if (head === 'parameters' || head === 'dialect') return member ? `param:${member}` : 'parameters';
  if (head === 'connectionUri' || head === 'uri') return draft.mode === 'uri' ? 'uri' : 'parameters';
  if (head === 'sshSettings') return member ? `ssh:${member}` : 'ssh';
  if (head === 'tlsSettings') return member ? `tls:${member}` : 'tls';
  return head;
}

/** Field errors by the form's keys (several on one field joined). */
export function errorsByField(errors: FieldError[], draft: Draft): Errors {
  const byField: Errors = {};
  for (const { field, message } of errors) {
    const key = fieldKeyOf(field, draft);
    byField[key] = byField[key] ? `${byField[key]}; ${message}` : message;
  }
  return byField;
}

/** Which of the dialect's parameters a failed test is about, by its code. */
const FAILURE_FIELDS: Record<string, string[]> = {
  host_not_found: ['host', 'account', 'project'],
  host_unreachable: ['host', 'port'],
  connection_refused: ['port', 'host'],
  timeout: ['host'],
  invalid_uri: ['host'],
  authentication_failed: ['password', 'token', 'aws_secret_access_key', 'username'],
  database_not_found: ['database', 'dataset', 'catalog'],
  account_not_found: ['account'],
  warehouse_not_found: ['warehouse', 'http_path'],
  project_not_found: ['project'],
  credentials_invalid: ['credentials_base64', 'private_key', 'password'],
  token_expired: ['token', 'aws_session_token', 'password'],
  file_not_allowed: ['file'],
};

/** The form's key for a failed test: the parameter it is about, the URI, or the SSH or TLS section. */
export function failureFieldOf(code: string, draft: Draft, dialect: Dialect): string | undefined {
  if (code.startsWith('ssh_')) return 'ssh';
  if (code === 'tls_error') return 'tls';
  if (code === 'unknown_schema') return 'schemas';
  if (draft.mode === 'uri') return 'uri';
  const declared = new Set(dialect.parameters.map((parameter) => parameter.name));
  return FAILURE_FIELDS[code]?.map((name) => `param:${name}`).find((key) => declared.has(key.slice(6)));
}
