/**
 * The rules of API keys made through the API: what a new key may be, and who administers a key
 * (access:admin in every workspace its grants name).
 */
import { z } from 'zod';
import type { ApiKeyRow } from '../db/tables/api-keys.ts';
import { problemsOf, ValidationError } from '../validation.ts';
import { AccessDeniedError } from './errors.ts';
import { type Access, EVERY_WORKSPACE, GRANT, type Grant } from './grants.ts';

export interface ApiKeyRecord {
  id: string;
  name: string;
  grants: Grant[];
  createdBy: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

/** A new key's name, grants and expiry, as a caller asks for them; checked by NEW_KEY. */
export interface NewApiKey {
  name: string;
  grants: readonly { workspace: string; scopes: readonly string[] }[];
  expiresAt?: Date | null;
}

const NEW_KEY = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'must not be empty or only spaces')
    .max(100, 'must be at most 100 characters')
    .refine((name) => !/\p{Cc}/u.test(name), 'must not contain control characters'),
  grants: z.array(GRANT).min(1, 'must hold at least one grant'),
  expiresAt: z
    .date()
    .nullable()
    .optional()
    .refine((at) => !at || at.getTime() > Date.now(), 'must be in the future'),
});

export function parseNewKey(input: NewApiKey) {
  const result = NEW_KEY.safeParse(input);
  if (!result.success) throw new ValidationError(problemsOf(result.error.issues));
  return result.data;
}

/** How often, at most, a key's last use is written: a busy key costs one write a minute, not one a request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export const recordOf = (row: ApiKeyRow): ApiKeyRecord => ({
  id: row.id,
  name: row.name,
  grants: JSON.parse(row.grants) as Grant[],
  createdBy: row.createdBy,
  createdAt: row.createdAt,
  expiresAt: row.expiresAt,
  revokedAt: row.revokedAt,
  lastUsedAt: row.lastUsedAt,
});

/** The first workspace of these grants (`*` for a grant on every one) where the caller lacks access:admin. */
function outsideAdmin(access: Access, grants: readonly Grant[]): string | undefined {
  return grants.find(({ workspace }) =>
    workspace === EVERY_WORKSPACE
      ? !access.allowsEverywhere('access:admin')
      : !access.allows('access:admin', workspace),
  )?.workspace;
}

/** Refuses grants the caller may not give: it needs access:admin wherever they reach. */
export function requireAdminOver(access: Access, grants: readonly Grant[]): void {
  const outside = outsideAdmin(access, grants);
  if (outside !== undefined) throw new AccessDeniedError('access:admin', outside);
}

/** A key left with no grant (its workspaces deleted) belongs to no workspace: only admins of every one see it. */
export const administers = (access: Access, grants: readonly Grant[]) =>
  grants.length === 0 ? access.allowsEverywhere('access:admin') : outsideAdmin(access, grants) === undefined;
