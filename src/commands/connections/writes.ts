/**
 * Writes of connections: create, update, save by alias, delete. A write applies the rules, the
 * masks, the secret references and the transport checks, tests the connection when asked, then
 * writes the row with its audit event and its change event, in one transaction.
 */
import { principalKey } from '../../auth/api-keys.ts';
import { DEFAULT_WORKSPACE } from '../../auth/grants.ts';
import { type ConnectionDocument, INPUT_REST_NAMES } from '../../connections/fields/fields.ts';
import { NotFoundError, VersionMismatchError } from '../../connections/rules/errors.ts';
import { parseFullDocument, parsePartialDocument } from '../../connections/rules/input.ts';
import { maskedPaths, refuseMasks, restoreMasks } from '../../connections/rules/masks.ts';
import { checkConnection, REACHING_FIELDS, routeOf } from '../../connections/rules/transport.ts';
import {
  changedColumns,
  changedFields,
  checkedRow,
  checkedRowOrNull,
  checkedWrite,
  isConnectionId,
  newRow,
  restNames,
  storedDocument,
} from '../../connections/stored/records.ts';
import { resolveReferences } from '../../connections/stored/references.ts';
import { requireWorkingConnection, type TestResult } from '../../connectivity/connectivity.ts';
import { type ConnectionRow, connectionStore } from '../../db/tables/connections.ts';
import type { DialectName } from '../../dialects/registry.ts';
import { connectionEvent } from '../../events/connection-events.ts';
import type { Caller } from './dependencies.ts';
import {
  auditOf,
  type ConnectionsKit,
  checkTargetWorkspace,
  checkWritable,
  find,
  renamedProblems,
  requireScope,
  rowAt,
  uriAsWritten,
  visible,
  writeContext,
} from './kit.ts';

export interface WriteOptions {
  /** Connect with the real driver first, and write nothing unless it works; its result is then the health. */
  test?: boolean;
  /** Write only if the connection is still at this version; else VersionMismatchError. */
  expectedVersion?: number | null;
}

/** An update's row as it is now, and the fields it changed (none: nothing was written). */
interface UpdateResult {
  row: ConnectionRow;
  changed: string[];
}

/** What saving a connection by its alias did. */
export type SaveOutcome = 'created' | 'updated' | 'unchanged';

/** How many times an update is tried again when another write came between its read and its write. */
const UPDATE_ATTEMPTS = 3;

/** What an update knows as it writes: the dialect of a new URI, the version it expects, the row and test its checks made. */
interface UpdateContext {
  dialect?: DialectName;
  expectedVersion?: number | null;
  known?: ConnectionRow;
  /** Whether `known` is the read cache's row (see writableRow), not one read from the database. */
  knownFromCache?: boolean;
  tested?: TestResult;
}

/** Writes the changed fields to the row at `before`'s version (or the caller's), with their audit and change events. */
function writeUpdate(
  kit: ConnectionsKit,
  caller: Caller,
  {
    id,
    document,
    before,
    changed,
  }: { id: string; document: Partial<ConnectionDocument>; before: ConnectionRow | null; changed: string[] },
  { dialect, expectedVersion, known, tested }: UpdateContext,
) {
  // Read again, the row may go elsewhere than the one tested: its health is then not the test's.
  const health = before === known ? tested : undefined;
  const version = expectedVersion ?? before?.version;
  const workspace = document.workspace ?? before?.workspace;
  const columns = changedColumns(id, document, dialect, kit.secrets, changed, health);
  const alias = document.alias ?? before?.alias ?? null;
  const write = () =>
    kit.changes.connection(
      kit.store.updateRow(rowAt(caller, id, version), columns),
      auditOf(caller, { action: 'update', connectionId: id, alias, workspace, fields: restNames(changed) }),
      connectionEvent('updated', id, workspace),
    );
  return checkedWrite(write, writeContext(kit, caller, { id, alias: document.alias, expectedVersion }));
}

/**
 * Writes an update with its audit event and its change event, in one batch. Which fields it
 * changes (for the audit trail, and the health it resets) is told from the row as read just
 * before; the write then applies to that version only (or to the one the caller asked for), so
 * what is recorded is what changed. An update that changes nothing writes nothing: no new
 * version, no audit event, no change event (it is still refused where a change would be).
 * Another write coming between the read and the write: read again. `known`: the row as the
 * checks of the update just read it, if they did; `tested`: the result of the test they made of
 * it, the connection's health if the write applies to that row.
 */
async function recordedUpdate(
  kit: ConnectionsKit,
  caller: Caller,
  id: string,
  document: Partial<ConnectionDocument>,
  context: UpdateContext,
): Promise<UpdateResult> {
  const { expectedVersion, known, knownFromCache } = context;
  for (let attempt = 1; ; attempt++) {
    const before = attempt === 1 && known ? known : await find(kit, caller, id);
    const changed = before ? changedFields(storedDocument(before, kit.secrets), document) : [];
    if (before && changed.length === 0) {
      // Nothing to write, as told from the read cache's row: it may be one another instance changed
      // since (its change event not heard yet), so the next attempt tells it from the database.
      if (before === known && knownFromCache) continue;
      checkWritable(before, expectedVersion);
      return { row: before, changed };
    }
    try {
      return { row: await writeUpdate(kit, caller, { id, document, before, changed }, context), changed };
    } catch (error) {
      const movedOn =
        before && expectedVersion == null && (error instanceof NotFoundError || error instanceof VersionMismatchError);
      if (!movedOn || attempt === UPDATE_ATTEMPTS) throw error;
    }
  }
}

/**
 * The checks of an update that reach its stored values (a mask to restore, a test, a change of
 * where the connection goes), with the stored values where the update leaves them. Answers the
 * dialect of a new URI, and the result of the test if the update asked for one.
 */
async function checkAgainstStored(
  kit: ConnectionsKit,
  caller: Caller,
  stored: ConnectionRow,
  document: Partial<ConnectionDocument>,
  { test, expectedVersion }: WriteOptions,
): Promise<{ dialect?: DialectName; tested?: TestResult }> {
  checkWritable(stored, expectedVersion);
  const previous = storedDocument(stored, kit.secrets);
  // A caller sending back what it read, secrets masked, keeps the stored ones.
  restoreMasks(document, previous);
  const { dialect, tested } = await checkAndTest(kit, caller, { ...previous, ...document }, test);
  return { dialect: document.connectionUri === undefined ? undefined : dialect.name, tested };
}

/**
 * A document checked with the values its references stand for (its workspace's), and tested with
 * them when asked: a test that fails refuses the write.
 */
async function checkAndTest(kit: ConnectionsKit, caller: Caller, document: ConnectionDocument, test?: boolean) {
  const resolved = resolveReferences(document, await kit.referencesFor(document.workspace, document));
  const dialect = checkConnection(resolved, kit.policy);
  const limit = principalKey(caller.principal);
  const tested = test
    ? await requireWorkingConnection(kit.connectivity, routeOf(resolved), dialect, resolved.schemas, limit)
    : undefined;
  return { dialect, tested };
}

/** Creates a connection with its audit event and change event; `test`: only if it connects. */
async function create(kit: ConnectionsKit, caller: Caller, input: unknown, { test = false }: WriteOptions) {
  const document = parseFullDocument(input);
  refuseMasks(document);
  await checkTargetWorkspace(kit, caller, document.workspace);
  // Checked with the values its references stand for; stored with the references as written.
  const { dialect, tested } = await checkAndTest(kit, caller, document, test);
  const row = newRow(document, dialect.name, kit.secrets, { tested });
  const { workspace } = document;
  const entry = {
    action: 'create',
    connectionId: row.id,
    alias: row.alias,
    workspace,
    fields: INPUT_REST_NAMES,
  } as const;
  const write = () =>
    kit.changes.connection(
      kit.store.insertRow(row),
      auditOf(caller, entry),
      connectionEvent('created', row.id, workspace),
    );
  return checkedWrite(write, { alias: document.alias });
}

/**
 * The row an update is told from, which the caller must see (else NotFoundError) and may write where
 * it is (else AccessDeniedError). The read cache's row where it holds one that the update may be
 * told from as it is (not managed, at the version the caller expects, and neither masked secrets to
 * restore from it nor a test of the result): the write then applies to that version only, so a row
 * changed since is read again and the update told again (recordedUpdate), as after any read overtaken
 * by another write; on PostgreSQL the update is then one statement, one round trip. A refusal is
 * told from the database, never from what the cache held.
 */
async function writableRow(
  kit: ConnectionsKit,
  caller: Caller,
  id: string,
  document: Partial<ConnectionDocument>,
  { test, expectedVersion }: WriteOptions,
): Promise<{ row: ConnectionRow; fromCache: boolean }> {
  const checked = (row: ConnectionRow | null) => {
    const seen = visible(caller, row);
    if (!seen) throw new NotFoundError(id);
    requireScope(caller, 'connections:write', seen.workspace);
    return seen;
  };
  // Whatever Cache-Control says (fetch sends no-cache with If-Match): the write's own check reads the database.
  const cached = !test && maskedPaths(document).length === 0;
  const held = cached ? kit.cache.held(id) : undefined;
  if (held && !held.managed && (expectedVersion == null || held.version === expectedVersion)) {
    try {
      return { row: checked(held), fromCache: true };
    } catch {
      // Told again from the database, below.
    }
  }
  return { row: checked(checkedRowOrNull(await kit.store.byId(id))), fromCache: false };
}

/** Changes the fields the input names (all of them for a REST PUT); the others keep their values. */
async function update(kit: ConnectionsKit, caller: Caller, id: string, input: unknown, options: WriteOptions) {
  const document = parsePartialDocument(input);
  if (!isConnectionId(id)) throw new NotFoundError(id);
  // Read first: who may write follows from where the connection is, which its audit event names.
  const { row: stored, fromCache } = await writableRow(kit, caller, id, document, options);
  // Moving it needs connections:write where it goes too, and checks its references against that workspace's.
  const target = document.workspace;
  const moves = target !== undefined && target !== stored.workspace;
  if (moves) await checkTargetWorkspace(kit, caller, target);
  const reaches =
    moves || maskedPaths(document).length > 0 || options.test || REACHING_FIELDS.some((name) => name in document);
  const checked = reaches ? await checkAgainstStored(kit, caller, stored, document, options) : {};
  return recordedUpdate(kit, caller, id, document, {
    ...checked,
    expectedVersion: options.expectedVersion,
    known: stored,
    knownFromCache: fromCache,
  });
}

/** Deletes the connection and answers it as it was. */
async function remove(kit: ConnectionsKit, caller: Caller, id: string, { expectedVersion }: WriteOptions = {}) {
  if (!isConnectionId(id)) throw new NotFoundError(id);
  return checkedWrite(
    () =>
      kit.changes.transaction(async (tx, record) => {
        // Checked as every row the commands read: a row of the wrong kind is a fault, and nothing is deleted.
        const row = checkedRow(await connectionStore(tx).delete(rowAt(caller, id, expectedVersion)));
        const entry = { action: 'delete', connectionId: id, alias: row.alias, workspace: row.workspace } as const;
        // The event names the workspace the delete found.
        await record(auditOf(caller, entry), connectionEvent('deleted', id, row.workspace));
        return row;
      }),
    writeContext(kit, caller, { id, expectedVersion }),
  );
}

export function connectionWrites(kit: ConnectionsKit) {
  // The writes as callers see them: a URI written as parameters has its problems named there.
  const created = (caller: Caller, input: unknown, options: WriteOptions = {}): Promise<ConnectionRow> =>
    create(kit, caller, input, options).catch((error) => {
      throw renamedProblems(error, uriAsWritten(input));
    });
  const updated = (caller: Caller, id: string, input: unknown, options: WriteOptions = {}): Promise<UpdateResult> =>
    update(kit, caller, id, input, options).catch((error) => {
      throw renamedProblems(error, uriAsWritten(input));
    });
  return {
    /** Creates a connection; a URI written as parameters has its problems named there. */
    create: created,
    /** Changes a connection; a URI written as parameters has its problems named there. */
    update: (caller: Caller, id: string, input: unknown, options: WriteOptions = {}): Promise<ConnectionRow> =>
      updated(caller, id, input, options).then(({ row }) => row),
    /**
     * Creates the connection of the input's alias in its workspace, or changes the one there (by the
     * rules of `create` and `update`): answers which it did, `unchanged` when it was already so.
     */
    async save(caller: Caller, input: Record<string, unknown>): Promise<{ outcome: SaveOutcome; row: ConnectionRow }> {
      const { alias, workspace = DEFAULT_WORKSPACE } = input;
      // The alias compared ignoring case, as the store keeps it unique; input that names none is for `create` to refuse.
      const existing =
        typeof alias === 'string' && typeof workspace === 'string'
          ? visible(caller, await kit.store.byAlias(workspace, alias))
          : null;
      if (!existing) return { outcome: 'created', row: await created(caller, input) };
      const { row, changed } = await updated(caller, existing.id, input);
      return { outcome: changed.length > 0 ? 'updated' : 'unchanged', row };
    },
    remove: (caller: Caller, id: string, options: WriteOptions = {}) => remove(kit, caller, id, options),
  };
}
