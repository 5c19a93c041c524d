/** Workspaces and the API keys made through the API: their types, queries and mutations. */
import { z } from 'zod';
import {
  ApiKeyNotFoundError,
  WorkspaceConflictError,
  WorkspaceNotEmptyError,
  WorkspaceNotFoundError,
} from '../auth/errors.ts';
import { EVERY_WORKSPACE, GRANT_SHAPE, type Grant, SCOPES, type Scope } from '../auth/grants.ts';
import { builder } from '../builder.ts';
import type { ApiKeyRecord } from '../commands/api-keys.ts';
import { ValidationError } from '../connections/rules/errors.ts';
import { describeErrorType } from '../error-codes.ts';
import { resultNames } from './database-connection.ts';
import { ErrorInterface } from './errors.ts';

/** The ids of keys made through the API (randomUUID). */
const KEY_ID = z.uuid();

for (const [ErrorClass, name] of [
  [WorkspaceNotFoundError, 'WorkspaceNotFoundError'],
  [WorkspaceConflictError, 'WorkspaceConflictError'],
  [WorkspaceNotEmptyError, 'WorkspaceNotEmptyError'],
] as const) {
  builder.objectType(ErrorClass as typeof WorkspaceNotFoundError, {
    name,
    description: describeErrorType(name),
    interfaces: [ErrorInterface],
    fields: (t) => ({ workspace: t.exposeString('workspace') }),
  });
}

builder.objectType(ApiKeyNotFoundError, {
  name: 'ApiKeyNotFoundError',
  description: describeErrorType('ApiKeyNotFoundError'),
  interfaces: [ErrorInterface],
  fields: (t) => ({ id: t.exposeID('id') }),
});

/** A scope as the Scope enum names it: `connections:read` is CONNECTIONS_READ. */
export const scopeEnumValue = (scope: Scope) => scope.replace(':', '_').toUpperCase();

const ScopeEnum = builder.enumType('Scope', {
  description: 'What a grant allows in its workspace.',
  values: Object.fromEntries(SCOPES.map((scope) => [scopeEnumValue(scope), { value: scope, description: scope }])),
});

// Over the Prisma model, of which it shows the columns it selects (the service reads whole rows, or
// a WorkspaceRecord: those columns). Its fields read the record they are given: plugin-prisma's
// `expose` on a type with a `select` would load each row again through Prisma's findUnique (past the
// application layer, one query a row, and a P2025 for a workspace just deleted).
const Workspace = builder.prismaObject('Workspace', {
  description: 'A group of connections; grants name workspaces.',
  select: { name: true, createdAt: true },
  fields: (t) => ({
    name: t.string({ resolve: (workspace) => workspace.name }),
    createdAt: t.field({ type: 'DateTime', resolve: (workspace) => workspace.createdAt }),
  }),
});

const GrantType = builder.objectRef<Grant>('Grant').implement({
  description: `Scopes in a workspace, or in every workspace (\`${EVERY_WORKSPACE}\`).`,
  fields: (t) => ({
    workspace: t.exposeString('workspace'),
    scopes: t.field({ type: [ScopeEnum], resolve: (grant) => grant.scopes }),
  }),
});

const GrantInput = builder.inputType('GrantInput', {
  fields: (t) => ({
    workspace: t.string({
      required: true,
      description: `A workspace's name, or \`${EVERY_WORKSPACE}\` for every workspace.`,
    }),
    scopes: t.field({ type: [ScopeEnum], required: true }),
  }),
});

/**
 * A key as its row holds it, from a key as the service gives it (its grants read): the ApiKey type
 * is over the model's columns. Few keys, rarely listed: writing the grants back costs nothing to see.
 */
const apiKeyRow = ({ grants, ...columns }: ApiKeyRecord) => ({ ...columns, grants: JSON.stringify(grants) });

const GRANTS = z.array(GRANT_SHAPE);

// Over the Prisma model, of which it shows every column but the key's hash.
const ApiKey = builder.prismaObject('ApiKey', {
  description: 'An API key made through the API. The key itself is shown once, when it is created.',
  select: {
    id: true,
    name: true,
    grants: true,
    createdBy: true,
    createdAt: true,
    expiresAt: true,
    revokedAt: true,
    lastUsedAt: true,
  },
  fields: (t) => ({
    id: t.id({ resolve: (key) => key.id }),
    name: t.string({ resolve: (key) => key.name }),
    // JSON text of an array of {workspace, scopes}, as the service wrote it.
    grants: t.field({ type: [GrantType], resolve: (key) => GRANTS.parse(JSON.parse(key.grants)) }),
    createdBy: t.string({
      description: 'Who made it, as the audit trail names callers.',
      resolve: (key) => key.createdBy,
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (key) => key.createdAt }),
    expiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: (key) => key.expiresAt,
    }),
    revokedAt: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: (key) => key.revokedAt,
    }),
    lastUsedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it last authenticated a request, to the minute.',
      resolve: (key) => key.lastUsedAt,
    }),
  }),
});

const CreatedApiKey = builder.objectRef<{ key: string; record: ApiKeyRecord }>('CreatedApiKey').implement({
  fields: (t) => ({
    key: t.exposeString('key', { description: 'The key, to send as `Authorization: Bearer <key>`: shown only now.' }),
    apiKey: t.field({ type: ApiKey, resolve: (created) => apiKeyRow(created.record) }),
  }),
});

// --- The caller -----------------------------------------------------------------

const Viewer = builder.objectRef<{ name: string; grants: readonly Grant[] }>('Viewer').implement({
  description: 'Who is calling, and what its grants allow where.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'As the audit trail names the caller.' }),
    grants: t.field({ type: [GrantType], resolve: (viewer) => [...viewer.grants] }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: Viewer,
    description: 'The caller: its name and grants (so that a client offers only what they allow).',
    resolve: (_root, _args, { caller }) => ({ name: caller.principal.name, grants: caller.principal.access.grants }),
  }),
);

// --- Workspaces ---------------------------------------------------------------

builder.queryField('workspaces', (t) =>
  t.field({
    type: [Workspace],
    description: 'The workspaces the caller’s grants name (all of them with a grant on every workspace), by name.',
    resolve: (_root, _args, { connections, caller }) => connections.workspaces.list(caller),
  }),
);

const NAME_ARG = { required: true, description: 'The workspace’s name.' } as const;

builder.mutationField('createWorkspace', (t) =>
  t.field({
    type: Workspace,
    description: 'Makes a workspace. Needs access:admin in every workspace.',
    authScopes: { 'access:admin': true },
    errors: { types: [ValidationError, WorkspaceConflictError], ...resultNames('CreateWorkspace', 'workspace') },
    args: { name: t.arg.string(NAME_ARG) },
    resolve: (_root, { name }, { connections, caller }) => connections.workspaces.create(caller, name),
  }),
);

builder.mutationField('renameWorkspace', (t) =>
  t.field({
    type: Workspace,
    description:
      'Renames a workspace: its connections and the grants of keys made through the API follow (keys in API_KEYS ' +
      'and identity provider claims name workspaces themselves). Needs access:admin in every workspace.',
    authScopes: { 'access:admin': true },
    errors: {
      types: [ValidationError, WorkspaceNotFoundError, WorkspaceConflictError],
      ...resultNames('RenameWorkspace', 'workspace'),
    },
    args: { name: t.arg.string(NAME_ARG), newName: t.arg.string({ required: true }) },
    resolve: (_root, { name, newName }, { connections, caller }) =>
      connections.workspaces.rename(caller, name, newName),
  }),
);

builder.mutationField('deleteWorkspace', (t) =>
  t.field({
    type: Workspace,
    description:
      'Deletes an empty workspace and returns it as it was: keys made through the API lose their grants on it ' +
      '(one left with none is revoked), so a workspace made later with its name grants them nothing. Needs ' +
      'access:admin in every workspace.',
    authScopes: { 'access:admin': true },
    errors: {
      types: [ValidationError, WorkspaceNotFoundError, WorkspaceNotEmptyError],
      ...resultNames('DeleteWorkspace', 'workspace'),
    },
    args: { name: t.arg.string(NAME_ARG) },
    resolve: (_root, { name }, { connections, caller }) => connections.workspaces.remove(caller, name),
  }),
);

// --- API keys -----------------------------------------------------------------

builder.queryField('apiKeys', (t) =>
  t.field({
    type: [ApiKey],
    description:
      'The API keys made through the API that the caller administers (access:admin in every workspace their ' +
      'grants name), newest first; never the keys themselves.',
    authScopes: { 'access:admin': true },
    resolve: async (_root, _args, { apiKeys, caller }) => (await apiKeys.list(caller)).map(apiKeyRow),
  }),
);

builder.mutationField('createApiKey', (t) =>
  t.field({
    type: CreatedApiKey,
    description:
      'Makes an API key with these grants; the key is in this answer only (stored as its SHA-256). Needs ' +
      'access:admin in every workspace the grants name (in every workspace for a grant on `*`).',
    authScopes: { 'access:admin': true },
    errors: { types: [ValidationError], ...resultNames('CreateApiKey', 'created') },
    args: {
      name: t.arg.string({ required: true, description: 'Who holds the key: shown in lists and the audit trail.' }),
      grants: t.arg({ type: [GrantInput], required: true }),
      expiresAt: t.arg({ type: 'DateTime', description: 'Refused from then on. Left out: never expires.' }),
    },
    resolve: (_root, args, { apiKeys, connections, caller }) =>
      apiKeys.create(caller, args, connections.workspaces.checkGrants),
  }),
);

builder.mutationField('revokeApiKey', (t) =>
  t.field({
    type: ApiKey,
    description: 'Revokes an API key at once, on every instance; returns it as it is now.',
    authScopes: { 'access:admin': true },
    errors: { types: [ApiKeyNotFoundError], ...resultNames('RevokeApiKey', 'apiKey') },
    args: { id: t.arg.id({ required: true }) },
    // Keys' ids are UUIDs: any other id names none, and is never looked up.
    resolve: (_root, { id }, { apiKeys, caller }) =>
      KEY_ID.safeParse(id).success
        ? apiKeys.revoke(caller, id).then(apiKeyRow)
        : Promise.reject(new ApiKeyNotFoundError(id)),
  }),
);
