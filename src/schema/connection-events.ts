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
} from '../events/connection-events.ts';
import { DatabaseConnection } from './database-connection.ts';

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

const ConnectionEventType = builder.objectRef<Delivery>('DatabaseConnectionEvent').implement({
  description: 'A connection was created, updated, deleted, or its health changed.',
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
