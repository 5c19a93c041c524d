/**
 * API keys made through the API: created with a name, grants and an expiry by a caller holding
 * access:admin in every workspace the grants name; the key shown once and stored as its SHA-256;
 * listed (never the key) and revoked by such callers. Every request presenting one reads its row,
 * so a revoked or expired key is refused at once, on every instance. Each change is written with
 * its audit event in one transaction; the rules are in auth/managed-key-rules.ts.
 */
import { randomUUID } from 'node:crypto';
import type { AuditAction, AuditEntry } from '../audit/events.ts';
import {
  actorOf,
  type Caller,
  generateApiKey,
  hashApiKey,
  type KeyState,
  type ManagedKeyReader,
  type Principal,
} from '../auth/api-keys.ts';
import { ApiKeyNotFoundError } from '../auth/errors.ts';
import { Access, EVERY_WORKSPACE, type Grant } from '../auth/grants.ts';
import {
  type ApiKeyRecord,
  administers,
  LAST_USED_RESOLUTION_MS,
  type NewApiKey,
  parseNewKey,
  recordOf,
  requireAdminOver,
} from '../auth/managed-key-rules.ts';
import type { Prisma } from '../db/client.ts';
import { type ApiKeyClient, type ApiKeyRow, apiKeyStore } from '../db/tables/api-keys.ts';
import type { WorkspaceClient } from '../db/tables/workspaces.ts';
import type { RecordChange, RecordedChanges } from './recorded-changes.ts';

export type { ApiKeyRecord, NewApiKey };

/** Where a new key's workspaces are looked up: the key's transaction. */
export type WorkspaceReader = WorkspaceClient;

/** The audit entry of a key made or revoked: in the workspace of its grants when they name one only. */
function keyAudit(caller: Caller, action: AuditAction, id: string, grants: readonly Grant[], fields: string[]) {
  const workspaces = new Set(grants.map((grant) => grant.workspace));
  const [only] = workspaces;
  const workspace = workspaces.size === 1 && only !== EVERY_WORKSPACE ? only : null;
  return { ...actorOf(caller), action, subject: id, workspace, fields } satisfies AuditEntry;
}

/** The keys whose grants name this workspace, with their grants. */
async function keysNaming(tx: ApiKeyClient, workspace: string) {
  // A workspace's name, quoted, is found in the JSON only as a grant's workspace (scopes hold a colon).
  const rows = await apiKeyStore(tx).holding(`"${workspace}"`);
  return rows.map((row) => ({ row, grants: JSON.parse(row.grants) as Grant[] }));
}

/** The principal of a key's row, unless it is revoked or expired. */
function principalOf(row: ApiKeyRow | null, now: Date): Principal | undefined {
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now)) return undefined;
  return {
    name: row.name,
    id: `key:${row.id}`,
    access: new Access(JSON.parse(row.grants) as Grant[]),
    ...(row.expiresAt && { expiresAt: row.expiresAt }),
    managedKey: { id: row.id, grants: row.grants },
  };
}

/** Refuses grants on workspaces that are not there, in the key's transaction. */
type WorkspaceCheck = (grants: readonly Grant[], tx: WorkspaceReader) => Promise<void>;

/** Makes a key with its audit event; answers it (the only time it is shown) with its record. */
async function createKey(
  changes: RecordedChanges,
  caller: Caller,
  input: NewApiKey,
  checkWorkspaces: WorkspaceCheck,
): Promise<{ key: string; record: ApiKeyRecord }> {
  const { name, grants, expiresAt = null } = parseNewKey(input);
  requireAdminOver(caller.principal.access, grants);
  const key = generateApiKey();
  const id = randomUUID();
  const createdBy = caller.principal.id ?? caller.principal.name;
  const data = { id, name, hash: hashApiKey(key), grants: JSON.stringify(grants), createdBy, expiresAt };
  const row = await changes.transaction(async (tx, record) => {
    await checkWorkspaces(grants, tx);
    const created = await apiKeyStore(tx).insert({ ...data, createdAt: new Date() });
    await record(keyAudit(caller, 'create_api_key', id, grants, ['name', 'grants', 'expires_at']));
    return created;
  });
  return { key, record: recordOf(row) };
}

/**
 * Takes a deleted workspace out of every key's grants (inside the deletion's transaction), so that
 * a workspace made later with its name grants nothing to them; a key left with no grant is revoked.
 */
async function forgetWorkspace(tx: ApiKeyClient, record: RecordChange, caller: Caller, name: string) {
  const now = new Date();
  for (const { row, grants } of await keysNaming(tx, name)) {
    const kept = grants.filter((grant) => grant.workspace !== name);
    const revoke = kept.length === 0 && !row.revokedAt;
    await apiKeyStore(tx).update(row.id, { grants: JSON.stringify(kept), ...(revoke && { revokedAt: now }) });
    if (revoke)
      await record(keyAudit(caller, 'revoke_api_key', row.id, [{ workspace: name, scopes: [] }], ['revoked_at']));
  }
}

/** Rewrites the grants naming a renamed workspace (inside the rename's transaction). */
async function renameWorkspace(tx: ApiKeyClient, from: string, to: string) {
  for (const { row, grants } of await keysNaming(tx, from)) {
    const renamed = grants.map((grant) => (grant.workspace === from ? { ...grant, workspace: to } : grant));
    await apiKeyStore(tx).update(row.id, { grants: JSON.stringify(renamed) });
  }
}

/** Keys made through the API as authentication and subscriptions read them; a key's use is written at most once a minute. */
function keyReader(
  store: ReturnType<typeof apiKeyStore>,
  logger: { warn: (object: object, message: string) => void },
): ManagedKeyReader {
  function touch(row: ApiKeyRow, now: Date) {
    if (row.lastUsedAt && now.getTime() - row.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
    // Not awaited: the request does not wait for a bookkeeping write.
    store
      .touch(row.id, row.lastUsedAt, now)
      .catch((error: unknown) => logger.warn({ err: error }, 'recording the last use of an API key failed'));
  }
  return {
    async authenticate(token) {
      const row = await store.byHash(hashApiKey(token));
      const now = new Date();
      const principal = principalOf(row, now);
      if (row && principal) touch(row, now);
      return principal;
    },
    async states(ids) {
      const rows = await store.states(ids);
      return new Map<string, KeyState>(rows.map(({ id, ...state }) => [id, state]));
    },
  };
}

export function managedApiKeys(
  prisma: Prisma,
  changes: RecordedChanges,
  logger: { warn: (object: object, message: string) => void },
) {
  const store = apiKeyStore(prisma);

  const reader = keyReader(store, logger);

  return {
    ...reader,

    /** The keys the caller administers (every workspace their grants name), newest first. */
    async list({ principal }: Caller): Promise<ApiKeyRecord[]> {
      return (await store.all()).map(recordOf).filter((key) => administers(principal.access, key.grants));
    },

    /**
     * Makes a key; answers it (the only time it is shown) with its record. `checkWorkspaces` refuses
     * a grant on a workspace that is not there, once the caller is known to administer it: in the
     * key's transaction, so that a workspace deleted meanwhile either waits for the key (and takes
     * its grant out) or is found gone.
     */
    create: (caller: Caller, input: NewApiKey, checkWorkspaces: WorkspaceCheck) =>
      createKey(changes, caller, input, checkWorkspaces),

    /** Revokes a key the caller administers; answers it as it is now. A key revoked before stays as it was. */
    async revoke(caller: Caller, id: string): Promise<ApiKeyRecord> {
      const row = await store.byId(id);
      const key = row && recordOf(row);
      if (!key || !administers(caller.principal.access, key.grants)) throw new ApiKeyNotFoundError(id);
      if (key.revokedAt) return key;
      const revoked = await changes.batch(
        store.update(id, { revokedAt: new Date() }),
        keyAudit(caller, 'revoke_api_key', id, key.grants, ['revoked_at']),
      );
      return recordOf(revoked);
    },

    forgetWorkspace,
    renameWorkspace,
  };
}

export type ManagedApiKeys = ReturnType<typeof managedApiKeys>;
