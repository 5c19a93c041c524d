/** The AuditEvent type and the auditEvents query: the audit trail, newest first. */
import { parseCursorConnectionArgs } from '@pothos/core';
import { GraphQLError } from 'graphql';
import { AUDIT_ACTIONS, type AuditAction } from '../audit/events.ts';
import { builder } from '../builder.ts';
import { rowNumberOf } from './numbered-cursors.ts';
import { pageComplexity } from './query-limits.ts';
import { plainText } from './text-arguments.ts';

const AuditActionEnum = builder.enumType('AuditAction', {
  description: 'What was done.',
  values: Object.fromEntries(AUDIT_ACTIONS.map((action) => [action.toUpperCase(), { value: action }])) as Record<
    Uppercase<AuditAction>,
    { value: AuditAction }
  >,
});

const AUDIT_ACTION_NAMES: readonly string[] = AUDIT_ACTIONS;
const isAuditAction = (action: string): action is AuditAction => AUDIT_ACTION_NAMES.includes(action);

/** An event's action; one this version does not know is a fault, never shown as another. */
function auditActionOf(action: string): AuditAction {
  if (isAuditAction(action)) return action;
  throw new Error(`An audit event holds the action "${action}", which this version does not know.`);
}

/** The REST names an event's `fields` column holds, as JSON text of an array of strings. */
function fieldNamesOf(text: string): string[] {
  const names: unknown = JSON.parse(text);
  if (Array.isArray(names) && names.every((name): name is string => typeof name === 'string')) return names;
  throw new Error('An audit event holds fields that are not a list of names.');
}

const AuditEvent = builder.prismaObject('AuditEvent', {
  description:
    'Who did what to which connection, workspace or API key, and when. Changes are recorded in their own transaction; secrets never are.',
  fields: (t) => ({
    id: t.id({
      description: 'Events are numbered in the order they were recorded.',
      resolve: (event) => String(event.id),
    }),
    at: t.expose('at', { type: 'DateTime' }),
    actor: t.exposeString('actor', {
      description: 'The API key’s name, `local` in local mode, or the tool that acted (`provisioning`, `rotate-keys`).',
    }),
    actorId: t.exposeString('actorId', {
      nullable: true,
      description:
        'Who acted, exactly: `key:<id>` for an API key, `oidc:<issuer>#<subject>` for a signed-in identity; null for local mode and tools.',
    }),
    workspace: t.exposeString('workspace', {
      nullable: true,
      description:
        'The workspace acted on (that of the connection, the workspace itself, or the one workspace an API key’s ' +
        'grants name); null for what concerns none or several (a key rotation, a key on several workspaces).',
    }),
    subject: t.exposeString('subject', {
      nullable: true,
      description: 'What else the event is about: the API key’s id, or a renamed workspace’s former name.',
    }),
    action: t.field({ type: AuditActionEnum, resolve: (event) => auditActionOf(event.action) }),
    connectionId: t.exposeID('connectionId', { nullable: true }),
    alias: t.exposeString('alias', { nullable: true, description: 'The connection’s alias at the time.' }),
    fields: t.stringList({
      description: 'The REST names of the fields that changed, or that were revealed; never a value.',
      resolve: (event) => fieldNamesOf(event.fields),
    }),
    requestId: t.exposeString('requestId', { nullable: true, description: 'The X-Request-Id of the request.' }),
    outcome: t.exposeString('outcome', { description: '`ok`, or what went wrong (a test’s failure code).' }),
  }),
});

const AuditEventFilter = builder.inputType('AuditEventFilter', {
  fields: (t) => ({
    connectionId: t.id({ description: 'Only the events of this connection.' }),
    action: t.field({ type: AuditActionEnum, description: 'Only events of this kind.' }),
    since: t.field({ type: 'DateTime', description: 'Only events at or after this moment.' }),
  }),
});

/** A cursor is the event's number: events are numbered in the order they were recorded. */
const encodeCursor = (event: { id: number }) => String(event.id);

export const AUDIT_PAGE_DEFAULT = 50;
export const AUDIT_PAGE_MAX = 1000;

builder.queryField('auditEvents', (t) =>
  t.connection(
    {
      type: AuditEvent,
      description: `The audit trail, newest first: ${AUDIT_PAGE_MAX} events a page at most. Only the events of workspaces where the caller holds audit:read (with audit:read in every workspace, all of them).`,
      authScopes: { 'audit:read': true },
      complexity: pageComplexity(AUDIT_PAGE_DEFAULT),
      args: { filter: t.arg({ type: AuditEventFilter }) },
      resolve: async (_root, args, { auditTrail, caller }) => {
        if (args.last != null || args.before != null) {
          throw new GraphQLError('auditEvents pages from the newest: use first and after.', {
            extensions: { code: 'BAD_USER_INPUT' },
          });
        }
        const { limit, expectedSize, hasNextPage } = parseCursorConnectionArgs({
          args: { first: args.first, after: args.after },
          defaultSize: AUDIT_PAGE_DEFAULT,
          maxSize: AUDIT_PAGE_MAX,
        });
        const beforeId = args.after ? rowNumberOf(args.after) : undefined;
        const filter = { ...args.filter, connectionId: plainText(args.filter?.connectionId, 'filter.connectionId') };
        const rows = await auditTrail.page(caller, { ...filter, beforeId }, limit);
        const nodes = rows.slice(0, expectedSize);
        const last = nodes[nodes.length - 1];
        return {
          edges: nodes.map((node) => ({ node, cursor: encodeCursor(node) })),
          pageInfo: {
            startCursor: nodes[0] ? encodeCursor(nodes[0]) : null,
            endCursor: last ? encodeCursor(last) : null,
            hasPreviousPage: false,
            hasNextPage: hasNextPage(rows.length),
          },
        };
      },
    },
    { name: 'AuditEventConnection' },
    { name: 'AuditEventEdge' },
  ),
);
