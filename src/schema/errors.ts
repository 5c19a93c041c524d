/** The typed errors mutations return, each carrying the same `code` REST puts in its problem body. */
import { builder } from '../builder.ts';
import {
  AliasConflictError,
  type FieldProblem,
  NotFoundError,
  SchemasNotSupportedError,
  UnsafeDatabaseUriError,
  UnsupportedDialectError,
  ValidationError,
  VersionMismatchError,
} from '../connections/errors.ts';

export const ErrorInterface = builder.interfaceRef<Error & { code: string }>('Error').implement({
  description: 'A failure the client can correct.',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Stable snake_case code, the same as the REST problem `code`.' }),
    message: t.exposeString('message'),
  }),
});

const FieldErrorType = builder.objectRef<FieldProblem>('FieldError').implement({
  description: 'One invalid input field.',
  fields: (t) => ({
    field: t.exposeString('field', { description: 'Path of the field in the input, e.g. `schemas[1]`.' }),
    message: t.exposeString('message'),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'The input broke one or more rules; nothing was written. Code: validation_failed.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    fieldErrors: t.field({ type: [FieldErrorType], resolve: (error) => error.fieldErrors }),
  }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'No database connection has that id. Code: not_found.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ id: t.exposeID('id') }),
});

builder.objectType(VersionMismatchError, {
  name: 'VersionMismatchError',
  description:
    'The connection is no longer at the version the client expected (expectedVersion); nothing was written. ' +
    'Code: version_mismatch.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    id: t.exposeID('id'),
    expectedVersion: t.exposeInt('expectedVersion'),
    currentVersion: t.exposeInt('currentVersion'),
  }),
});

builder.objectType(AliasConflictError, {
  name: 'AliasConflictError',
  description: 'Another connection already has this alias, compared ignoring case. Code: alias_conflict.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ alias: t.exposeString('alias') }),
});

builder.objectType(UnsupportedDialectError, {
  name: 'UnsupportedDialectError',
  description: 'The URI scheme names no supported database. Code: unsupported_dialect.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    scheme: t.exposeString('scheme'),
    acceptedSchemes: t.stringList({ resolve: (error) => [...error.acceptedSchemes] }),
  }),
});

builder.objectType(SchemasNotSupportedError, {
  name: 'SchemasNotSupportedError',
  description: 'This kind of database has no schemas to limit a connection to. Code: schemas_not_supported.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ dialect: t.exposeString('dialect') }),
});

builder.objectType(UnsafeDatabaseUriError, {
  name: 'UnsafeDatabaseUriError',
  description: 'A database in a local file, refused unless ALLOW_FILE_DATABASES=true. Code: unsafe_database_uri.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ dialect: t.exposeString('dialect') }),
});
