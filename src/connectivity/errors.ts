/** Why a connection test failed, told apart, in words that hold no secret. */
import type { ErrorCode } from '../error-codes.ts';
import { scrub } from '../secrets/scrub.ts';
import { TargetNotAllowedError } from './network-guard.ts';

/** Every reason a connection test can fail for, each with the words that explain it. */
export const TEST_FAILURES = {
  host_not_found: 'The host name does not resolve.',
  host_unreachable: 'The host cannot be reached from this service.',
  connection_refused: 'Nothing accepts connections at that host and port.',
  timeout: 'The database did not answer in time.',
  authentication_failed: 'The database refused the user name or password.',
  database_not_found: 'The database named in the URI does not exist, or this user may not use it.',
  unknown_schema: 'A schema of the connection does not exist.',
  permission_denied: 'The database accepted the credentials but refused what the test asked of it.',
  account_not_found: 'The Snowflake account named in the URI does not exist.',
  warehouse_not_found:
    'The warehouse named in the URI (Snowflake warehouse, Databricks SQL warehouse) does not exist or cannot be used.',
  project_not_found: 'The BigQuery project named in the URI does not exist, or the credentials may not use it.',
  credentials_invalid:
    'The credentials in the URI cannot be read: a key that does not parse, or one of the wrong kind.',
  file_not_allowed: 'The file is not inside FILE_DATABASES_DIR, or its path is not one the service opens.',
  token_expired: 'The access token in the URI has expired or was revoked.',
  tls_error: 'The TLS connection failed.',
  ssh_host_not_found: "The SSH bastion's host name does not resolve.",
  ssh_connection_failed: 'The SSH bastion could not be reached, refused the connection, or did not answer in time.',
  ssh_authentication_failed: 'The SSH bastion refused the user name, password or private key.',
  ssh_host_key_mismatch: 'The SSH bastion presented a host key other than the fingerprint of the SSH settings.',
  secret_unavailable: 'A secret reference of the connection (${env:…}, ${file:…}) can no longer be read.',
  invalid_uri: 'The URI names no single host to connect to, or a part of it breaks its dialect’s rules.',
  connection_failed: 'The connection failed.',
} as const;

export type TestFailureCode = keyof typeof TEST_FAILURES;

export interface TestFailure {
  code: TestFailureCode;
  message: string;
}

/** A file database while this service may not open files (ALLOW_FILE_DATABASES off): it says so rather than pretend. */
export class DialectNotTestableError extends Error {
  readonly code = 'dialect_not_testable' satisfies ErrorCode;
  constructor(readonly dialect: string) {
    super(
      `The service does not open ${dialect} files while ALLOW_FILE_DATABASES is off, so it cannot test this connection.`,
    );
  }
}

/**
 * Why the service reached a database: a connection test, or schema discovery (a scan, the
 * snapshot's first read, the introspection query). Its refusals and failures name it, keeping the codes.
 */
export type Purpose = 'test' | 'discovery';

/** What was refused or failed, in a message's words. */
const WORDS: Record<Purpose, { busy: string; failed: string }> = {
  test: { busy: 'Too many connection tests are running', failed: 'The connection test failed' },
  // Tests and discoveries share their limits: a discovery is refused for either.
  discovery: {
    busy: 'Too many schema discoveries and connection tests are running',
    failed: 'Schema discovery failed',
  },
};

/** Too many tests or introspections at once, in all or for one API key. */
export class TooManyTestsError extends Error {
  readonly code = 'too_many_tests' satisfies ErrorCode;
  constructor(purpose: Purpose) {
    super(`${WORDS[purpose].busy}; try again in a moment.`);
  }
}

/** A catalog of more columns than SCHEMA_MAX_COLUMNS: neither answered nor stored. */
export class CatalogTooLargeError extends Error {
  readonly code = 'catalog_too_large' satisfies ErrorCode;
  constructor(
    readonly columnCount: number,
    readonly maxColumns: number,
  ) {
    super(
      `The catalog holds ${columnCount.toLocaleString('en-US')} columns, more than SCHEMA_MAX_COLUMNS ` +
        `(${maxColumns.toLocaleString('en-US')}) allows: limit the connection to fewer schemas.`,
    );
  }
}

/**
 * The database could not be reached, or refused: for a write that asked to test the connection
 * first (`?test=true`, `testConnection: true`), or for schema discovery.
 */
export class ConnectionFailedError extends Error {
  readonly code: Extract<ErrorCode, 'connection_failed' | 'unknown_schema'>;
  constructor(
    readonly reason: TestFailure,
    purpose: Purpose,
  ) {
    super(`${WORDS[purpose].failed} (${reason.code}): ${reason.message}`);
    this.code = reason.code === 'unknown_schema' ? 'unknown_schema' : 'connection_failed';
  }
}

type DriverError = Error & { code?: string; errno?: number; failure?: string };

const isFailureCode = (code: unknown): code is TestFailureCode => typeof code === 'string' && code in TEST_FAILURES;

/** Whether a socket error code says a host name does not resolve. */
export const isUnresolved = (code: unknown) => code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME';

function codeOf(error: DriverError): TestFailureCode {
  // Drivers and the SSH tunnel that classified the failure themselves.
  if (isFailureCode(error.failure)) return error.failure;
  const code = String(error.code ?? '');
  const message = error.message ?? '';
  if (isUnresolved(code)) return 'host_not_found';
  if (code === 'ECONNREFUSED') return 'connection_refused';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'host_unreachable';
  if (code === 'ETIMEDOUT' || /timeout|timed out/i.test(message)) return 'timeout';
  // Before the refusals: a server that demands a client certificate refuses with 28000 too.
  if (/certificate/i.test(message)) return 'tls_error';
  // PostgreSQL SQLSTATEs and MySQL/MariaDB error numbers.
  if (code === '28P01' || code === '28000' || error.errno === 1045) return 'authentication_failed';
  // MySQL answers 1044 (access denied to that database) rather than tell a user which databases exist.
  if (code === '3D000' || error.errno === 1049 || error.errno === 1044) return 'database_not_found';
  if (code === '42501' || code === 'EACCES') return 'permission_denied';
  // A file database not there: the service never creates one (SQLite, DuckDB).
  if (code === 'ENOENT' || code === 'SQLITE_CANTOPEN' || /database does not exist/i.test(message)) {
    return 'database_not_found';
  }
  if (
    /^ERR_TLS|^ERR_SSL|CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code) ||
    /\bSSL\b|\bTLS\b|certificate/i.test(message)
  ) {
    return 'tls_error';
  }
  return 'connection_failed';
}

/**
 * Classifies a driver's error (unless `code` says what it is); its message is kept for detail,
 * cleaned of every secret of the connection.
 */
export function describeFailure(error: unknown, secrets: string[], code?: TestFailureCode): TestFailure {
  const driverError = (error instanceof Error ? error : new Error(String(error))) as DriverError;
  code ??= codeOf(driverError);
  let detail = scrub(driverError.message ?? '');
  for (const secret of secrets) {
    let decoded = secret;
    try {
      decoded = decodeURIComponent(secret);
    } catch {}
    for (const form of [secret, decoded]) if (form) detail = detail.split(form).join('****');
  }
  const words = TEST_FAILURES[code];
  return { code, message: detail ? `${words} (${detail.slice(0, 300)})` : words };
}

/** Refusals every test and introspection can end in, before any connection is tried. */
export const CONNECTIVITY_ERRORS = [TargetNotAllowedError, DialectNotTestableError, TooManyTestsError];
