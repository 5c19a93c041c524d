/**
 * The GraphQL half of the benchmark's baseline: the bench's queries answered by a schema written
 * by hand over the same Prisma client, compiled by graphql-jit (each query text once), with no
 * Yoga, envelop, Pothos, auth or logging in between. The leanest way this ecosystem serves
 * GraphQL: the floor the service's GraphQL is measured against.
 */

import { buildSchema, type GraphQLObjectType, type GraphQLScalarType, parse } from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import { decodeCursor, encodeCursor } from '../src/connections/stored/cursor.ts';
import { type ConnectionRow, rowMetadata, rowSchemas } from '../src/connections/stored/records.ts';
import type { Prisma } from '../src/db/client.ts';
import { pastPosition } from '../src/db/tables/connections.ts';
import { DIALECT_NAMES } from '../src/dialects/registry.ts';

const schema = buildSchema(`
  scalar DateTime
  scalar JSONObject
  enum Dialect { ${DIALECT_NAMES.map((name) => name.toUpperCase()).join(' ')} }
  type DatabaseConnection {
    id: ID!
    alias: String!
    connectionUri: String!
    dialect: Dialect!
    schemas: [String!]!
    metadata: JSONObject!
    createdAt: DateTime!
    updatedAt: DateTime!
  }
  type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }
  type DatabaseConnectionEdge { cursor: String! node: DatabaseConnection! }
  type DatabaseConnectionConnection { edges: [DatabaseConnectionEdge!]! pageInfo: PageInfo! }
  type Query {
    databaseConnection(id: ID!): DatabaseConnection
    databaseConnections(first: Int, after: String): DatabaseConnectionConnection!
  }
`);

function wire(prisma: Prisma) {
  const fields = (name: string) => (schema.getType(name) as GraphQLObjectType).getFields();
  const query = fields('Query');
  (query.databaseConnection as { resolve: unknown }).resolve = (_: unknown, { id }: { id: string }) =>
    prisma.databaseConnection.findUnique({ where: { id } });
  (query.databaseConnections as { resolve: unknown }).resolve = async (
    _: unknown,
    { first, after }: { first?: number; after?: string },
  ) => {
    const size = first ?? 50;
    const position = after ? decodeCursor(after) : undefined;
    const rows = await prisma.databaseConnection.findMany({
      where: position ? pastPosition(position, 'gt') : {},
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: size + 1,
    });
    const nodes = rows.slice(0, size);
    const last = nodes[nodes.length - 1];
    return {
      edges: nodes.map((node) => ({ node, cursor: encodeCursor(node) })),
      pageInfo: {
        hasNextPage: rows.length > size,
        hasPreviousPage: false,
        startCursor: nodes[0] ? encodeCursor(nodes[0]) : null,
        endCursor: last ? encodeCursor(last) : null,
      },
    };
  };
  const connection = fields('DatabaseConnection');
  (connection.connectionUri as { resolve: unknown }).resolve = (row: ConnectionRow) => row.connectionUriMasked;
  (connection.dialect as { resolve: unknown }).resolve = (row: ConnectionRow) =>
    // buildSchema's enum values are their names.
    row.dialect.toUpperCase();
  (connection.schemas as { resolve: unknown }).resolve = rowSchemas;
  (connection.metadata as { resolve: unknown }).resolve = rowMetadata;
  Object.assign(schema.getType('DateTime') as GraphQLScalarType, { serialize: (date: Date) => date.toISOString() });
  Object.assign(schema.getType('JSONObject') as GraphQLScalarType, { serialize: (value: unknown) => value });
}

/** Answers a GraphQL request body with the JSON text of its result. */
export function graphqlBaseline(prisma: Prisma): (body: { query: string; variables?: object }) => Promise<string> {
  wire(prisma);
  const compiled = new Map<string, CompiledQuery>();
  return async ({ query, variables }) => {
    let entry = compiled.get(query);
    if (!entry) {
      const result = compileQuery(schema, parse(query));
      if (!isCompiledQuery(result)) return JSON.stringify(result);
      entry = result;
      compiled.set(query, entry);
    }
    return entry.stringify(await entry.query(undefined, undefined, variables ?? {}));
  };
}
