/**
 * API keys made through the API: created with a name, grants and an expiry by a caller holding
 * access:admin in every workspace the grants name; the key shown once and stored as its SHA-256;
 * listed (never the key) and revoked by such callers. Every request presenting one reads its row,
 * so a revoked or expired key is refused at once, on every instance.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type AuditAction, recordAuditEvent } from '../audit/events.ts';
import type { Prisma } from '../db/client.ts';
import type { ApiKey as ApiKeyRow } from '../generated/sqlite/client.ts';
import { problemsOf, ValidationError } from '../validation.ts';
import { actorOf, type Caller, generateApiKey, hashApiKey, type Principal } from './api-keys.ts';
import { AccessDeniedError, ApiKeyNotFoundError } from './errors.ts';
import { Access, EVERY_WORKSPACE, GRANT, type Grant } from './grants.ts';

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

function parseNewKey(input: NewApiKey) {
  const result = NEW_KEY.safeParse(input);
  if (!result.success) throw new ValidationError(problemsOf(result.error.issues));
  return result.data;
}

/** How often, at most, a key's last use is written: a busy key costs one write a minute, not one a request. */
const LAST_USED_RESOLUTION_MS = 60_000;

const recordOf = (row: ApiKeyRow): ApiKeyRecord => ({
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
function requireAdminOver(access: Access, grants: readonly Grant[]): void {
  const outside = outsideAdmin(access, grants);
  if (outside !== undefined) throw new AccessDeniedError('access:admin', outside);
}

/** A key left with no grant (its workspaces deleted) belongs to no workspace: only admins of every one see it. */
const administers = (access: Access, grants: readonly Grant[]) =>
  grants.length === 0 ? access.allowsEverywhere('access:admin') : outsideAdmin(access, grants) === undefined;

/** What may end a key while a caller holds something open with it: its revocation, or its grants changed. */
export interface KeyState {
  grants: string;
  revokedAt: Date | null;
}
const KEY_STATE = { id: true, grants: true, revokedAt: true } as const;

/** Where a new key's workspaces are looked up: the key's transaction. */
export type WorkspaceReader = Pick<Prisma, 'workspace' | '$queryRawUnsafe'>;

/** The keys whose grants name this workspace, with their grants. */
async function keysNaming(tx: Pick<Prisma, 'apiKey'>, workspace: string) {
  // A workspace's name, quoted, is found in the JSON only as a grant's workspace (scopes hold a colon).
  const rows = await tx.apiKey.findMany({ where: { grants: { contains: `"${workspace}"` } } });
  return rows.map((row) => ({ row, grants: JSON.parse(row.grants) as Grant[] }));
}

export function managedApiKeys(prisma: Prisma, logger: { warn: (object: object, message: string) => void }) {
  const table = prisma.apiKey;
  /** The audit event of a key made or revoked: in the workspace of its grants when they name one only. */
  const audit = (
    caller: Caller,
    action: AuditAction,
    id: string,
    grants: readonly Grant[],
    fields: string[],
    writer: Pick<Prisma, 'auditEvent'> = prisma,
  ) => {
    const workspaces = new Set(grants.map((grant) => grant.workspace));
    const [only] = workspaces;
    const workspace = workspaces.size === 1 && only !== EVERY_WORKSPACE ? only : null;
    return recordAuditEvent(writer, { ...actorOf(caller), action, subject: id, workspace, fields });
  };

  function touch(row: ApiKeyRow, now: Date) {
    if (row.lastUsedAt && now.getTime() - row.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
    // Not awaited: the request does not wait for a bookkeeping write.
    table
      .updateMany({ where: { id: row.id, lastUsedAt: row.lastUsedAt }, data: { lastUsedAt: now } })
      .catch((error: unknown) => logger.warn({ err: error }, 'recording the last use of an API key failed'));
  }

  return {
    /** The principal of a key made through the API, unless it is unknown, revoked or expired. */
    async authenticate(token: string): Promise<Principal | undefined> {
      const row = await table.findUnique({ where: { hash: hashApiKey(token) } });
      const now = new Date();
      if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now)) return undefined;
      touch(row, now);
      return {
        name: row.name,
        id: `key:${row.id}`,
        access: new Access(JSON.parse(row.grants) as Grant[]),
        ...(row.expiresAt && { expiresAt: row.expiresAt }),
        managedKey: { id: row.id, grants: row.grants },
      };
    },

    /** The keys' grants (as stored) and revocations now, by id; a key that is not there is left out. */
    async states(ids: readonly string[]): Promise<Map<string, KeyState>> {
      const rows = await table.findMany({ where: { id: { in: [...ids] } }, select: KEY_STATE });
      return new Map(rows.map(({ id, ...state }) => [id, state]));
    },

    /** The keys the caller administers (every workspace their grants name), newest first. */
    async list({ principal }: Caller): Promise<ApiKeyRecord[]> {
      const rows = await table.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] });
      return rows.map(recordOf).filter((key) => administers(principal.access, key.grants));
    },

    /**
     * Makes a key; answers it (the only time it is shown) with its record. `checkWorkspaces` refuses
     * a grant on a workspace that is not there, once the caller is known to administer it: in the
     * key's transaction, so that a workspace deleted meanwhile either waits for the key (and takes
     * its grant out) or is found gone.
     */
    async create(
      caller: Caller,
      input: NewApiKey,
      checkWorkspaces: (grants: readonly Grant[], tx: WorkspaceReader) => Promise<void>,
    ): Promise<{ key: string; record: ApiKeyRecord }> {
      const { name, grants, expiresAt = null } = parseNewKey(input);
      requireAdminOver(caller.principal.access, grants);
      const key = generateApiKey();
      const id = randomUUID();
      const data = {
        id,
        name,
        hash: hashApiKey(key),
        grants: JSON.stringify(grants),
        createdBy: caller.principal.id ?? caller.principal.name,
        createdAt: new Date(),
        expiresAt,
      };
      const row = await prisma.$transaction(async (tx) => {
        await checkWorkspaces(grants, tx);
        const created = await tx.apiKey.create({ data });
        await audit(caller, 'create_api_key', id, grants, ['name', 'grants', 'expires_at'], tx);
        return created;
      });
      return { key, record: recordOf(row) };
    },

    /** Revokes a key the caller administers; answers it as it is now. A key revoked before stays as it was. */
    async revoke(caller: Caller, id: string): Promise<ApiKeyRecord> {
      const row = await table.findUnique({ where: { id } });
      const key = row && recordOf(row);
      if (!key || !administers(caller.principal.access, key.grants)) throw new ApiKeyNotFoundError(id);
      if (key.revokedAt) return key;
      const [revoked] = await prisma.$transaction([
        table.update({ where: { id }, data: { revokedAt: new Date() } }),
        audit(caller, 'revoke_api_key', id, key.grants, ['revoked_at']),
      ]);
      return recordOf(revoked);
    },

    /**
     * Takes a deleted workspace out of every key's grants (inside the deletion's transaction), so that
     * a workspace made later with its name grants nothing to them; a key left with no grant is revoked.
     */
    async forgetWorkspace(tx: Pick<Prisma, 'apiKey' | 'auditEvent'>, caller: Caller, name: string) {
      const now = new Date();
      for (const { row, grants } of await keysNaming(tx, name)) {
        const kept = grants.filter((grant) => grant.workspace !== name);
        const revoke = kept.length === 0 && !row.revokedAt;
        const data = { grants: JSON.stringify(kept), ...(revoke && { revokedAt: now }) };
        await tx.apiKey.update({ where: { id: row.id }, data });
        if (!revoke) continue;
        await recordAuditEvent(tx, {
          ...actorOf(caller),
          action: 'revoke_api_key',
          subject: row.id,
          workspace: name,
          fields: ['revoked_at'],
        });
      }
    },

    /** Rewrites the grants naming a renamed workspace (inside the rename's transaction). */
    async renameWorkspace(tx: Pick<Prisma, 'apiKey'>, from: string, to: string) {
      for (const { row, grants } of await keysNaming(tx, from)) {
        const renamed = grants.map((grant) => (grant.workspace === from ? { ...grant, workspace: to } : grant));
        await tx.apiKey.update({ where: { id: row.id }, data: { grants: JSON.stringify(renamed) } });
      }
    },
  };
}

export type ManagedApiKeys = ReturnType<typeof managedApiKeys>;
