/** What a connection's dialect allows: checked on every create and update, in GraphQL and so in REST. */
import { SchemasNotSupportedError, UnsafeDatabaseUriError, UnsupportedDialectError } from './errors.ts';
import { ACCEPTED_SCHEMES, type Dialect, dialectOfUri, schemeOf } from './registry.ts';

export interface DialectPolicy {
  /** Whether sqlite and duckdb URIs (local files) are accepted. */
  allowFileDatabases: boolean;
  /** The only folder whose files they may name (FILE_DATABASES_DIR). */
  fileDatabasesDir?: string | undefined;
}

/** What checkDialect may throw: a client's mistake, each a typed error in GraphQL. */
export const DIALECT_ERRORS = [UnsupportedDialectError, SchemasNotSupportedError, UnsafeDatabaseUriError];

/** The dialect of a connection with this URI and these schemas; throws one of DIALECT_ERRORS. */
export function checkDialect(connectionUri: string, schemas: readonly string[], policy: DialectPolicy): Dialect {
  const dialect = dialectOfUri(connectionUri);
  if (!dialect) throw new UnsupportedDialectError(schemeOf(connectionUri), ACCEPTED_SCHEMES);
  if (dialect.fileBased && !policy.allowFileDatabases) throw new UnsafeDatabaseUriError(dialect.name);
  if (schemas.length > 0 && !dialect.supportsSchemas) throw new SchemasNotSupportedError(dialect.name);
  return dialect;
}
