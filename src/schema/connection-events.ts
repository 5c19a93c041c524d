/** The databaseConnectionEvents subscription: live changes of connections, over Server-Sent Events. */
import { GraphQLError } from 'graphql';
import { missingScopesError } from '../auth/forbidden.ts';
import { CredentialEnded } from '../auth/sessions.ts';
import { builder } from '../builder.ts';
import type { ConnectionRow } from '../db/tables/connections.ts';
import type { ErrorCode } from '../error-codes.ts';
import {
  CONNECTION_EVENT_ACTIONS,
  type ConnectionEvent,
  type ConnectionEventAction,
  type SchemaChangesSummary,
} from '../events/connection-events.ts';
import type { SchemaChangeKind } from '../schema-history/kinds.ts';
import { DatabaseConnection } from './database-connection.ts';
import { SchemaChangeKindEnum, SchemaChangeType } from './schema-history.ts';

/** An event as delivered: with the connection as the caller may see it, read before its credential was checked again. */
interface Delivery {
  event: ConnectionEvent;
  connection: ConnectionRow | null;
}

const ConnectionEventActionEnum = builder.enumType('DatabaseConnectionEventAction', {
  values: Object.fromEntries(
    CONNECTION_EVENT_ACTIONS.map((action) => [action.toUpperCase(), { value: action }]),
  ) as Record<Uppercase<ConnectionEventAction>, { value: ConnectionEventAction }>,
});

const SchemaChangeCountType = builder
  .objectRef<{ kind: SchemaChangeKind; count: number }>('SchemaChangeCount')
  .implement({
    fields: (t) => ({
      kind: t.field({ type: SchemaChangeKindEnum, resolve: ({ kind }) => kind }),
      count: t.exposeInt('count'),
    }),
  });

const SchemaChangesSummaryType = builder
  .objectRef<{ summary: SchemaChangesSummary; at: Date }>('SchemaChangesSummary')
  .implement({
    description:
      'What a scan found changed: how many of each kind, and the first changes (all of them: schemaChanges).',
    fields: (t) => ({
      total: t.int({ resolve: ({ summary }) => summary.total }),
      counts: t.field({
        type: [SchemaChangeCountType],
        resolve: ({ summary }) =>
          Object.entries(summary.counts).map(([kind, count]) => ({
            kind: kind as SchemaChangeKind,
            count: count ?? 0,
          })),
      }),
      first: t.field({
        type: [SchemaChangeType],
        resolve: ({ summary, at }) => summary.first.map((change) => ({ ...change, detectedAt: at })),
      }),
    }),
  });

const ConnectionEventType = builder.objectRef<Delivery>('DatabaseConnectionEvent').implement({
  description: 'A connection was created, updated, deleted, its health changed, or a scan found its schema changed.',
  fields: (t) => ({
    action: t.field({ type: ConnectionEventActionEnum, resolve: ({ event }) => event.action }),
    connectionId: t.id({ resolve: ({ event }) => event.connectionId }),
    connection: t.field({
      type: DatabaseConnection,
      nullable: true,
      description: 'The connection as it is now, secrets masked as in queries; null once it is deleted.',
      resolve: ({ connection }) => connection,
    }),
    at: t.field({ type: 'DateTime', resolve: ({ event }) => new Date(event.at) }),
    schemaChanges: t.field({
      type: SchemaChangesSummaryType,
      nullable: true,
      description: 'Of SCHEMA_CHANGED: what the scan found changed.',
      resolve: ({ event }) => event.schemaChanges && { summary: event.schemaChanges, at: new Date(event.at) },
    }),
  }),
});

/** The last message of a subscription whose credential ended: the code of a refused credential, and why. */
const credentialEndedError = ({ reason, message }: CredentialEnded) =>
  new GraphQLError(message, {
    extensions: { code: ('unauthenticated' satisfies ErrorCode).toUpperCase(), reason },
  });

builder.subscriptionType({});

builder.subscriptionField('databaseConnectionEvents', (t) =>
  t.field({
    type: ConnectionEventType,
    description:
      'Changes of connections as they happen, of one connection (`id`) or of all; across every instance on ' +
      'PostgreSQL. Over Server-Sent Events (GraphQL over SSE). Only connections in workspaces where the caller ' +
      'holds connections:read. Ends with an UNAUTHENTICATED error (`reason`: revoked, expired, grants_changed) ' +
      'once the credential it was opened with no longer holds.',
    authScopes: { 'connections:read': true },
    args: { id: t.arg.id({ description: 'Only the events of this connection.' }) },
    // Checked before subscribing: scope-auth guards a subscription's resolve, which runs only
    // once an event comes, after the subscriber is listening.
    subscribe: (_root, { id }, { events, sessions, principal, connections, caller }) => {
      const { access } = principal;
      if (!access.scopes.has('connections:read')) throw missingScopesError(['connections:read']);
      // Only the events of connections in workspaces where the caller reads: an event that does not
      // name its workspace is told by the connection, read as the caller may see it.
      const source = events.subscribe(id, async (event) => {
        const workspace = event.workspace ?? (await connections.get(caller, event.connectionId))?.workspace;
        return workspace !== undefined && access.allows('connections:read', workspace);
      });
      return sessions.guard(
        principal,
        source,
        async (event): Promise<Delivery> => ({ event, connection: await connections.get(caller, event.connectionId) }),
      );
    },
    resolve: (delivery) => {
      if (delivery instanceof CredentialEnded) throw credentialEndedError(delivery);
      return delivery;
    },
  }),
);
