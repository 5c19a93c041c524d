/**
 * The parameters of each dialect: the parts of its connection URI by name (host, port, database,
 * username, password, and the vendor's own: account, warehouse, project, HTTP path…), each with
 * where it goes in the URI, whether it is a secret, and a JSON Schema for forms. A URI and its
 * parameters convert both ways without loss (test/dialect-parameters.test.ts).
 */
import { isIP } from 'node:net';
import { isReference } from '../secrets/references.ts';
import type { FieldProblem } from '../validation.ts';
import { DIALECTS, type Dialect, type DialectName } from './registry.ts';

/** Where a parameter goes: the URI's host, port, user, password, first or second path segment, a query parameter, or (file databases) the path. */
export type UriPart = 'host' | 'port' | 'user' | 'password' | 'path0' | 'path1' | 'query' | 'file';

export interface ParameterDeclaration {
  name: string;
  part: UriPart;
  /** For a query parameter: its name in the URI, where it is not the parameter's. */
  queryName?: string;
  type: 'string' | 'integer';
  required: boolean;
  secret: boolean;
  /** What a form may start with; not filled in when left out. */
  default?: string | number;
  description: string;
}

export interface DialectDescription {
  name: DialectName;
  label: string;
  parameters: ParameterDeclaration[];
}

/** The parameters a URI's other query parameters go in, as a map of names to values. */
export const OPTIONS_PARAMETER = 'options';

type Options = Partial<Pick<ParameterDeclaration, 'required' | 'secret' | 'default' | 'queryName'>>;
const declare =
  (part: UriPart, type: ParameterDeclaration['type'] = 'string') =>
  (name: string, description: string, options: Options = {}): ParameterDeclaration => ({
    name,
    part,
    type,
    required: false,
    secret: false,
    description,
    ...options,
  });
const host = declare('host');
const port = (dialect: DialectName) =>
  declare('port', 'integer')('port', 'The port; left out, the dialect’s default.', {
    default: DIALECTS.find((entry) => entry.name === dialect)?.defaultPort,
  });
const user = declare('user');
const password = (name = 'password', description = 'The password.') =>
  declare('password')(name, description, { secret: true });
const path0 = declare('path0');
const path1 = declare('path1');
const query = declare('query');

/** Host, port, database, user and password: the parameters of a database server. */
const server = (dialect: DialectName, databaseDescription = 'The database.') => [
  host('host', 'The server’s host name or IP address.', { required: true }),
  port(dialect),
  path0('database', databaseDescription),
  user('username', 'The user to connect as.'),
  password(),
];

const POSTGRES_TLS = query('sslmode', 'TLS: disable, require, verify-ca or verify-full (with the TLS settings).');
const MYSQL_TLS = query('ssl_mode', 'TLS: DISABLED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY.', {
  queryName: 'ssl-mode',
});

const DESCRIPTIONS: Record<DialectName, Omit<DialectDescription, 'name'>> = {
  postgresql: { label: 'PostgreSQL', parameters: [...server('postgresql'), POSTGRES_TLS] },
  mysql: { label: 'MySQL', parameters: [...server('mysql'), MYSQL_TLS] },
  mariadb: { label: 'MariaDB', parameters: [...server('mariadb'), MYSQL_TLS] },
  mssql: {
    label: 'Microsoft SQL Server',
    parameters: [
      ...server('mssql'),
      query('encrypt', 'TLS: yes to encrypt and verify the server’s certificate.'),
      query('trustservercertificate', 'yes: encrypt without checking the certificate.'),
    ],
  },
  oracle: {
    label: 'Oracle',
    parameters: [
      ...server('oracle', 'The SID, where no service name is given.'),
      query('service_name', 'The service name.'),
      query('protocol', 'tcps for TLS.'),
    ],
  },
  snowflake: {
    label: 'Snowflake',
    parameters: [
      host('account', 'The account identifier (orgname-account, or account.region).', { required: true }),
      path0('database', 'The database.'),
      path1('schema', 'The schema.'),
      user('username', 'The user to sign in as.', { required: true }),
      password('password', 'The password, unless a private key is given.'),
      query('warehouse', 'The warehouse.'),
      query('role', 'The role.'),
      query('private_key', 'A PEM private key, for key-pair authentication.', { secret: true }),
      query('private_key_passphrase', 'The private key’s passphrase.', { secret: true }),
    ],
  },
  bigquery: {
    label: 'Google BigQuery',
    parameters: [
      host('project', 'The Google Cloud project id.', { required: true }),
      path0('dataset', 'The dataset.'),
      query('credentials_base64', 'The service account’s JSON key, base64-encoded.', { secret: true, required: true }),
    ],
  },
  redshift: { label: 'Amazon Redshift', parameters: [...server('redshift'), POSTGRES_TLS] },
  databricks: {
    label: 'Databricks',
    parameters: [
      host('host', 'The workspace’s host name (dbc-….cloud.databricks.com).', { required: true }),
      port('databricks'),
      user('username', 'Always token for a personal access token.', { default: 'token' }),
      password('token', 'A personal access token.'),
      query('http_path', 'The SQL warehouse’s HTTP path: /sql/1.0/warehouses/<id>.', { required: true }),
      query('catalog', 'The catalog.'),
      query('schema', 'The schema.'),
    ],
  },
  clickhouse: {
    label: 'ClickHouse',
    parameters: [...server('clickhouse'), query('secure', 'true for HTTPS.')],
  },
  trino: {
    label: 'Trino',
    parameters: [
      host('host', 'The coordinator’s host name or IP address.', { required: true }),
      port('trino'),
      path0('catalog', 'The catalog.'),
      path1('schema', 'The schema.'),
      user('username', 'The user.'),
      password(),
      query('http_scheme', 'https for TLS.'),
    ],
  },
  awsathena: {
    label: 'Amazon Athena',
    parameters: [
      host('host', 'The endpoint: athena.<region>.amazonaws.com.', { required: true }),
      port('awsathena'),
      path0('database', 'The database (schema) of the data catalog.'),
      user('aws_access_key_id', 'The access key id.'),
      password('aws_secret_access_key', 'The secret access key.'),
      query('region_name', 'The region, where the host does not say it.'),
      query('s3_staging_dir', 'Where query results go: s3://bucket/prefix/.'),
      query('work_group', 'The workgroup.'),
      query('catalog_name', 'The data catalog. Default: AwsDataCatalog.'),
      query('aws_session_token', 'A session token, with temporary credentials.', { secret: true }),
    ],
  },
  duckdb: {
    label: 'DuckDB',
    parameters: [declare('file')('file', 'The absolute path of the file.', { required: true })],
  },
  sqlite: {
    label: 'SQLite',
    parameters: [declare('file')('file', 'The absolute path of the file.', { required: true })],
  },
};

export const describeDialect = (dialect: Dialect): DialectDescription => ({
  name: dialect.name,
  ...DESCRIPTIONS[dialect.name],
});

/** A JSON Schema of a dialect's parameters: secrets marked `format: password` and `x-secret`. */
export function parametersSchema({ parameters }: DialectDescription): Record<string, unknown> {
  const properties = Object.fromEntries(
    parameters.map((parameter) => [
      parameter.name,
      {
        type: parameter.type,
        description: parameter.description,
        ...(parameter.type === 'integer' && { minimum: 1, maximum: 65535 }),
        ...(parameter.default !== undefined && { default: parameter.default }),
        ...(parameter.secret && { format: 'password', 'x-secret': true }),
      },
    ]),
  );
  const options = parameters.some((parameter) => parameter.part === 'file')
    ? {}
    : {
        [OPTIONS_PARAMETER]: {
          type: 'object',
          additionalProperties: { type: 'string' },
          description: 'Other query parameters of the URI, by name.',
        },
      };
  return {
    type: 'object',
    additionalProperties: false,
    required: parameters.filter((parameter) => parameter.required).map((parameter) => parameter.name),
    properties: { ...properties, ...options },
  };
}

export type Parameters = Record<string, string | number | Record<string, string>>;

/** A host written into a URI's authority that ends there: no user, port, path or query of its own; an IPv6 address unbracketed. */
const isHostAlone = (host: string) => isIP(host) === 6 || !/[\s/?#@[\]\\%:]/.test(host);

/** What is wrong with parameters a client sent for this dialect, each at `parameters.<name>`. */
export function parameterProblems(dialect: Dialect, parameters: Record<string, unknown>): FieldProblem[] {
  const { parameters: declared } = describeDialect(dialect);
  const problems: FieldProblem[] = [];
  const at = (name: string, message: string) => problems.push({ field: `parameters.${name}`, message });
  const hasOptions = !declared.some((parameter) => parameter.part === 'file');
  for (const [name, value] of Object.entries(parameters)) {
    const parameter = declared.find((entry) => entry.name === name);
    if (name === OPTIONS_PARAMETER && hasOptions) {
      const isMap =
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        Object.values(value).every((given) => typeof given === 'string');
      if (!isMap) at(name, 'must be an object of strings');
    } else if (!parameter) at(name, `is not a parameter of ${dialect.name}`);
    else if (parameter.type === 'integer') {
      if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 65535)
        at(name, 'must be an integer from 1 to 65535');
    } else if (typeof value !== 'string') at(name, 'must be a string');
    else if (/\p{Cc}/u.test(value)) at(name, 'must not contain control characters');
    else if (parameter.part === 'host' && !isHostAlone(value))
      at(name, 'must be a host name or an IP address alone: a port, path or user goes in its own parameter');
  }
  for (const parameter of declared)
    if (parameter.required && (parameters[parameter.name] === undefined || parameters[parameter.name] === ''))
      at(parameter.name, 'is required');
  return problems;
}

// A secret reference (`${env:…}`) stands in the URI as written: the service reads it at use.
const encode = (text: string) => (isReference(text) ? text : encodeURIComponent(text));
const hostText = (host: string) => (host.includes(':') ? `[${host}]` : host);

/** The URI of these parameters, scheme the dialect's name. Parameters not given are left out of it. */
export function uriOf(dialect: Dialect, parameters: Parameters): string {
  const { parameters: declared } = describeDialect(dialect);
  const value = (part: UriPart) => {
    const found = declared.find((parameter) => parameter.part === part);
    const given = found && parameters[found.name];
    return given === undefined || given === '' ? undefined : String(given);
  };
  const file = value('file');
  if (file !== undefined) return `${dialect.name}:///${file}`;
  const user = value('user');
  const secret = value('password');
  const userinfo =
    user !== undefined || secret !== undefined
      ? `${encode(user ?? '')}${secret !== undefined ? `:${encode(secret)}` : ''}@`
      : '';
  const port = value('port');
  const portText = port === undefined ? '' : `:${port}`;
  const [first, second] = [value('path0'), value('path1')];
  const path =
    second !== undefined ? `/${encode(first ?? '')}/${encode(second)}` : first !== undefined ? `/${encode(first)}` : '';
  const search: string[] = [];
  for (const parameter of declared.filter((entry) => entry.part === 'query')) {
    const given = parameters[parameter.name];
    if (given !== undefined && given !== '')
      search.push(`${parameter.queryName ?? parameter.name}=${encode(String(given))}`);
  }
  const options = parameters[OPTIONS_PARAMETER];
  if (options && typeof options === 'object')
    for (const [name, given] of Object.entries(options)) search.push(`${encodeURIComponent(name)}=${encode(given)}`);
  const queryText = search.length > 0 ? `?${search.join('&')}` : '';
  return `${dialect.name}://${userinfo}${hostText(value('host') ?? '')}${portText}${path}${queryText}`;
}

/** Percent-decoded text, or the text as it is where it is not valid percent-encoding. */
export const decodeOrKeep = (text: string) => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};
const decode = decodeOrKeep;

/** The parameters of a URI of this dialect: its parts by name, other query parameters under `options`. */
export function parametersOf(dialect: Dialect, uri: string): Parameters {
  const { parameters: declared } = describeDialect(dialect);
  const afterScheme = uri.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const result: Parameters = {};
  const named = (part: UriPart) => declared.find((parameter) => parameter.part === part);
  const set = (part: UriPart, given: string | number | undefined) => {
    const parameter = named(part);
    if (parameter && given !== undefined && given !== '') result[parameter.name] = given;
  };
  if (named('file')) {
    set('file', (afterScheme.split(/[?#]/, 1)[0] ?? '').replace(/^\//, ''));
    return result;
  }
  // The path and the query are read as written: WHATWG URL would drop `.` and `..` segments.
  const [, authority = '', path = '', queryText = ''] = /^([^/?#]*)([^?#]*)(?:\?([^#]*))?/.exec(afterScheme) ?? [];
  // A scheme with no default port: WHATWG URL would drop :80 from http, :443 from https.
  const url = new URL(`dcapi://${authority}`);
  set('host', url.hostname.replace(/^\[|\]$/g, ''));
  set('port', url.port ? Number(url.port) : undefined);
  set('user', url.username ? decode(url.username) : undefined);
  set('password', url.password ? decode(url.password) : undefined);
  const [first, ...rest] = path.replace(/^\//, '').split('/');
  set('path0', first ? decode(first) : undefined);
  set('path1', rest.length > 0 ? decode(rest.join('/')) : undefined);
  const options: Record<string, string> = {};
  for (const [name, given] of new URLSearchParams(queryText)) {
    const parameter = declared.find((entry) => entry.part === 'query' && (entry.queryName ?? entry.name) === name);
    if (parameter && result[parameter.name] === undefined) result[parameter.name] = given;
    else options[name] = given;
  }
  if (Object.keys(options).length > 0) result[OPTIONS_PARAMETER] = options;
  return result;
}
