/**
 * /api/v1/workspaces and /api/v1/api-keys: workspaces and the API keys made through the API, each
 * call one GraphQL operation (src/schema/access.ts), its answer in REST's names.
 */
import { z } from 'zod';
import { GRANT_SHAPE, SCOPES, scopeEnumValue } from '../graphql/entry.ts';
import { type MutationResult, typedErrorProblem } from './database-connections.ts';
import { type Caller, executeOperation, type OperationName, type RunOperation } from './operations.ts';
import type { RestResponse } from './response.ts';

export const WORKSPACES_PATH = '/api/v1/workspaces';
export const API_KEYS_PATH = '/api/v1/api-keys';

/** A scope of the Scope enum as REST names it. */
const SCOPE_OF_VALUE = new Map(SCOPES.map((scope) => [scopeEnumValue(scope), scope]));
const scopeOfValue = (value: string) => SCOPE_OF_VALUE.get(value) ?? value;

/** The body of POST /workspaces and PUT /workspaces/{name}: the name's rules are the workspace service's. */
export const WORKSPACE_BODY = z.strictObject({ name: z.string() });

export const API_KEY_BODY = z.strictObject({
  name: z.string(),
  grants: z.array(GRANT_SHAPE),
  expires_at: z.iso.datetime({ offset: true, error: 'must be a date and time (ISO 8601)' }).nullable().optional(),
});

export interface WorkspaceNode {
  name: string;
  createdAt: string;
}

export interface ApiKeyNode {
  id: string;
  name: string;
  grants: { workspace: string; scopes: string[] }[];
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export const restWorkspace = (workspace: WorkspaceNode) => ({ name: workspace.name, created_at: workspace.createdAt });

export const restApiKey = (key: ApiKeyNode) => ({
  id: key.id,
  name: key.name,
  grants: key.grants.map((grant) => ({ workspace: grant.workspace, scopes: grant.scopes.map(scopeOfValue) })),
  created_by: key.createdBy,
  created_at: key.createdAt,
  expires_at: key.expiresAt,
  revoked_at: key.revokedAt,
  last_used_at: key.lastUsedAt,
});

/** GraphQL argument paths in the body's names (`expiresAt` → `expires_at`; `newName` is the body's `name`). */
const restPath = (path: string) => path.replace(/^expiresAt\b/, 'expires_at').replace(/^newName\b/, 'name');

export function createAccessHandlers(run: RunOperation) {
  async function mutate<Data>(name: OperationName, variables: Record<string, unknown>, caller: Caller) {
    const { result } = await executeOperation<{ result: MutationResult['result'] & { data?: Data } }>(
      run,
      name,
      variables,
      caller,
    );
    if (result.data) return result.data;
    throw typedErrorProblem(result, restPath);
  }

  return {
    async createWorkspace(caller: Caller, input: z.infer<typeof WORKSPACE_BODY>): Promise<RestResponse> {
      const workspace = await mutate<WorkspaceNode>('createWorkspace', { name: input.name }, caller);
      const location = `${WORKSPACES_PATH}/${encodeURIComponent(workspace.name)}`;
      return { status: 201, body: restWorkspace(workspace), headers: { location } };
    },
    async renameWorkspace(caller: Caller, name: string, input: z.infer<typeof WORKSPACE_BODY>): Promise<RestResponse> {
      const workspace = await mutate<WorkspaceNode>('renameWorkspace', { name, newName: input.name }, caller);
      return { status: 200, body: restWorkspace(workspace) };
    },
    async deleteWorkspace(caller: Caller, name: string): Promise<RestResponse> {
      const workspace = await mutate<WorkspaceNode>('deleteWorkspace', { name }, caller);
      return { status: 200, body: restWorkspace(workspace) };
    },

    async createApiKey(caller: Caller, input: z.infer<typeof API_KEY_BODY>): Promise<RestResponse> {
      const variables = {
        name: input.name,
        grants: input.grants.map((grant) => ({ workspace: grant.workspace, scopes: grant.scopes.map(scopeEnumValue) })),
        expiresAt: input.expires_at ?? null,
      };
      const created = await mutate<{ key: string; apiKey: ApiKeyNode }>('createApiKey', variables, caller);
      const { id, name, ...rest } = restApiKey(created.apiKey);
      const location = `${API_KEYS_PATH}/${id}`;
      // The key right after its name: the one answer that holds it.
      return { status: 201, body: { id, name, key: created.key, ...rest }, headers: { location } };
    },
    async revokeApiKey(caller: Caller, id: string): Promise<RestResponse> {
      const key = await mutate<ApiKeyNode>('revokeApiKey', { id }, caller);
      return { status: 200, body: restApiKey(key) };
    },
  };
}
