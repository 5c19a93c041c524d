/** What the rules of a dialect refuse: a client's mistake, each a typed error in GraphQL. */
import type { ErrorCode } from '../error-codes.ts';

export class UnsupportedDialectError extends Error {
  readonly code = 'unsupported_dialect' satisfies ErrorCode;
  constructor(
    readonly scheme: string,
    readonly acceptedSchemes: readonly string[],
  ) {
    super(`The URI scheme "${scheme}" is not a supported database. Accepted schemes: ${acceptedSchemes.join(', ')}.`);
  }
}

export class SchemasNotSupportedError extends Error {
  readonly code = 'schemas_not_supported' satisfies ErrorCode;
  constructor(readonly dialect: string) {
    super(`A ${dialect} connection has no schemas to limit it to: leave schemas empty.`);
  }
}

export class UnsafeDatabaseUriError extends Error {
  readonly code = 'unsafe_database_uri' satisfies ErrorCode;
  constructor(readonly dialect: string) {
    super(
      `${dialect} databases are local files, which would give callers access to the server's file system; ` +
        'they are refused unless the service runs with ALLOW_FILE_DATABASES=true.',
    );
  }
}
