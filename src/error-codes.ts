/**
 * Every error code the API answers, each declared once: its HTTP status (REST),
 * the GraphQL error type that carries it (none for codes that only HTTP can
 * produce), and what it means. The Pothos error types take their descriptions
 * from here, the REST adapter its statuses, and the OpenAPI document both.
 */

interface ErrorCodeEntry {
  status: number;
  /** The typed GraphQL error (plugin-errors) that carries this code; absent for codes only HTTP answers. */
  graphqlType?: string;
  description: string;
}

export const ERROR_CODES = {
  validation_failed: {
    status: 400,
    graphqlType: 'ValidationError',
    description: 'The input broke one or more rules; each invalid field is listed. Nothing was written.',
  },
  invalid_secret_reference: {
    status: 400,
    graphqlType: 'ValidationError',
    description:
      'A secret reference (${env:…}, ${file:…}) names a variable or file that the workspace may not read, or ' +
      'that is not there (both answer alike); each such field is listed. Nothing was written.',
  },
  malformed_json: { status: 400, description: 'The request body is not valid JSON.' },
  unsupported_dialect: {
    status: 400,
    graphqlType: 'UnsupportedDialectError',
    description: 'The URI scheme names no supported database.',
  },
  schemas_not_supported: {
    status: 400,
    graphqlType: 'SchemasNotSupportedError',
    description: 'This kind of database has no schemas to limit a connection to.',
  },
  unsafe_database_uri: {
    status: 400,
    graphqlType: 'UnsafeDatabaseUriError',
    description: 'A database in a local file, refused unless ALLOW_FILE_DATABASES=true.',
  },
  unknown_schema: {
    status: 400,
    graphqlType: 'ConnectionFailedError',
    description: 'A schema of the connection does not exist in the database.',
  },
  unauthenticated: {
    status: 401,
    description:
      'No API key or token (when keys or an identity provider are configured), or one that is unknown, revoked or expired.',
  },
  forbidden: {
    status: 403,
    description:
      'The caller lacks the scope the call needs, in the workspace concerned (a connection it may not see at all is not_found).',
  },
  origin_not_allowed: {
    status: 403,
    description:
      "A POST, PUT, PATCH or DELETE sent by a browser page of another origin (not this service's own, not in " +
      'CORS_ORIGINS). Nothing was read or written.',
  },
  target_not_allowed: {
    status: 403,
    graphqlType: 'TargetNotAllowedError',
    description: 'The host resolves to an address connection tests may not reach.',
  },
  not_found: { status: 404, graphqlType: 'NotFoundError', description: 'No database connection has that id.' },
  workspace_not_found: {
    status: 404,
    graphqlType: 'WorkspaceNotFoundError',
    description: 'No workspace has that name (or none the caller may see).',
  },
  api_key_not_found: {
    status: 404,
    graphqlType: 'ApiKeyNotFoundError',
    description: 'No API key the caller may manage has that id.',
  },
  route_not_found: { status: 404, description: 'There is no resource at this path.' },
  method_not_allowed: {
    status: 405,
    description: 'The path does not support this method; `Allow` lists those it does.',
  },
  alias_conflict: {
    status: 409,
    graphqlType: 'AliasConflictError',
    description: 'Another connection of the workspace already has this alias, compared ignoring case.',
  },
  workspace_conflict: {
    status: 409,
    graphqlType: 'WorkspaceConflictError',
    description: 'Another workspace already has this name.',
  },
  workspace_not_empty: {
    status: 409,
    graphqlType: 'WorkspaceNotEmptyError',
    description: 'The workspace still holds connections: move or delete them before deleting it.',
  },
  managed_connection: {
    status: 409,
    graphqlType: 'ManagedConnectionError',
    description: 'The connection comes from the provisioning file (CONNECTIONS_FILE): change it there.',
  },
  idempotency_key_in_use: {
    status: 409,
    description: 'A request with this Idempotency-Key is still being processed; retry shortly.',
  },
  version_mismatch: {
    status: 412,
    graphqlType: 'VersionMismatchError',
    description: 'The connection is no longer at the version the client expected; nothing was written.',
  },
  payload_too_large: { status: 413, description: 'The request body is over 1 MiB.' },
  unsupported_media_type: { status: 415, description: 'The request body is not sent as application/json.' },
  host_not_allowed: {
    status: 421,
    description:
      'The request names a Host this service does not answer to: in local mode, or once ALLOWED_HOSTS is set, ' +
      'only loopback names and those ALLOWED_HOSTS lists. Nothing was read or written.',
  },
  connection_failed: {
    status: 422,
    graphqlType: 'ConnectionFailedError',
    description: 'The connection test the write asked for failed; `reason` says why. Nothing was written.',
  },
  dialect_not_testable: {
    status: 422,
    graphqlType: 'DialectNotTestableError',
    description:
      'A SQLite or DuckDB file, while the service runs without ALLOW_FILE_DATABASES=true: it does not open files then.',
  },
  catalog_too_large: {
    status: 422,
    graphqlType: 'CatalogTooLargeError',
    description:
      'The catalog discovery read holds more columns than SCHEMA_MAX_COLUMNS allows: limit the connection to fewer ' +
      'schemas. Nothing was stored.',
  },
  idempotency_key_reused: {
    status: 422,
    description: 'The Idempotency-Key was used with another request in the last 24 hours.',
  },
  too_many_requests: {
    status: 429,
    description: 'This API key made more requests in the last minute than RATE_LIMIT_PER_MINUTE allows; retry later.',
  },
  too_many_authentication_failures: {
    status: 429,
    description:
      'This client address sent more requests with a missing or invalid key or token in the last minute than ' +
      'AUTH_FAILURES_PER_MINUTE allows; retry later. Requests with a valid key are not counted.',
  },
  too_many_tests: {
    status: 429,
    graphqlType: 'TooManyTestsError',
    description: 'Too many connection tests or schema discoveries are running; retry shortly.',
  },
  headers_too_large: {
    status: 431,
    description:
      'The request line and headers (a long query string among them) are over the size the service reads, 16 KiB ' +
      'unless Node.js is told otherwise (--max-http-header-size). Nothing was read or written.',
  },
  internal_error: { status: 500, description: 'An unexpected failure; the cause is in the server log.' },
  database_unavailable: { status: 503, description: "The service's own database cannot be reached; retry shortly." },
} as const satisfies Record<string, ErrorCodeEntry>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The status of a code; an unknown one is a fault of ours, hence 500. */
export const statusOf = (code: string): number =>
  Object.hasOwn(ERROR_CODES, code) ? ERROR_CODES[code as ErrorCode].status : 500;

/** The description of a GraphQL error type: what each code it carries means. */
export function describeErrorType(graphqlType: string): string {
  const entries = Object.entries(ERROR_CODES).filter(
    ([, entry]) => (entry as ErrorCodeEntry).graphqlType === graphqlType,
  );
  if (entries.length === 0) throw new Error(`No error code is carried by the GraphQL type ${graphqlType}`);
  const [only] = entries;
  if (entries.length === 1 && only) return `${only[1].description} Code: ${only[0]}.`;
  return entries.map(([code, entry]) => `Code ${code}: ${entry.description}`).join(' ');
}
