/**
 * The schema history on DatabaseConnection: the latest snapshot of its catalog (scanned on the
 * first call, or when asked), and the changes scans found, newest first.
 */
import { parseCursorConnectionArgs } from '@pothos/core';
import { GraphQLError } from 'graphql';
import { builder } from '../builder.ts';
import { SCHEMA_CHANGE_KINDS, type SchemaChangeFound, type SchemaChangeKind } from '../schema-history/kinds.ts';
import { type SchemaChangeRecord, SNAPSHOT_MEANINGS, type SnapshotWithCatalog } from '../schema-history/store.ts';
import { DISCOVERY_ERRORS, SchemaType } from './connectivity.ts';
import { DatabaseConnection } from './database-connection.ts';
import { rowNumberOf } from './numbered-cursors.ts';
import { pageComplexity } from './query-limits.ts';

export const SchemaChangeKindEnum = builder.enumType('SchemaChangeKind', {
  description: 'What a schema change is; a rename is a removal and an addition.',
  values: Object.fromEntries(
    Object.entries(SCHEMA_CHANGE_KINDS).map(([kind, description]) => [
      kind.toUpperCase(),
      { value: kind, description },
    ]),
  ) as Record<Uppercase<SchemaChangeKind>, { value: SchemaChangeKind; description: string }>,
});

const SchemaSnapshotType = builder.objectRef<SnapshotWithCatalog>('SchemaSnapshot').implement({
  description: "A connection's catalog as a scan found it.",
  fields: (t) => ({
    scannedAt: t.field({
      type: 'DateTime',
      description: SNAPSHOT_MEANINGS.scannedAt,
      resolve: (snapshot) => snapshot.checkedAt,
    }),
    firstFoundAt: t.field({
      type: 'DateTime',
      description: SNAPSHOT_MEANINGS.firstFoundAt,
      resolve: (snapshot) => snapshot.createdAt,
    }),
    contentHash: t.exposeString('contentHash', {
      description: "SHA-256 (hex) of the catalog's canonical form, row estimates aside: REST's ETag.",
    }),
    tableCount: t.exposeInt('tableCount', { description: SNAPSHOT_MEANINGS.tableCount }),
    columnCount: t.exposeInt('columnCount', { description: SNAPSHOT_MEANINGS.columnCount }),
    schemas: t.field({
      type: [SchemaType],
      description: 'The schemas, tables and columns, with the row estimates of the last scan.',
      resolve: (snapshot) => snapshot.schemas,
    }),
  }),
});

/** A change found by a scan; those a SCHEMA_CHANGED event carries have no id. */
type Change = SchemaChangeFound & { detectedAt: Date; id?: number };

export const SchemaChangeType = builder.objectRef<Change>('SchemaChange').implement({
  description: 'A change a scan found between the catalog before and the one it found.',
  fields: (t) => ({
    kind: t.field({ type: SchemaChangeKindEnum, resolve: (change) => change.kind }),
    path: t.exposeString('path', {
      description: '`schema.table` or `schema.table.column`; a name that is no plain identifier is double-quoted.',
    }),
    before: t.exposeString('before', { nullable: true, description: 'What it was (see the kind); null when none.' }),
    after: t.exposeString('after', { nullable: true, description: 'What it is (see the kind); null when none.' }),
    detectedAt: t.field({ type: 'DateTime', resolve: (change) => change.detectedAt }),
  }),
});

builder.objectField(DatabaseConnection, 'schemaSnapshot', (t) =>
  t.field({
    type: SchemaSnapshotType,
    description:
      "The latest snapshot of the connection's catalog (limited to its schemas when it has any). Scanned now on the " +
      'first call, when the connection changed since, or with `refresh`; a scan that finds changes records them ' +
      '(schemaChanges), writes a schema_changed audit event and publishes SCHEMA_CHANGED.',
    authScopes: { 'connections:read': true },
    args: { refresh: t.arg.boolean({ description: 'Scan now.', defaultValue: false }) },
    errors: {
      types: DISCOVERY_ERRORS,
      union: { name: 'SchemaSnapshotResult' },
      result: { name: 'SchemaSnapshotSuccess' },
      dataField: { name: 'snapshot' },
    },
    resolve: (row, { refresh }, { connections, caller }) =>
      connections.schemaHistory.snapshot(caller, row, refresh ?? false),
  }),
);

export const SCHEMA_CHANGES_PAGE_DEFAULT = 50;
export const SCHEMA_CHANGES_PAGE_MAX = 500;

builder.objectField(DatabaseConnection, 'schemaChanges', (t) =>
  t.connection(
    {
      type: SchemaChangeType,
      description: `What scans of the connection found changed, the newest scan first and each scan's changes in path order: ${SCHEMA_CHANGES_PAGE_MAX} a page at most.`,
      authScopes: { 'connections:read': true },
      complexity: pageComplexity(SCHEMA_CHANGES_PAGE_DEFAULT),
      args: { since: t.arg({ type: 'DateTime', description: 'Only changes detected at or after this moment.' }) },
      resolve: async (row, args, { connections, caller }) => {
        if (args.last != null || args.before != null) {
          throw new GraphQLError('schemaChanges pages from the newest: use first and after.', {
            extensions: { code: 'BAD_USER_INPUT' },
          });
        }
        const { expectedSize } = parseCursorConnectionArgs({
          args: { first: args.first, after: args.after },
          defaultSize: SCHEMA_CHANGES_PAGE_DEFAULT,
          maxSize: SCHEMA_CHANGES_PAGE_MAX,
        });
        const page = await connections.schemaHistory.changes(caller, row, {
          first: expectedSize,
          before: args.after ? rowNumberOf(args.after) : undefined,
          since: args.since ?? undefined,
        });
        const edges = page.changes.map((node: SchemaChangeRecord) => ({ node, cursor: String(node.id) }));
        return {
          edges,
          pageInfo: {
            hasNextPage: page.next !== null,
            hasPreviousPage: args.after != null,
            startCursor: edges[0]?.cursor ?? null,
            endCursor: edges.at(-1)?.cursor ?? null,
          },
        };
      },
    },
    { name: 'SchemaChangeConnection' },
    { name: 'SchemaChangeEdge' },
  ),
);
