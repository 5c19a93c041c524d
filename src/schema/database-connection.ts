/** The DatabaseConnection type with its queries and mutations: GraphQL in and out of the connections service. */
import { parseCursorConnectionArgs } from '@pothos/core';
import { GraphQLError } from 'graphql';
import { builder } from '../builder.ts';
import type { HealthStatus } from '../connections/fields/health.ts';
import {
  AliasConflictError,
  ManagedConnectionError,
  NotFoundError,
  ValidationError,
  VersionMismatchError,
} from '../connections/rules/errors.ts';
import { decodeCursor, encodeCursor, type Position } from '../connections/stored/cursor.ts';
import { CONNECTIVITY_ERRORS, ConnectionFailedError } from '../connectivity/errors.ts';
import type { ConnectionFilter, ConnectionRow } from '../db/tables/connections.ts';
import { type DialectName, isDialectName } from '../dialects/registry.ts';
import { DIALECT_ERRORS } from '../dialects/rules.ts';
import { connectionInputFields, connectionObjectFields, DialectEnum } from './connection-fields.ts';
import { HealthStatusEnum } from './connection-health.ts';
import { pageComplexity } from './query-limits.ts';
import { plainText } from './text-arguments.ts';

/**
 * A type over the Prisma model, its fields from the field catalogue. A relay node by `nodeRef`
 * rather than `prismaNode`: prismaNode loads node(id:) with its own findUnique, past the service
 * (docs/development.md, "The schema over the Prisma models").
 */
export const DatabaseConnection = builder.prismaObject('DatabaseConnection', {
  description: 'A registered database and the URI to reach it.',
});
builder.objectFields(DatabaseConnection, connectionObjectFields);

builder.nodeRef(DatabaseConnection, {
  id: { resolve: (row: ConnectionRow) => row.id },
  // node(id:) and nodes(ids:) read through the service, as every read: from the read cache, and
  // only a connection the caller may see (null otherwise).
  loadMany: (ids, { connections, caller }) => Promise.all(ids.map((id) => connections.get(caller, id))),
});

const CreateDatabaseConnectionInput = builder.inputType('CreateDatabaseConnectionInput', {
  fields: (t) => connectionInputFields(t, false),
});

const UpdateDatabaseConnectionInput = builder.inputType('UpdateDatabaseConnectionInput', {
  description: 'The fields to change; those left out keep their value.',
  fields: (t) => connectionInputFields(t, true),
});

// No substring filter: Prisma's `contains` passes % and _ to SQL LIKE as
// wildcards, and SQLite's LIKE has no escape character to stop it.
const DatabaseConnectionFilter = builder.inputType('DatabaseConnectionFilter', {
  fields: (t) => ({
    workspace: t.string({ description: 'Only the connections of this workspace.' }),
    alias: t.string({ description: 'Only the connection with this alias, compared ignoring case.' }),
    dialect: t.field({ type: DialectEnum, description: 'Only connections to this kind of database.' }),
    health: t.field({ type: HealthStatusEnum, description: 'Only connections whose last health check says so.' }),
  }),
});

// --- Queries -----------------------------------------------------------------

// A plain field, not a prismaField: the model has no relations to preload, so there is no
// query to derive from the selection, and deriving it costs on every call.
builder.queryField('databaseConnection', (t) =>
  t.field({
    type: DatabaseConnection,
    nullable: true,
    description: 'The connection with this id, or null when there is none.',
    authScopes: { 'connections:read': true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { connections, caller }) => connections.get(caller, id),
  }),
);

/**
 * An edge whose cursor is encoded only if the query asks for it: long pages
 * (the REST list reads 1,000 rows at a time) need only the page's last one.
 */
class Edge {
  constructor(readonly node: ConnectionRow) {}
  get cursor(): string {
    return encodeCursor(this.node);
  }
}

function positionOf(cursor: string): Position {
  const position = decodeCursor(cursor);
  if (position) return position;
  throw new GraphQLError(`"${cursor}" is not a cursor this API returned.`, { extensions: { code: 'BAD_USER_INPUT' } });
}

/** A Dialect enum's value, which GraphQL has already checked against the enum's (typed as text, as its column). */
function dialectOf(value: string): DialectName {
  if (isDialectName(value)) return value;
  throw new GraphQLError(`"${value}" is not a dialect.`, { extensions: { code: 'BAD_USER_INPUT' } });
}

function filterOf(
  filter:
    | { workspace?: string | null; alias?: string | null; dialect?: string | null; health?: HealthStatus | null }
    | null
    | undefined,
): ConnectionFilter {
  return {
    ...(filter?.workspace != null && { workspace: plainText(filter.workspace, 'filter.workspace') }),
    ...(filter?.alias != null && { alias: plainText(filter.alias, 'filter.alias') }),
    ...(filter?.dialect != null && { dialect: dialectOf(filter.dialect) }),
    ...(filter?.health != null && { health: filter.health }),
  };
}

const CONNECTION_PAGE_DEFAULT = 50;
export const CONNECTION_PAGE_MAX = 1000;

builder.queryField('databaseConnections', (t) =>
  t.connection(
    {
      type: DatabaseConnection,
      description: `Connections, oldest first. Pages hold ${CONNECTION_PAGE_DEFAULT} by default and ${CONNECTION_PAGE_MAX} at most.`,
      authScopes: { 'connections:read': true },
      complexity: pageComplexity(CONNECTION_PAGE_DEFAULT),
      args: { filter: t.arg({ type: DatabaseConnectionFilter }) },
      resolve: async (_root, args, { connections, caller }) => {
        const filter = filterOf(args.filter);
        const { before, after, expectedSize, inverted } = parseCursorConnectionArgs({
          args,
          defaultSize: CONNECTION_PAGE_DEFAULT,
          maxSize: CONNECTION_PAGE_MAX,
        });
        const page = await connections.page(caller, {
          filter,
          after: after ? positionOf(after) : undefined,
          before: before ? positionOf(before) : undefined,
          size: expectedSize,
          fromEnd: inverted,
        });
        const first = page.rows[0];
        const last = page.rows[page.rows.length - 1];
        const around = after ?? before ?? '';
        return {
          edges: page.rows.map((node) => new Edge(node)),
          pageInfo: {
            startCursor: first ? encodeCursor(first) : around,
            endCursor: last ? encodeCursor(last) : around,
            hasPreviousPage: page.hasPreviousPage,
            hasNextPage: page.hasNextPage,
          },
          filter,
        };
      },
    },
    {
      name: 'DatabaseConnectionConnection',
      fields: (connection) => ({
        totalCount: connection.int({
          description: 'How many connections match the filter, across all pages.',
          resolve: (page, _args, { connections, caller }) => connections.count(caller, page.filter),
        }),
      }),
    },
    { name: 'DatabaseConnectionEdge' },
  ),
);

// --- Mutations ---------------------------------------------------------------

/** What testing the connection before a write may end in. */
const TEST_ERRORS = [ConnectionFailedError, ...CONNECTIVITY_ERRORS];

const EXPECTED_VERSION_ARG = {
  description:
    'Write only if the connection is still at this version (optimistic concurrency); else a VersionMismatchError. ' +
    'Left out, the last writer wins.',
};

const TEST_CONNECTION_ARG = {
  defaultValue: false,
  description:
    'Connect with the real driver first, and save nothing unless it works; saved, the test is its health until the next scheduled check.',
};

/** Names the union, success type and data field of a mutation result. */
export function resultNames(mutation: string, dataField = 'databaseConnection') {
  return {
    union: { name: `${mutation}Result` },
    result: { name: `${mutation}Success` },
    dataField: { name: dataField },
  };
}

builder.mutationField('createDatabaseConnection', (t) =>
  t.field({
    type: DatabaseConnection,
    errors: {
      types: [ValidationError, AliasConflictError, ...DIALECT_ERRORS, ...TEST_ERRORS],
      ...resultNames('CreateDatabaseConnection'),
    },
    authScopes: { 'connections:write': true },
    args: {
      input: t.arg({ type: CreateDatabaseConnectionInput, required: true }),
      testConnection: t.arg.boolean(TEST_CONNECTION_ARG),
    },
    resolve: (_root, { input, testConnection }, { connections, caller }) =>
      connections.create(caller, input, { test: testConnection === true }),
  }),
);

builder.mutationField('updateDatabaseConnection', (t) =>
  t.field({
    type: DatabaseConnection,
    errors: {
      types: [
        ValidationError,
        NotFoundError,
        ManagedConnectionError,
        VersionMismatchError,
        AliasConflictError,
        ...DIALECT_ERRORS,
        ...TEST_ERRORS,
      ],
      ...resultNames('UpdateDatabaseConnection'),
    },
    authScopes: { 'connections:write': true },
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: UpdateDatabaseConnectionInput, required: true }),
      testConnection: t.arg.boolean(TEST_CONNECTION_ARG),
      expectedVersion: t.arg.int(EXPECTED_VERSION_ARG),
    },
    resolve: (_root, { id, input, testConnection, expectedVersion }, { connections, caller }) =>
      connections.update(caller, id, input, { test: testConnection === true, expectedVersion }),
  }),
);

builder.mutationField('deleteDatabaseConnection', (t) =>
  t.field({
    type: DatabaseConnection,
    description: 'Deletes the connection and returns it as it was.',
    errors: {
      types: [NotFoundError, ManagedConnectionError, VersionMismatchError],
      ...resultNames('DeleteDatabaseConnection'),
    },
    authScopes: { 'connections:write': true },
    args: { id: t.arg.id({ required: true }), expectedVersion: t.arg.int(EXPECTED_VERSION_ARG) },
    resolve: (_root, { id, expectedVersion }, { connections, caller }): Promise<ConnectionRow> =>
      connections.remove(caller, id, { expectedVersion }),
  }),
);
