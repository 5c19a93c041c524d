/**
 * What each part of a connection URI may hold. Every part ends up inside a string of some syntax:
 * Oracle's connect descriptor, the ODBC connection string SQL Server's clients build, an HTTP
 * header or URL, a protocol message whose fields end at a NUL byte, a libpq keyword list. A value
 * holding what that syntax gives a meaning to would add to it (another address, another option),
 * so it is refused: when a connection is written or tested (a 400 naming the parameter), and
 * again each time a driver is handed the URI (src/connectivity/target.ts).
 */
import { isIP } from 'node:net';
import { describeDialect, OPTIONS_PARAMETER, type UriPart } from './parameters.ts';
import type { Dialect, DialectName } from './registry.ts';
import { UnreadableUriError, type UriParts, uriParts } from './uri-parts.ts';

interface ValueRule {
  allows(value: string): boolean;
  /** What the value must be, completing "<parameter> …"; never the value itself, which may be a secret. */
  says: string;
}

const refusing = (characters: RegExp, says: string): ValueRule => ({
  allows: (value) => !characters.test(value),
  says,
});
const matching = (whole: RegExp, says: string): ValueRule => ({ allows: (value) => whole.test(value), says });

const PLAIN_TEXT = refusing(/\p{Cc}/u, 'must not contain control characters');
/** DNS labels (with `_`, which some vendors' account names hold) or an IP address: nothing a host list, descriptor or URL reads further. */
const HOST: ValueRule = {
  allows: (host) => isIP(host) !== 0 || (host.length <= 253 && /^[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$/i.test(host)),
  says: 'must be a host name (letters, digits, - and _, in labels between dots) or an IP address',
};
/** libpq, psycopg and SQLAlchemy pass parameter names on as keywords, unquoted: `a host=…` would be two. */
const PARAMETER_NAME = matching(/^[A-Za-z0-9_.-]+$/, 'is not a parameter name: names hold letters, digits, _ . and -');
const ORACLE_NAME = matching(
  /^[A-Za-z0-9_.$-]+$/,
  "must hold only letters, digits, _ . $ and -: it is written into Oracle's connect descriptor",
);
const ORACLE_NET = refusing(
  /[()=,#\\"']/,
  "must not contain ( ) = , # \\ \" or ': they are the syntax of Oracle's connect descriptors",
);
const ODBC = refusing(
  /[;{}]/,
  'must not contain ; { or }: they are the syntax of the ODBC connection strings SQL Server’s clients build from it',
);
const HEADER = refusing(
  /[^\x20-\x7e\x80-\xff]/,
  'must hold only what an HTTP header carries (Latin-1 characters, no control characters): it is sent as one',
);
const URL_PATH = matching(
  /^\/?(?!\.\.?(?:\/|$))[A-Za-z0-9_~-][A-Za-z0-9._~-]*(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9._~-]+)*$/,
  'must be a URL path of letters, digits, . _ ~ - and /, without . or .. segments, such as /sql/1.0/warehouses/<id>',
);
const AWS_REGION = matching(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be an AWS region, such as eu-west-1');
const AWS_KEY_ID = matching(/^[A-Za-z0-9]+$/, 'must be an access key id: letters and digits');

/** Where a dialect's drivers or clients write a part into a string of their own syntax: the rules that keep it plain text there. */
interface PartRules {
  user?: ValueRule[];
  password?: ValueRule[];
  /** Each segment of the path (database, SID, catalog/schema). */
  path?: ValueRule[];
  /** The value of every query parameter. */
  query?: ValueRule[];
  /** The values of these query parameters (by their names in the URI, lower-case). */
  parameters?: Record<string, ValueRule[]>;
}

const DIALECT_RULES: Partial<Record<DialectName, PartRules>> = {
  // Thin mode reads a descriptor: (CONNECT_DATA=(SERVICE_NAME=…)) or (SID=…), its HOST= over TCPS.
  oracle: { path: [ORACLE_NAME], query: [ORACLE_NET], parameters: { service_name: [ORACLE_NAME] } },
  // pyodbc clients write UID=…;DATABASE=…; and every query parameter as KEY=value; (odbc_connect is refused).
  mssql: { user: [ODBC], path: [ODBC], query: [ODBC] },
  clickhouse: { user: [HEADER], password: [HEADER] },
  trino: { user: [HEADER], path: [HEADER] },
  databricks: { password: [HEADER], parameters: { http_path: [URL_PATH] } },
  awsathena: { user: [AWS_KEY_ID], parameters: { region_name: [AWS_REGION], aws_session_token: [HEADER] } },
};

/** A part of a URI that breaks its rule: `parameter` as its dialect names it (options.<name> for others), null for the whole URI. */
export interface UriProblem {
  parameter: string | null;
  message: string;
}

/** The name a dialect gives a part of its URIs, or `fallback` where it declares none. */
function nameOf(dialect: Dialect, part: UriPart, fallback: string): string {
  return describeDialect(dialect).parameters.find((parameter) => parameter.part === part)?.name ?? fallback;
}

/** The path's segments by the names of the parameters they are: the first, then the rest as the second where there is one. */
function pathSegments(dialect: Dialect, path: string | undefined): [string, string][] {
  if (path === undefined) return [];
  const declaresSecond = describeDialect(dialect).parameters.some((parameter) => parameter.part === 'path1');
  const slash = path.indexOf('/');
  if (!declaresSecond || slash < 0) return [[nameOf(dialect, 'path0', 'database'), path]];
  return [
    [nameOf(dialect, 'path0', 'database'), path.slice(0, slash)],
    [nameOf(dialect, 'path1', 'schema'), path.slice(slash + 1)],
  ];
}

/** The problems of the parts of a URI of a network dialect, as its drivers read them. */
export function uriPartsProblems(dialect: Dialect, parts: UriParts): UriProblem[] {
  const rules = DIALECT_RULES[dialect.name] ?? {};
  const { parameters: declared } = describeDialect(dialect);
  const problems: UriProblem[] = [];
  const check = (parameter: string, value: string | undefined, ruleList: ValueRule[]) => {
    const broken = value === undefined ? undefined : ruleList.find((rule) => !rule.allows(value));
    if (broken) problems.push({ parameter, message: broken.says });
  };
  const host = nameOf(dialect, 'host', 'host');
  if (parts.hosts.length > 1 && !dialect.severalHosts)
    problems.push({ parameter: host, message: `must be one host: ${dialect.name} clients take no list of hosts` });
  for (const { host: name, port } of parts.hosts) {
    check(host, name, [HOST]);
    if (port < 1) problems.push({ parameter: nameOf(dialect, 'port', 'port'), message: 'must be from 1 to 65535' });
  }
  check(nameOf(dialect, 'user', 'username'), parts.user, [PLAIN_TEXT, ...(rules.user ?? [])]);
  check(nameOf(dialect, 'password', 'password'), parts.password, [PLAIN_TEXT, ...(rules.password ?? [])]);
  for (const [name, segment] of pathSegments(dialect, parts.database))
    check(name, segment, [PLAIN_TEXT, ...(rules.path ?? [])]);
  for (const [name, value] of parts.parameters) {
    const parameter = declared.find((entry) => entry.part === 'query' && (entry.queryName ?? entry.name) === name);
    const path = parameter?.name ?? `${OPTIONS_PARAMETER}.${name}`;
    if (!PARAMETER_NAME.allows(name)) {
      problems.push({ parameter: path, message: PARAMETER_NAME.says });
      continue;
    }
    // A secret (a PEM key, a token) is read by its driver alone: line breaks and all.
    const plain = parameter?.secret ? [] : [PLAIN_TEXT];
    check(path, value, [...plain, ...(rules.query ?? []), ...(rules.parameters?.[name.toLowerCase()] ?? [])]);
  }
  return problems;
}

/** The problems of a URI of a network dialect: one for the whole URI where it does not read as one host and port. */
export function uriProblems(dialect: Dialect, uri: string): UriProblem[] {
  try {
    return uriPartsProblems(dialect, uriParts(uri, dialect));
  } catch (error) {
    if (!(error instanceof UnreadableUriError)) throw error;
    return [{ parameter: null, message: 'must name its host as host:port, the port a number up to 65535' }];
  }
}
