/** The DatabaseConnection type with its queries and mutations. */
import { resolveCursorConnection } from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';
import { builder } from '../builder.ts';
import { AliasConflictError, NotFoundError, ValidationError } from '../connections/errors.ts';
import { aliasKey, parseFullDocument, parsePartialDocument } from '../connections/input.ts';
import { presentConnectionUri } from '../connections/present.ts';
import {
  type ConnectionRow,
  isConnectionId,
  newRow,
  rowFields,
  rowMetadata,
  rowSchemas,
  translateWriteErrors,
} from '../connections/records.ts';
import type { Prisma as PrismaTypes } from '../generated/sqlite/client.ts';

export const DatabaseConnection = builder.prismaNode('DatabaseConnection', {
  description: 'A registered database and the URI to reach it.',
  id: { field: 'id' },
  nullable: true,
  fields: (t) => ({
    alias: t.exposeString('alias', { description: 'Unique name of the connection, compared ignoring case.' }),
    connectionUri: t.string({ resolve: (row) => presentConnectionUri(row.connectionUri) }),
    schemas: t.stringList({
      description: 'Schemas of the database this connection is limited to.',
      resolve: rowSchemas,
    }),
    metadata: t.field({ type: 'JSONObject', resolve: rowMetadata }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const CreateDatabaseConnectionInput = builder.inputType('CreateDatabaseConnectionInput', {
  fields: (t) => ({
    alias: t.string({
      required: true,
      description: 'At most 255 characters; leading and trailing spaces are removed.',
    }),
    connectionUri: t.string({ required: true, description: 'A URI with a scheme, at most 2048 characters.' }),
    schemas: t.stringList({ description: 'Distinct, non-empty schema names. Default: [].' }),
    metadata: t.field({ type: 'JSONObject', description: 'Any JSON object. Default: {}.' }),
  }),
});

const UpdateDatabaseConnectionInput = builder.inputType('UpdateDatabaseConnectionInput', {
  description: 'The fields to change; those left out keep their value.',
  fields: (t) => ({
    alias: t.string(),
    connectionUri: t.string(),
    schemas: t.stringList(),
    metadata: t.field({ type: 'JSONObject' }),
  }),
});

// No substring filter: Prisma's `contains` passes % and _ to SQL LIKE as
// wildcards, and SQLite's LIKE has no escape character to stop it.
const DatabaseConnectionFilter = builder.inputType('DatabaseConnectionFilter', {
  fields: (t) => ({
    alias: t.string({ description: 'Only the connection with this alias, compared ignoring case.' }),
  }),
});

// --- Queries -----------------------------------------------------------------

builder.queryField('databaseConnection', (t) =>
  t.prismaField({
    type: DatabaseConnection,
    nullable: true,
    description: 'The connection with this id, or null when there is none.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, { id }, { prisma }) =>
      isConnectionId(id) ? prisma.databaseConnection.findUnique({ ...query, where: { id } }) : null,
  }),
);

/** Cursors are keyset positions (created_at, id), so they stay valid when rows around them are deleted. */
interface Position {
  createdAt: Date;
  id: string;
}

function encodeCursor(row: Position): string {
  return Buffer.from(JSON.stringify([row.createdAt.getTime(), row.id])).toString('base64url');
}

function decodeCursor(cursor: string): Position {
  try {
    const [time, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (Number.isInteger(time) && typeof id === 'string') return { createdAt: new Date(time), id };
  } catch {}
  throw new GraphQLError(`"${cursor}" is not a cursor this API returned.`, { extensions: { code: 'BAD_USER_INPUT' } });
}

function beyond(cursor: string, direction: 'gt' | 'lt'): PrismaTypes.DatabaseConnectionWhereInput {
  const { createdAt, id } = decodeCursor(cursor);
  return { OR: [{ createdAt: { [direction]: createdAt } }, { createdAt, id: { [direction]: id } }] };
}

function filterWhere(filter: { alias?: string | null } | null | undefined): PrismaTypes.DatabaseConnectionWhereInput {
  return filter?.alias != null ? { aliasKey: aliasKey(filter.alias.trim()) } : {};
}

export const CONNECTION_PAGE_DEFAULT = 50;
export const CONNECTION_PAGE_MAX = 1000;

builder.queryField('databaseConnections', (t) =>
  t.connection(
    {
      type: DatabaseConnection,
      description: `Connections, oldest first. Pages hold ${CONNECTION_PAGE_DEFAULT} by default and ${CONNECTION_PAGE_MAX} at most.`,
      args: { filter: t.arg({ type: DatabaseConnectionFilter }) },
      resolve: async (_root, args, { prisma }) => {
        const where = filterWhere(args.filter);
        const page = await resolveCursorConnection<Promise<ConnectionRow[]>>(
          { args, toCursor: encodeCursor, defaultSize: CONNECTION_PAGE_DEFAULT, maxSize: CONNECTION_PAGE_MAX },
          async ({ before, after, limit, inverted }): Promise<ConnectionRow[]> => {
            const direction = inverted ? 'desc' : 'asc';
            return prisma.databaseConnection.findMany({
              where: {
                AND: [where, ...(after ? [beyond(after, 'gt')] : []), ...(before ? [beyond(before, 'lt')] : [])],
              },
              orderBy: [{ createdAt: direction }, { id: direction }],
              take: limit,
            });
          },
        );
        return { ...page, where };
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
    errors: { types: [ValidationError, AliasConflictError], ...resultNames('CreateDatabaseConnection') },
    args: { input: t.arg({ type: CreateDatabaseConnectionInput, required: true }) },
    resolve: (_root, { input }, { prisma }) => {
      const document = parseFullDocument(input);
      return translateWriteErrors(() => prisma.databaseConnection.create({ data: newRow(document) }), {
        alias: document.alias,
      });
    },
  }),
);

builder.mutationField('updateDatabaseConnection', (t) =>
  t.field({
    type: DatabaseConnection,
    errors: { types: [ValidationError, NotFoundError, AliasConflictError], ...resultNames('UpdateDatabaseConnection') },
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: UpdateDatabaseConnectionInput, required: true }),
    },
    resolve: (_root, { id, input }, { prisma }) => {
      const document = parsePartialDocument(input);
      if (!isConnectionId(id)) throw new NotFoundError(id);
      return translateWriteErrors(
        () =>
          prisma.databaseConnection.update({ where: { id }, data: { ...rowFields(document), updatedAt: new Date() } }),
        { id, alias: document.alias },
      );
    },
  }),
);

builder.mutationField('deleteDatabaseConnection', (t) =>
  t.field({
    type: DatabaseConnection,
    description: 'Deletes the connection and returns it as it was.',
    errors: { types: [NotFoundError], ...resultNames('DeleteDatabaseConnection') },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { prisma }): Promise<ConnectionRow> => {
      if (!isConnectionId(id)) throw new NotFoundError(id);
      return translateWriteErrors(() => prisma.databaseConnection.delete({ where: { id } }), { id });
    },
  }),
);
