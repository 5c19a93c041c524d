/** Connection tests and schema discovery: their types, mutations and the introspection field. */
import { builder } from '../builder.ts';
import { NotFoundError, ValidationError } from '../connections/rules/errors.ts';
import type { TestResult } from '../connectivity/connectivity.ts';
import {
  type ColumnInfo,
  DISCOVERY_FIELDS,
  type ForeignKeyInfo,
  type SchemaInfo,
  type TableInfo,
} from '../connectivity/drivers/driver.ts';
import {
  CatalogTooLargeError,
  CONNECTIVITY_ERRORS,
  ConnectionFailedError,
  DialectNotTestableError,
  TooManyTestsError,
} from '../connectivity/errors.ts';
import { TargetNotAllowedError } from '../connectivity/network-guard.ts';
import { DIALECT_ERRORS } from '../dialects/rules.ts';
import { describeErrorType } from '../error-codes.ts';
import { DialectEnum } from './connection-fields.ts';
import { SETTINGS_TYPES } from './connection-settings.ts';
import { DatabaseConnection } from './database-connection.ts';
import { ErrorInterface } from './errors.ts';
import { TestFailureType } from './test-failure.ts';

const ConnectionTestResultType = builder.objectRef<TestResult>('ConnectionTestResult').implement({
  description: 'The outcome of connecting to a database with its real driver.',
  fields: (t) => ({
    ok: t.exposeBoolean('ok'),
    latencyMs: t.exposeInt('latencyMs'),
    serverVersion: t.exposeString('serverVersion', { nullable: true }),
    error: t.field({ type: TestFailureType, nullable: true, resolve: (result) => result.error }),
  }),
});

builder.objectType(TargetNotAllowedError, {
  name: 'TargetNotAllowedError',
  description: describeErrorType('TargetNotAllowedError'),
  interfaces: [ErrorInterface],
});

builder.objectType(DialectNotTestableError, {
  name: 'DialectNotTestableError',
  description: describeErrorType('DialectNotTestableError'),
  interfaces: [ErrorInterface],
  fields: (t) => ({ dialect: t.exposeString('dialect') }),
});

builder.objectType(TooManyTestsError, {
  name: 'TooManyTestsError',
  description: describeErrorType('TooManyTestsError'),
  interfaces: [ErrorInterface],
});

builder.objectType(CatalogTooLargeError, {
  name: 'CatalogTooLargeError',
  description: describeErrorType('CatalogTooLargeError'),
  interfaces: [ErrorInterface],
  fields: (t) => ({
    columnCount: t.exposeInt('columnCount', { description: 'How many columns the catalog holds.' }),
    maxColumns: t.exposeInt('maxColumns', { description: 'SCHEMA_MAX_COLUMNS: the most it may hold.' }),
  }),
});

/** The errors of reading a connection's catalog: those of connecting, and a catalog too large to keep. */
export const DISCOVERY_ERRORS = [ConnectionFailedError, CatalogTooLargeError, ...CONNECTIVITY_ERRORS];

builder.objectType(ConnectionFailedError, {
  name: 'ConnectionFailedError',
  description: describeErrorType('ConnectionFailedError'),
  interfaces: [ErrorInterface],
  fields: (t) => ({ reason: t.field({ type: TestFailureType, resolve: (error) => error.reason }) }),
});

const ColumnType = builder.objectRef<ColumnInfo>('DatabaseColumn').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    type: t.exposeString('type', { description: DISCOVERY_FIELDS.columnType }),
    nullable: t.exposeBoolean('nullable'),
    comment: t.exposeString('comment', { nullable: true, description: DISCOVERY_FIELDS.columnComment }),
  }),
});

const ForeignKeyType = builder.objectRef<ForeignKeyInfo>('DatabaseForeignKey').implement({
  description: DISCOVERY_FIELDS.foreignKey,
  fields: (t) => ({
    name: t.exposeString('name', { nullable: true, description: DISCOVERY_FIELDS.foreignKeyName }),
    columns: t.exposeStringList('columns', { description: DISCOVERY_FIELDS.foreignKeyColumns }),
    referencedSchema: t.exposeString('referencedSchema'),
    referencedTable: t.exposeString('referencedTable'),
    referencedColumns: t.exposeStringList('referencedColumns', { description: DISCOVERY_FIELDS.referencedColumns }),
  }),
});

const TableKind = builder.enumType('TableKind', {
  values: { TABLE: { value: 'table' }, VIEW: { value: 'view' } } as const,
});

const TableType = builder.objectRef<TableInfo>('DatabaseTable').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    kind: t.field({ type: TableKind, resolve: (table) => table.type }),
    comment: t.exposeString('comment', { nullable: true, description: DISCOVERY_FIELDS.tableComment }),
    estimatedRowCount: t.field({
      type: 'SafeInt',
      nullable: true,
      description: DISCOVERY_FIELDS.estimatedRowCount,
      resolve: (table) => table.estimatedRowCount,
    }),
    primaryKey: t.exposeStringList('primaryKey', { nullable: true, description: DISCOVERY_FIELDS.primaryKey }),
    foreignKeys: t.field({
      type: [ForeignKeyType],
      nullable: true,
      description: DISCOVERY_FIELDS.foreignKeys,
      resolve: (table) => table.foreignKeys,
    }),
    columns: t.field({ type: [ColumnType], resolve: (table) => table.columns }),
  }),
});

export const SchemaType = builder.objectRef<SchemaInfo>('DatabaseSchema').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    tables: t.field({ type: [TableType], resolve: (schema) => schema.tables }),
  }),
});

builder.objectField(DatabaseConnection, 'introspection', (t) =>
  t.field({
    type: [SchemaType],
    description:
      "The database's schemas, tables, views and columns (limited to the connection's schemas when it has any). " +
      'Cached briefly per connection version.',
    authScopes: { 'connections:read': true },
    errors: {
      types: DISCOVERY_ERRORS,
      union: { name: 'IntrospectionResult' },
      result: { name: 'IntrospectionSuccess' },
      dataField: { name: 'schemas' },
    },
    resolve: (row, _args, { connections, caller }) => connections.discover(caller, row),
  }),
);

builder.mutationField('testDatabaseConnection', (t) =>
  t.field({
    type: ConnectionTestResultType,
    description: 'Connects to a saved connection with the real driver; a failure to connect is a result, not an error.',
    authScopes: { 'connections:read': true },
    args: { id: t.arg.id({ required: true }) },
    errors: {
      types: [NotFoundError, ...CONNECTIVITY_ERRORS],
      directResult: true,
      union: { name: 'TestDatabaseConnectionResult' },
    },
    resolve: (_root, { id }, { connections, caller }) => connections.test(caller, id),
  }),
);

builder.mutationField('testConnectionUri', (t) =>
  t.field({
    type: ConnectionTestResultType,
    description:
      'Tests a URI (or a dialect and its parameters), with its SSH and TLS settings, before anything is saved.',
    authScopes: { 'connections:write': true },
    args: {
      uri: t.arg.string({ description: 'The connection URI; or dialect and parameters in its place.' }),
      dialect: t.arg({ type: DialectEnum }),
      parameters: t.arg({ type: 'JSONObject', description: 'The URI by its parts, as its dialect declares them.' }),
      schemas: t.arg.stringList(),
      useSsh: t.arg.boolean({ description: 'Connect through the SSH bastion of sshSettings. Default: false.' }),
      sshSettings: t.arg({ type: SETTINGS_TYPES.SshSettings.input }),
      tlsSettings: t.arg({ type: SETTINGS_TYPES.TlsSettings.input }),
      workspace: t.arg.string({
        description:
          'The workspace whose secret references the draft may use (the caller must hold connections:write there). ' +
          'Default: default.',
      }),
    },
    errors: {
      types: [ValidationError, ...DIALECT_ERRORS, ...CONNECTIVITY_ERRORS],
      directResult: true,
      union: { name: 'TestConnectionUriResult' },
    },
    resolve: (
      _root,
      { uri, dialect, parameters, schemas, useSsh, sshSettings, tlsSettings, workspace },
      { connections, caller },
    ) =>
      // The argument `uri` is the connection's connectionUri: errors name it as the caller wrote it.
      connections.testDraft(
        caller,
        {
          connectionUri: uri ?? undefined,
          dialect: dialect ?? undefined,
          parameters: parameters ?? undefined,
          schemas: schemas ?? [],
          useSsh: useSsh ?? false,
          sshSettings,
          tlsSettings,
          workspace: workspace ?? undefined,
        },
        (name) => (name === 'connectionUri' ? 'uri' : name),
      ),
  }),
);
