/** The DatabaseConnection type with its queries and mutations. */
import { parseCursorConnectionArgs } from '@pothos/core';
import { GraphQLError } from 'graphql';
import { recordAuditEvent } from '../audit/events.ts';
import { builder } from '../builder.ts';
import { decodeCursor, encodeCursor, type Position, pastPosition } from '../connections/cursor.ts';
import {
  AliasConflictError,
  ManagedConnectionError,
  NotFoundError,
  ValidationError,
  VersionMismatchError,
} from '../connections/errors.ts';
import { type ConnectionDocument, INPUT_FIELDS, INPUT_REST_NAMES } from '../connections/fields.ts';
import type { HealthStatus } from '../connections/health.ts';
import { aliasKey, parseFullDocument, parsePartialDocument } from '../connections/input.ts';
import { maskedPaths, refuseMasks, restoreMasks } from '../connections/masks.ts';
import {
  type ConnectionRow,
  changedColumns,
  changedFields,
  isConnectionId,
  newRow,
  restNames,
  rowAt,
  storedDocument,
  translateWriteErrors,
} from '../connections/records.ts';
import { resolveReferences } from '../connections/references.ts';
import { checkConnection, REACHING_FIELDS, routeOf } from '../connections/transport.ts';
import { requireWorkingConnection } from '../connectivity/connectivity.ts';
import { CONNECTIVITY_ERRORS, ConnectionFailedError } from '../connectivity/errors.ts';
import type { Context } from '../context.ts';
import type { Prisma } from '../db/client.ts';
import type { DialectName } from '../dialects/registry.ts';
import { DIALECT_ERRORS } from '../dialects/rules.ts';
import { connectionEvent } from '../events/connection-events.ts';
import type { Prisma as PrismaTypes } from '../generated/sqlite/client.ts';
import { connectionInputFields, connectionObjectFields, DialectEnum } from './connection-fields.ts';
import { HealthStatusEnum } from './connection-health.ts';

export const DatabaseConnection = builder.prismaNode('DatabaseConnection', {
  description: 'A registered database and the URI to reach it.',
  id: { field: 'id' },
  nullable: true,
  fields: connectionObjectFields,
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
    resolve: (_root, { id }, { prisma }) =>
      isConnectionId(id) ? prisma.databaseConnection.findUnique({ where: { id } }) : null,
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

/** The rows past a cursor (see pastPosition); a cursor this API did not give out is bad input. */
export const beyond = (cursor: string, direction: 'gt' | 'lt') => pastPosition(positionOf(cursor), direction);

function filterWhere(
  filter: { alias?: string | null; dialect?: DialectName | null; health?: HealthStatus | null } | null | undefined,
): PrismaTypes.DatabaseConnectionWhereInput {
  return {
    ...(filter?.alias != null && { aliasKey: aliasKey(filter.alias.trim()) }),
    ...(filter?.dialect != null && { dialect: filter.dialect }),
    ...(filter?.health != null && { healthStatus: filter.health }),
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
      args: { filter: t.arg({ type: DatabaseConnectionFilter }) },
      resolve: async (_root, args, { prisma }) => {
        const where = filterWhere(args.filter);
        const { before, after, limit, expectedSize, inverted, hasPreviousPage, hasNextPage } =
          parseCursorConnectionArgs({ args, defaultSize: CONNECTION_PAGE_DEFAULT, maxSize: CONNECTION_PAGE_MAX });
        const direction = inverted ? 'desc' : 'asc';
        const rows = await prisma.databaseConnection.findMany({
          where: { AND: [where, ...(after ? [beyond(after, 'gt')] : []), ...(before ? [beyond(before, 'lt')] : [])] },
          orderBy: [{ createdAt: direction }, { id: direction }],
          take: limit,
        });
        const nodes = rows.slice(0, expectedSize);
        if (inverted) nodes.reverse();
        const first = nodes[0];
        const last = nodes[nodes.length - 1];
        const around = after ?? before ?? '';
        return {
          edges: nodes.map((node) => new Edge(node)),
          pageInfo: {
            startCursor: first ? encodeCursor(first) : around,
            endCursor: last ? encodeCursor(last) : around,
            hasPreviousPage: hasPreviousPage(rows.length),
            hasNextPage: hasNextPage(rows.length),
          },
          where,
        };
      },
    },
    {
      name: 'DatabaseConnectionConnection',
      fields: (connection) => ({
        totalCount: connection.int({
          description: 'How many connections match the filter, across all pages.',
          resolve: (page, _args, { prisma }) =>
            prisma.databaseConnection.count({ where: (page as unknown as { where: object }).where }),
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

/** Where a conditional write finds its row, and how it tells a row that moved on from one that is gone. */
function versionedWrite(prisma: Prisma, id: string, expectedVersion: number | null | undefined) {
  return {
    where: rowAt(id, expectedVersion),
    context: {
      id,
      expectedVersion,
      current: async () =>
        (await prisma.databaseConnection.findUnique({ where: { id }, select: { version: true, managed: true } })) ??
        undefined,
    },
  };
}

const TEST_CONNECTION_ARG = {
  defaultValue: false,
  description: 'Connect with the real driver first, and save nothing unless it works.',
};

/** Names the union, success type and data field of a mutation result. */
function resultNames(mutation: string) {
  return {
    union: { name: `${mutation}Result` },
    result: { name: `${mutation}Success` },
    dataField: { name: 'databaseConnection' },
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
    resolve: async (
      _root,
      { input, testConnection },
      { prisma, secrets, references, policy, connectivity, events, principal, requestId },
    ) => {
      const document = parseFullDocument(input);
      refuseMasks(document);
      // Checked with the values its references stand for; stored with the references as written.
      const resolved = resolveReferences(document, references);
      const dialect = checkConnection(resolved, policy);
      if (testConnection) {
        await requireWorkingConnection(connectivity, routeOf(resolved), dialect, document.schemas, principal.name);
      }
      const row = newRow(document, dialect.name, secrets);
      return translateWriteErrors(
        () =>
          events.commit(
            prisma,
            connectionEvent('created', row.id),
            prisma.databaseConnection.create({ data: row }),
            recordAuditEvent(prisma, {
              actor: principal.name,
              action: 'create',
              connectionId: row.id,
              alias: row.alias,
              fields: INPUT_REST_NAMES,
              requestId,
            }),
          ),
        { alias: document.alias },
      );
    },
  }),
);

/**
 * Writes an update with its audit event and its change event, in one batch. Which fields it
 * changes (for the audit trail, and the health it resets) is told from the row as read just
 * before; the write then applies to that version only (or to the one the client asked for), so
 * what is recorded is what changed. Another write coming between the read and the write: read again.
 * `known`: the row as the checks of the update just read it, if they did.
 */
async function recordedUpdate(
  { prisma, secrets, events }: Pick<Context, 'prisma' | 'secrets' | 'events'>,
  update: {
    id: string;
    document: Partial<ConnectionDocument>;
    dialect: DialectName | undefined;
    expectedVersion: number | null | undefined;
    actor: string;
    requestId: string | undefined;
    known?: ConnectionRow;
  },
): Promise<ConnectionRow> {
  const { id, document, dialect, expectedVersion, actor, requestId, known } = update;
  const { where, context } = versionedWrite(prisma, id, expectedVersion);
  for (let attempt = 1; ; attempt++) {
    const before = attempt === 1 && known ? known : await prisma.databaseConnection.findUnique({ where: { id } });
    const changed = before ? changedFields(storedDocument(before, secrets), document) : [];
    const alias = document.alias ?? before?.alias ?? null;
    const write = () =>
      events.commit(
        prisma,
        connectionEvent('updated', id),
        prisma.databaseConnection.update({
          where: before && expectedVersion == null ? { ...where, version: before.version } : where,
          data: changedColumns(id, document, dialect, secrets, changed),
        }),
        recordAuditEvent(prisma, {
          actor,
          action: 'update',
          connectionId: id,
          alias,
          fields: restNames(changed),
          requestId,
        }),
      );
    try {
      return await translateWriteErrors(write, { ...context, alias: document.alias });
    } catch (error) {
      const movedOn =
        before && expectedVersion == null && (error instanceof NotFoundError || error instanceof VersionMismatchError);
      if (!movedOn || attempt === 3) throw error;
    }
  }
}

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
    resolve: async (
      _root,
      { id, input, testConnection, expectedVersion },
      { prisma, secrets, references, policy, connectivity, events, principal, requestId },
    ) => {
      const document = parsePartialDocument(input);
      if (!isConnectionId(id)) throw new NotFoundError(id);
      let dialect: DialectName | undefined;
      let stored: ConnectionRow | null | undefined;
      const complete = INPUT_FIELDS.every(([name]) => name in document);
      const masked = maskedPaths(document).length > 0;
      if (complete && !masked && !testConnection) {
        // The update names every field (a REST PUT always does), holds no mask and tests nothing:
        // no need to read the stored row. A missing row shows in the update.
        dialect = checkConnection(resolveReferences(document as ConnectionDocument, references), policy).name;
      } else if (masked || testConnection || REACHING_FIELDS.some((name) => name in document)) {
        // The rules, and what a test connects to, depend on fields the update may leave as they are.
        stored = await prisma.databaseConnection.findUnique({ where: { id } });
        if (!stored) throw new NotFoundError(id);
        if (stored.managed) throw new ManagedConnectionError(id);
        if (expectedVersion != null && stored.version !== expectedVersion) {
          throw new VersionMismatchError(id, expectedVersion, stored.version);
        }
        const previous = storedDocument(stored, secrets);
        // A client sending back what it read, secrets masked, keeps the stored ones.
        restoreMasks(document, previous);
        const effective = resolveReferences({ ...previous, ...document }, references);
        const checked = checkConnection(effective, policy);
        if (document.connectionUri !== undefined) dialect = checked.name;
        if (testConnection) {
          await requireWorkingConnection(connectivity, routeOf(effective), checked, effective.schemas, principal.name);
        }
      }
      return recordedUpdate(
        { prisma, secrets, events },
        { id, document, dialect, expectedVersion, actor: principal.name, requestId, known: stored ?? undefined },
      );
    },
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
    resolve: async (
      _root,
      { id, expectedVersion },
      { prisma, events, principal, requestId },
    ): Promise<ConnectionRow> => {
      if (!isConnectionId(id)) throw new NotFoundError(id);
      const { where, context } = versionedWrite(prisma, id, expectedVersion);
      const change = connectionEvent('deleted', id);
      const deleted = await translateWriteErrors(
        () =>
          prisma.$transaction(async (tx) => {
            const row = await tx.databaseConnection.delete({ where });
            await recordAuditEvent(tx, {
              actor: principal.name,
              action: 'delete',
              connectionId: id,
              alias: row.alias,
              requestId,
            });
            await events.inTransaction(tx, change);
            return row;
          }),
        context,
      );
      events.afterCommit(change);
      return deleted;
    },
  }),
);
