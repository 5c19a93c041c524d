/**
 * What a caller may do where: grants, each a workspace (or `*`, every workspace) and scopes. Every
 * caller (an API key, a signed-in identity, a command-line tool) carries its Access, and the
 * connections service asks it, once per call, whether a scope holds in a connection's workspace.
 */
import { z } from 'zod';

export const SCOPES = [
  'connections:read',
  'connections:write',
  'connections:reveal',
  'audit:read',
  'access:admin',
  'metrics:read',
] as const;
export type Scope = (typeof SCOPES)[number];

/** The workspace name that, in a grant, stands for every workspace. */
export const EVERY_WORKSPACE = '*';
/** The workspace that always exists, where a connection created without one goes. */
export const DEFAULT_WORKSPACE = 'default';

export interface Grant {
  workspace: string;
  scopes: Scope[];
}

/** A workspace's name: as in a URL path segment, so that REST can name it without escaping. */
export const WORKSPACE_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const WORKSPACE_NAME = z
  .string()
  .regex(WORKSPACE_NAME_PATTERN, 'must be 1 to 63 lowercase letters, digits, - or _, starting with a letter or digit');

export const GRANT = z.strictObject({
  workspace: z.union([z.literal(EVERY_WORKSPACE), WORKSPACE_NAME]),
  scopes: z.array(z.enum(SCOPES)).min(1, 'must name at least one scope'),
});

/** A grant as a request body may send it, before the rules: the types alone. */
export const GRANT_SHAPE = z.strictObject({ workspace: z.string(), scopes: z.array(z.enum(SCOPES)) });

/** A connection is there for a caller who may read or write in its workspace. */
const SEEING: readonly Scope[] = ['connections:read', 'connections:write'];

export class Access {
  /** The scopes held somewhere: what the schema's coarse check asks (has the caller this scope at all?). */
  readonly scopes: ReadonlySet<Scope>;
  private readonly everywhere: ReadonlySet<Scope>;
  private readonly byWorkspace = new Map<string, Set<Scope>>();

  constructor(readonly grants: readonly Grant[]) {
    const everywhere = new Set<Scope>();
    for (const { workspace, scopes } of grants) {
      const target = workspace === EVERY_WORKSPACE ? everywhere : this.scopesIn(workspace);
      for (const scope of scopes) target.add(scope);
    }
    this.everywhere = everywhere;
    this.scopes = new Set(grants.flatMap((grant) => grant.scopes));
  }

  private scopesIn(workspace: string): Set<Scope> {
    const scopes = this.byWorkspace.get(workspace) ?? new Set<Scope>();
    this.byWorkspace.set(workspace, scopes);
    return scopes;
  }

  /** Whether the scope holds in this workspace. */
  allows(scope: Scope, workspace: string): boolean {
    return this.everywhere.has(scope) || this.byWorkspace.get(workspace)?.has(scope) === true;
  }

  /** Whether one of the scopes holds in this workspace. */
  allowsAny(scopes: readonly Scope[], workspace: string): boolean {
    return scopes.some((scope) => this.allows(scope, workspace));
  }

  /** Whether the scope holds in every workspace, those to come included. */
  allowsEverywhere(scope: Scope): boolean {
    return this.everywhere.has(scope);
  }

  /** The workspaces where one of the scopes holds: null for every workspace. */
  workspacesWith(scopes: readonly Scope[]): string[] | null {
    if (scopes.some((scope) => this.everywhere.has(scope))) return null;
    return [...this.byWorkspace].filter(([, held]) => scopes.some((scope) => held.has(scope))).map(([name]) => name);
  }

  /** Whether a connection in this workspace is there for the caller at all. */
  sees(workspace: string): boolean {
    return this.allowsAny(SEEING, workspace);
  }

  /** The workspaces whose connections are there for the caller: null for every workspace. */
  visibleWorkspaces(): string[] | null {
    return this.workspacesWith(SEEING);
  }
}

/** Every scope in every workspace: local mode, and the command-line tools run by the operator. */
export const FULL_ACCESS = new Access([{ workspace: EVERY_WORKSPACE, scopes: [...SCOPES] }]);

/**
 * Grants written as `workspace:scope` strings (an identity provider's claim), split at the first
 * colon: `sales:connections:read`, `*:audit:read`. Strings that name no scope are left out.
 */
export function grantsOfStrings(values: readonly unknown[]): Grant[] {
  const grants: Grant[] = [];
  for (const value of values) {
    if (typeof value !== 'string') continue;
    const colon = value.indexOf(':');
    const parsed = GRANT.safeParse({ workspace: value.slice(0, colon), scopes: [value.slice(colon + 1)] });
    if (colon > 0 && parsed.success) grants.push(parsed.data);
  }
  return grants;
}
