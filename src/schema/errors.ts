/** The typed errors mutations return, each carrying the same `code` REST puts in its problem body. */
import { builder } from '../builder.ts';
import {
  AliasConflictError,
  type FieldProblem,
  ManagedConnectionError,
  NotFoundError,
  ValidationError,
  VersionMismatchError,
} from '../connections/rules/errors.ts';
import { SchemasNotSupportedError, UnsafeDatabaseUriError, UnsupportedDialectError } from '../dialects/errors.ts';
import { describeErrorType } from '../error-codes.ts';

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
  description: describeErrorType('ValidationError'),
  interfaces: [ErrorInterface],
  fields: (t) => ({
    fieldErrors: t.field({ type: [FieldErrorType], resolve: (error) => error.fieldErrors }),
  }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: describeErrorType('NotFoundError'),
  interfaces: [ErrorInterface],
  fields: (t) => ({ id: t.exposeID('id') }),
});

builder.objectType(ManagedConnectionError, {
  name: 'ManagedConnectionError',
  description: describeErrorType('ManagedConnectionError'),
  interfaces: [ErrorInterface],
  fields: (t) => ({ id: t.exposeID('id') }),
});

builder.objectType(VersionMismatchError, {
  name: 'VersionMismatchError',
  description: describeErrorType('VersionMismatchError'),
  interfaces: [ErrorInterface],
  fields: (t) => ({
    id: t.exposeID('id'),
    expectedVersion: t.exposeInt('expectedVersion'),
    currentVersion: t.exposeInt('currentVersion'),
  }),
});

builder.objectType(AliasConflictError, {
  name: 'AliasConflictError',
  description: describeErrorType('AliasConflictError'),
  interfaces: [ErrorInterface],
  fields: (t) => ({ alias: t.exposeString('alias') }),
});

builder.objectType(UnsupportedDialectError, {
  name: 'UnsupportedDialectError',
  description: describeErrorType('UnsupportedDialectError'),
  interfaces: [ErrorInterface],
  fields: (t) => ({
    scheme: t.exposeString('scheme'),
    acceptedSchemes: t.stringList({ resolve: (error) => [...error.acceptedSchemes] }),
  }),
});

builder.objectType(SchemasNotSupportedError, {
  name: 'SchemasNotSupportedError',
  description: describeErrorType('SchemasNotSupportedError'),
  interfaces: [ErrorInterface],
  fields: (t) => ({ dialect: t.exposeString('dialect') }),
});

builder.objectType(UnsafeDatabaseUriError, {
  name: 'UnsafeDatabaseUriError',
  description: describeErrorType('UnsafeDatabaseUriError'),
  interfaces: [ErrorInterface],
  fields: (t) => ({ dialect: t.exposeString('dialect') }),
});
