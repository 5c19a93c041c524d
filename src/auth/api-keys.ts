/**
 * API keys: bearer tokens, configured only as SHA-256 hashes, each with scopes.
 * Keys are 256 random bits, so a fast hash is safe here (no password stretching
 * needed) and lets every request be checked in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, pathInWords, plainWords, quoted } from '../config-error.ts';
import type { Logger } from '../logger.ts';
import { Access, EVERY_WORKSPACE, FULL_ACCESS, GRANT, type Grant, SCOPES } from './grants.ts';

export { SCOPES, type Scope } from './grants.ts';

export interface ApiKeyEntry {
  /** Who holds the key: shown in logs, never secret. */
  name: string;
  /** `sha256:` and the hex SHA-256 of the key. */
  hash: string;
  grants: Grant[];
}

/** Who is calling, once authenticated. */
export interface Principal {
  /** The key's name, `local`, a tool's name, or the identity's subject. */
  name: string;
  /** Who exactly, for the audit trail: `key:<id>`, `oidc:<issuer>#<subject>`; null for local mode and tools. */
  id: string | null;
  access: Access;
  /** When the credential ends by itself (a key's expires_at, a token's exp); absent: it does not. */
  expiresAt?: Date;
  /**
   * A key made through the API: its id, and its grants as stored when it authenticated. What the
   * caller holds open (a subscription) reads the row again, and ends when it is revoked or they changed.
   */
  managedKey?: { id: string; grants: string };
}

/** Who asks: what it may do where, who the audit trail says acted, and whose limit its connection tests count against. */
export interface Caller {
  /** An API key, a signed-in identity, `local` in local mode, or a tool (`provisioning`, `import`, …). */
  principal: Principal;
  /** The request's X-Request-Id, for the audit trail. */
  requestId?: string;
  /** A logger that names the request. */
  logger?: Logger;
  /** Read from the database, past the read cache (the request said Cache-Control: no-cache). */
  fresh?: boolean;
}

/** Who the audit trail says acted, for a request of this caller. */
export const actorOf = ({ principal, requestId }: Caller) => ({
  actor: principal.name,
  actorId: principal.id,
  requestId: requestId ?? null,
});

/** What tells callers apart, for what each caller has of its own (rate limits, Idempotency-Keys, test slots): names may repeat, ids do not. */
export const principalKey = (principal: Principal) => principal.id ?? principal.name;

/** With no keys configured, every caller is this principal (local mode); so are the command-line tools. */
export const LOCAL_PRINCIPAL: Principal = { name: 'local', id: null, access: FULL_ACCESS };

/** A command-line tool run by the operator: every scope everywhere, named in the audit trail. */
export const toolPrincipal = (name: string): Principal => ({ name, id: null, access: FULL_ACCESS });

const KEY_PREFIX = 'dcapi_';

// `scopes` alone: those scopes in every workspace (the form from before workspaces); or `grants`.
const entries = z.array(
  z
    .strictObject({
      name: z.string().min(1).max(100),
      hash: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256: and 64 lowercase hex digits'),
      scopes: z.array(z.enum(SCOPES)).min(1).optional(),
      grants: z.array(GRANT).min(1).optional(),
    })
    .refine(
      (entry) => (entry.scopes === undefined) !== (entry.grants === undefined),
      'needs either scopes or grants (one of the two)',
    )
    .transform(({ name, hash, scopes, grants }) => ({
      name,
      hash,
      grants: grants ?? [{ workspace: EVERY_WORKSPACE, scopes: scopes ?? [] }],
    })),
);

/** Reads API_KEYS (a JSON array) or the JSON file API_KEYS_FILE names. */
export function loadApiKeys(env: NodeJS.ProcessEnv): ApiKeyEntry[] {
  const { API_KEYS: inline, API_KEYS_FILE: file } = env;
  if (inline && file) throw new ConfigError('Set API_KEYS or API_KEYS_FILE, not both');
  const source = inline ? 'API_KEYS' : file ? `API_KEYS_FILE (${file})` : undefined;
  if (!source) return [];
  let text: string;
  try {
    text = inline ?? readFileSync(file as string, 'utf8');
  } catch (error) {
    throw new ConfigError(`${source} cannot be read: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(`${source} must be a JSON array of {"name", "hash", "scopes" or "grants"}`);
  }
  const result = entries.safeParse(parsed, { error: plainWords });
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${source}: ${entryOf(parsed, issue.path)}${issue.message}`).join('; '),
    );
  }
  return result.data;
}

/** Which entry an issue is about, by the key's name where it has one, and the field: `key "reader": scopes[1] `. */
function entryOf(parsed: unknown, path: PropertyKey[]): string {
  const [index, ...field] = path;
  if (typeof index !== 'number' || !Array.isArray(parsed)) return '';
  const name = quoted((parsed[index] as { name?: unknown } | undefined)?.name);
  return `${name ? `key ${name}` : `entry ${index + 1}`}: ${field.length > 0 ? `${pathInWords(field)} ` : ''}`;
}

export function hashApiKey(key: string): string {
  return `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export type Authentication = { principal: Principal } | { failure: 'missing' | 'invalid' };

/** The principal of each configured key, made once: its id is its hash's start, which names it without revealing it. */
const configuredPrincipals = new WeakMap<ApiKeyEntry, Principal>();
function configuredPrincipal(entry: ApiKeyEntry): Principal {
  let principal = configuredPrincipals.get(entry);
  if (!principal) {
    principal = { name: entry.name, id: `key:${entry.hash.slice(7, 19)}`, access: new Access(entry.grants) };
    configuredPrincipals.set(entry, principal);
  }
  return principal;
}

/** Finds the configured key a token is, comparing every configured hash in constant time. */
export function configuredKey(token: string, keys: ApiKeyEntry[]): Principal | undefined {
  const presented = Buffer.from(hashApiKey(token));
  let match: ApiKeyEntry | undefined;
  for (const entry of keys) {
    // No early exit: the time taken does not depend on which key, if any, matched.
    const configured = Buffer.from(entry.hash);
    if (configured.length === presented.length && timingSafeEqual(configured, presented)) match = entry;
  }
  return match && configuredPrincipal(match);
}

/** The token of an `Authorization: Bearer …` header, if it has one. */
export const bearerToken = (authorization: string | undefined) => /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];

export const isApiKeyToken = (token: string) => token.startsWith(KEY_PREFIX);

/** What may end a key made through the API while a caller holds something open with it: its revocation, or its grants changed. */
export interface KeyState {
  grants: string;
  revokedAt: Date | null;
}

/** Keys made through the API as authentication and subscriptions read them (the API keys commands answer it). */
export interface ManagedKeyReader {
  /** The principal of a key made through the API, unless it is unknown, revoked or expired. */
  authenticate(token: string): Promise<Principal | undefined>;
  /** The keys' grants (as stored) and revocations now, by id; a key that is not there is left out. */
  states(ids: readonly string[]): Promise<Map<string, KeyState>>;
}
