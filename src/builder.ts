/** The Pothos schema builder, with its plugins and scalars. Types register themselves in src/schema/. */
import SchemaBuilder from '@pothos/core';
import ComplexityPlugin, { ComplexityErrorKind } from '@pothos/plugin-complexity';
import ErrorsPlugin from '@pothos/plugin-errors';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { GraphQLScalarType } from 'graphql';
import { DateTimeResolver, JSONObjectResolver, SafeIntResolver } from 'graphql-scalars';
import { SCOPES, type Scope } from './auth/api-keys.ts';
import { forbiddenError } from './auth/forbidden.ts';
import type { Context } from './context.ts';
import type PrismaTypes from './generated/pothos-types.ts';
import { getDatamodel } from './generated/pothos-types.ts';
import { LIST_SIZE, QUERY_LIMITS, queryLimitError } from './schema/query-limits.ts';

export const builder = new SchemaBuilder<{
  PrismaTypes: PrismaTypes;
  Context: Context;
  AuthScopes: Record<Scope, boolean>;
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date };
    JSONObject: { Input: Record<string, unknown>; Output: Record<string, unknown> };
    SafeInt: { Input: number; Output: number };
  };
}>({
  // Scope auth first, so it wraps every resolver the other plugins add.
  plugins: [ScopeAuthPlugin, ComplexityPlugin, ErrorsPlugin, PrismaPlugin, RelayPlugin],
  // Checked before the root fields resolve, with the variables' values (src/schema/query-limits.ts).
  complexity: {
    defaultComplexity: 1,
    defaultListMultiplier: LIST_SIZE,
    limit: { complexity: QUERY_LIMITS.complexity, depth: QUERY_LIMITS.depth, breadth: QUERY_LIMITS.breadth },
    complexityError: (kind, { complexity, depth, breadth }) =>
      kind === ComplexityErrorKind.Depth
        ? queryLimitError('depth', depth)
        : kind === ComplexityErrorKind.Breadth
          ? queryLimitError('breadth', breadth)
          : queryLimitError('complexity', complexity),
  },
  scopeAuth: {
    authScopes: ({ principal }) =>
      Object.fromEntries(SCOPES.map((scope) => [scope, principal.access.scopes.has(scope)])) as Record<Scope, boolean>,
    unauthorizedError: (_parent, _context, _info, result) => forbiddenError(result),
  },
  defaultFieldNullability: false,
  prisma: {
    // The client is per process (SQLite or PostgreSQL, chosen at start), so it travels in the context.
    client: (context) => context.pothosPrismaClient,
    dmmf: getDatamodel(),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // A page's edges are as many as its connection field says: counted there, once.
    edgesFieldOptions: { nullable: false, complexity: { field: 1, multiplier: 1 } },
    nodeFieldOptions: { nullable: false },
    // A connection's global id is its plain UUID, so the id a REST response
    // shows works in GraphQL too and the other way round. That is unambiguous
    // while DatabaseConnection is the only node type; a second one will need a
    // type prefix for its own ids.
    encodeGlobalID: (_typename, id) => String(id),
    decodeGlobalID: (globalID) => ({ typename: 'DatabaseConnection', id: globalID }),
    // Each field that returns connections checks the caller's scopes once, rather than the
    // type checking them for every field of every row (which costs in long lists).
    // Readers and writers (who get a connection back from their mutations) may look one up.
    nodeQueryOptions: { authScopes: { 'connections:read': true, 'connections:write': true } },
    nodesQueryOptions: {
      authScopes: { 'connections:read': true, 'connections:write': true },
      complexity: ({ ids }) => ({ field: 1, multiplier: ids.length }),
    },
  },
  errors: {
    defaultTypes: [],
  },
});

builder.queryType({});
builder.mutationType({});

// Written out as ISO text here: left as a Date, it is JSON.stringify that converts it, on a
// slow path that shows in long lists.
const DateTime = new GraphQLScalarType({
  ...DateTimeResolver.toConfig(),
  serialize: (value) => (DateTimeResolver.serialize(value) as Date).toISOString(),
});
builder.addScalarType('DateTime', DateTime);
builder.addScalarType('JSONObject', JSONObjectResolver);
// Counts past Int's 32 bits (a table's rows), exact up to 2^53 - 1.
builder.addScalarType('SafeInt', SafeIntResolver);
