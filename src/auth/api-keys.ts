/**
 * API keys: bearer tokens, configured only as SHA-256 hashes, each with scopes.
 * Keys are 256 random bits, so a fast hash is safe here (no password stretching
 * needed) and lets every request be checked in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../config-error.ts';

export const SCOPES = [
  'connections:read',
  'connections:write',
  'connections:reveal',
  'audit:read',
  'metrics:read',
] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiKeyEntry {
  /** Who holds the key: shown in logs, never secret. */
  name: string;
  /** `sha256:` and the hex SHA-256 of the key. */
  hash: string;
  scopes: Scope[];
}

/** Who is calling, once authenticated. */
export interface Principal {
  name: string;
  scopes: ReadonlySet<Scope>;
}

/** With no keys configured, every caller is this principal (local mode); so are the command-line tools. */
export const LOCAL_PRINCIPAL: Principal = { name: 'local', scopes: new Set(SCOPES) };

const KEY_PREFIX = 'dcapi_';

const entries = z.array(
  z.strictObject({
    name: z.string().min(1).max(100),
    hash: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256: and 64 lowercase hex digits'),
    scopes: z.array(z.enum(SCOPES)).min(1),
  }),
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
    throw new ConfigError(`${source} must be a JSON array of {"name", "hash", "scopes"}`);
  }
  const result = entries.safeParse(parsed);
  if (!result.success) {
    const problem = result.error.issues[0];
    throw new ConfigError(`${source}: ${problem?.path.join('.')} ${problem?.message}`);
  }
  return result.data;
}

export function hashApiKey(key: string): string {
  return `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export type Authentication = { principal: Principal } | { failure: 'missing' | 'invalid' };

/** Finds the key an `Authorization: Bearer …` header presents, comparing every configured hash in constant time. */
export function authenticate(authorization: string | undefined, keys: ApiKeyEntry[]): Authentication {
  if (keys.length === 0) return { principal: LOCAL_PRINCIPAL };
  const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (!token) return { failure: 'missing' };
  const presented = Buffer.from(hashApiKey(token));
  let match: ApiKeyEntry | undefined;
  for (const entry of keys) {
    // No early exit: the time taken does not depend on which key, if any, matched.
    const configured = Buffer.from(entry.hash);
    if (configured.length === presented.length && timingSafeEqual(configured, presented)) match = entry;
  }
  return match ? { principal: { name: match.name, scopes: new Set(match.scopes) } } : { failure: 'invalid' };
}
