/**
 * The connections service: the one door through which connections are read, created, changed,
 * deleted, tested, discovered and revealed, whoever asks (GraphQL and so REST, the provisioning
 * file, the command-line tools, the health checks). A write applies the rules, the masks, the
 * secret references and the transport checks, tests the connection when asked, then writes the
 * row with its audit event and its change event, in one batch.
 */

import type { AuditEntry } from '../../audit/events.ts';
import { actorOf, principalKey } from '../../auth/api-keys.ts';
import { AccessDeniedError } from '../../auth/errors.ts';
import { DEFAULT_WORKSPACE, type Scope } from '../../auth/grants.ts';
import type { Position } from '../../connections/cursor.ts';
import {
  ManagedConnectionError,
  NotFoundError,
  ValidationError,
  VersionMismatchError,
} from '../../connections/errors.ts';
import {
  type ConnectionDocument,
  INPUT_FIELDS,
  INPUT_REST_NAMES,
  type SecretFieldName,
} from '../../connections/fields.ts';
import type { HealthCheckRecord } from '../../connections/health.ts';
import { parseFullDocument, parsePartialDocument } from '../../connections/input.ts';
import { maskDocument, maskedPaths, refuseMasks, restoreMasks } from '../../connections/masks.ts';
import {
  changedColumns,
  changedFields,
  checkedWrite,
  isConnectionId,
  newRow,
  presentSecret,
  restNames,
  rowDialect,
  rowSchemas,
  storedDocument,
  type WriteContext,
} from '../../connections/records.ts';
import {
  resolveReferences,
  revealReferences,
  storedRoute,
  testStoredConnection,
  workspaceReferences,
} from '../../connections/references.ts';
import { checkConnection, REACHING_FIELDS, routeOf } from '../../connections/transport.ts';
import { requireWorkingConnection, type TestResult } from '../../connectivity/connectivity.ts';
import type { SchemaInfo } from '../../connectivity/drivers/driver.ts';
import { type ConnectionFilter, type ConnectionRow, connectionStore } from '../../db/tables/connections.ts';
import type { DialectName } from '../../dialects/registry.ts';
import { connectionEvent } from '../../events/connection-events.ts';
import type { Caller, ConnectionsDependencies } from './dependencies.ts';
import { startHealthRecords } from './health-records.ts';
import { rotateKeys } from './key-rotation.ts';
import { createReadCache } from './read-cache.ts';

export type { Caller };

export interface WriteOptions {
  /** Connect with the real driver first, and write nothing unless it works; its result is then the health. */
  test?: boolean;
  /** Write only if the connection is still at this version; else VersionMismatchError. */
  expectedVersion?: number | null;
}

/** A page of the list: the rows, and whether there are more on either side. */
export interface Page {
  rows: ConnectionRow[];
  hasPreviousPage: boolean;
  hasNextPage: boolean;
}

export interface PageOptions {
  filter: ConnectionFilter;
  after?: Position;
  before?: Position;
  /** How many rows, at most. */
  size: number;
  /** From the end backwards (`last`/`before`); the rows still come in list order. */
  fromEnd: boolean;
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

export function createConnectionsService(dependencies: ConnectionsDependencies) {
  const { prisma, changes, secrets, references, policy, connectivity, events, logger, workspaces } = dependencies;
  const store = connectionStore(prisma);
  // Each read of references asks what the workspace is allowed now: a connection moved, or a name no
  // longer allowed, reads nothing it may no longer read.
  const referencesFor = workspaceReferences(references, workspaces);
  // Reads answered from memory while nothing changed; every change reaches it through the events.
  // Turned off, it has nothing to forget: it does not watch (on SQLite, watching reads the audit trail every 250 ms).
  const cache = createReadCache(dependencies.readCache);
  if (cache.enabled) events.watch(cache);

  /** The audit entry of a change by this caller. */
  const audit = (caller: Caller, entry: Omit<AuditEntry, 'actor' | 'actorId' | 'requestId'>): AuditEntry => ({
    ...entry,
    ...actorOf(caller),
  });

  /** The row if the caller may see it, else null. */
  const visible = (caller: Caller, row: ConnectionRow | null) =>
    row && caller.principal.access.sees(row.workspace) ? row : null;

  /** The row with this id if the caller may see it, or null (an id that is no UUID names nothing); read as stored. */
  const find = async (caller: Caller, id: string) => visible(caller, isConnectionId(id) ? await store.byId(id) : null);

  /** As `find`, answered from the read cache where it holds the row: for reads, never for the checks of a write. */
  const read = async (caller: Caller, id: string) =>
    visible(caller, isConnectionId(id) ? await cache.row(id, caller.fresh === true, () => store.byId(id)) : null);

  /** The row with this id, which the caller must see (else NotFoundError) and hold `scope` in (else AccessDeniedError). */
  async function findFor(caller: Caller, id: string, scope: Scope): Promise<ConnectionRow> {
    const row = await find(caller, id);
    if (!row) throw new NotFoundError(id);
    requireScope(caller, scope, row.workspace);
    return row;
  }

  /** A workspace the caller writes a connection into: it must hold connections:write there, and the workspace exist. */
  async function checkTargetWorkspace(caller: Caller, workspace: string) {
    requireScope(caller, 'connections:write', workspace);
    // `default` always exists (a migration makes it, and it is never deleted): no read for it.
    if (workspace !== DEFAULT_WORKSPACE && !(await workspaces.exists(workspace))) {
      throw new ValidationError([{ field: 'workspace', message: 'names no workspace' }]);
    }
  }

  /** Where a conditional write finds its row: by id, never a managed one, at this version if any, in a workspace the caller writes. */
  const rowAt = (caller: Caller, id: string, version: number | null | undefined) => {
    const writable = caller.principal.access.workspacesWith(['connections:write']);
    return {
      id,
      managed: false,
      ...(version != null && { version }),
      ...(writable && { workspace: { in: writable } }),
    };
  };

  /** Why a conditional write found no row, for this caller: refusals of access first, so nothing else leaks. */
  const writeContext = (caller: Caller, context: Omit<WriteContext, 'current'>): WriteContext => ({
    ...context,
    current: async (id) => {
      const state = await store.stateOf(id);
      if (!state || !caller.principal.access.sees(state.workspace)) return null;
      requireScope(caller, 'connections:write', state.workspace);
      return state;
    },
  });

  /** The filter narrowed to the workspaces the caller sees. */
  const visibleTo = (caller: Caller, filter: ConnectionFilter): ConnectionFilter => ({
    ...filter,
    workspaces: caller.principal.access.visibleWorkspaces(),
  });

  async function page(caller: Caller, { filter, after, before, size, fromEnd }: PageOptions): Promise<Page> {
    // One row more than asked for says whether there are more.
    const request = { filter: visibleTo(caller, filter), after, before, take: size + 1, backwards: fromEnd };
    const rows = await cache.page(request, caller.fresh === true, () => store.page(request));
    const more = rows.length > size;
    const shown = rows.slice(0, size);
    if (fromEnd) shown.reverse();
    return {
      rows: shown,
      hasPreviousPage: fromEnd ? more : false,
      hasNextPage: fromEnd ? false : more,
    };
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
    caller: Caller,
    id: string,
    document: Partial<ConnectionDocument>,
    {
      dialect,
      expectedVersion,
      known,
      tested,
    }: { dialect?: DialectName; expectedVersion?: number | null; known?: ConnectionRow; tested?: TestResult },
  ): Promise<UpdateResult> {
    for (let attempt = 1; ; attempt++) {
      const before = attempt === 1 && known ? known : await find(caller, id);
      const changed = before ? changedFields(storedDocument(before, secrets), document) : [];
      if (before && changed.length === 0) {
        checkWritable(before, expectedVersion);
        return { row: before, changed };
      }
      // Read again, the row may go elsewhere than the one tested: its health is then not the test's.
      const health = before === known ? tested : undefined;
      const version = expectedVersion ?? before?.version;
      const workspace = document.workspace ?? before?.workspace;
      const write = () =>
        changes.batch(
          store.update(rowAt(caller, id, version), changedColumns(id, document, dialect, secrets, changed, health)),
          audit(caller, {
            action: 'update',
            connectionId: id,
            alias: document.alias ?? before?.alias ?? null,
            workspace,
            fields: restNames(changed),
          }),
          connectionEvent('updated', id, workspace),
        );
      try {
        const row = await checkedWrite(write, writeContext(caller, { id, alias: document.alias, expectedVersion }));
        return { row, changed };
      } catch (error) {
        const movedOn =
          before &&
          expectedVersion == null &&
          (error instanceof NotFoundError || error instanceof VersionMismatchError);
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
    caller: Caller,
    stored: ConnectionRow,
    document: Partial<ConnectionDocument>,
    { test, expectedVersion }: WriteOptions,
  ): Promise<{ dialect?: DialectName; tested?: TestResult }> {
    checkWritable(stored, expectedVersion);
    const previous = storedDocument(stored, secrets);
    // A caller sending back what it read, secrets masked, keeps the stored ones.
    restoreMasks(document, previous);
    const merged = { ...previous, ...document };
    const effective = resolveReferences(merged, await referencesFor(merged.workspace, merged));
    const dialect = checkConnection(effective, policy);
    const limit = principalKey(caller.principal);
    const tested = test
      ? await requireWorkingConnection(connectivity, routeOf(effective), dialect, effective.schemas, limit)
      : undefined;
    return { dialect: document.connectionUri === undefined ? undefined : dialect.name, tested };
  }

  /** Creates a connection with its audit event and change event; `test`: only if it connects. */
  async function create(caller: Caller, input: unknown, { test = false }: WriteOptions): Promise<ConnectionRow> {
    const document = parseFullDocument(input);
    refuseMasks(document);
    await checkTargetWorkspace(caller, document.workspace);
    // Checked with the values its references stand for; stored with the references as written.
    const resolved = resolveReferences(document, await referencesFor(document.workspace, document));
    const dialect = checkConnection(resolved, policy);
    const limit = principalKey(caller.principal);
    const tested = test
      ? await requireWorkingConnection(connectivity, routeOf(resolved), dialect, document.schemas, limit)
      : undefined;
    const row = newRow(document, dialect.name, secrets, { tested });
    const write = () =>
      changes.batch(
        store.insert(row),
        audit(caller, {
          action: 'create',
          connectionId: row.id,
          alias: row.alias,
          workspace: document.workspace,
          fields: INPUT_REST_NAMES,
        }),
        connectionEvent('created', row.id, document.workspace),
      );
    return checkedWrite(write, { alias: document.alias });
  }

  /** Changes the fields the input names (all of them for a REST PUT); the others keep their values. */
  async function update(caller: Caller, id: string, input: unknown, options: WriteOptions): Promise<UpdateResult> {
    const document = parsePartialDocument(input);
    if (!isConnectionId(id)) throw new NotFoundError(id);
    // Read first: who may write follows from where the connection is, which its audit event names.
    const stored = await findFor(caller, id, 'connections:write');
    // Moving it needs connections:write where it goes too, and checks its references against that workspace's.
    const target = document.workspace;
    const moves = target !== undefined && target !== stored.workspace;
    if (moves) await checkTargetWorkspace(caller, target);
    const reaches =
      moves || maskedPaths(document).length > 0 || options.test || REACHING_FIELDS.some((name) => name in document);
    const checked = reaches ? await checkAgainstStored(caller, stored, document, options) : {};
    return recordedUpdate(caller, id, document, {
      ...checked,
      expectedVersion: options.expectedVersion,
      known: stored,
    });
  }

  /** A secret in plaintext, the reveal logged and recorded in the audit trail. */
  async function revealed(caller: Caller, row: ConnectionRow, field: SecretFieldName, value: unknown) {
    (caller.logger ?? logger).info({ apiKey: caller.principal.name, connectionId: row.id }, `${field} revealed`);
    await changes.audit(
      audit(caller, {
        action: 'reveal',
        connectionId: row.id,
        alias: row.alias,
        workspace: row.workspace,
        fields: restNames([field]),
      }),
    );
    // Revealed, a reference shows what it stands for; one that cannot be read, as it is written.
    return revealReferences(row, field, value, referencesFor);
  }

  // The reveals of each request (a caller is made per request), by connection, version and field.
  const reveals = new WeakMap<Caller, Map<string, Promise<unknown>>>();
  const revealsOf = (caller: Caller) => {
    const shown = reveals.get(caller) ?? new Map<string, Promise<unknown>>();
    reveals.set(caller, shown);
    return shown;
  };

  const health = startHealthRecords({ ...dependencies, referencesFor }, store);

  // The writes as callers see them: a URI written as parameters has its problems named there.
  const created = (caller: Caller, input: unknown, options: WriteOptions = {}): Promise<ConnectionRow> =>
    create(caller, input, options).catch((error) => {
      throw renamedProblems(error, uriAsWritten(input));
    });
  const updated = (caller: Caller, id: string, input: unknown, options: WriteOptions = {}): Promise<UpdateResult> =>
    update(caller, id, input, options).catch((error) => {
      throw renamedProblems(error, uriAsWritten(input));
    });

  return {
    /** The connection with this id, or null (also when the caller may not see it). */
    get: (caller: Caller, id: string) => read(caller, id),

    /** A page of the connections the caller sees, oldest first. */
    page,

    /** How many connections the caller sees match the filter. */
    count(caller: Caller, filter: ConnectionFilter) {
      const visibleFilter = visibleTo(caller, filter);
      return cache.count(visibleFilter, caller.fresh === true, () => store.count(visibleFilter));
    },

    /** How reads were answered: from the cache, from the database, or past it. */
    readCacheStats: () => cache.stats(),

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
          ? visible(caller, await store.byAlias(workspace, alias))
          : null;
      if (!existing) return { outcome: 'created', row: await created(caller, input) };
      const { row, changed } = await updated(caller, existing.id, input);
      return { outcome: changed.length > 0 ? 'updated' : 'unchanged', row };
    },

    /** Deletes the connection and answers it as it was. */
    async remove(caller: Caller, id: string, { expectedVersion }: WriteOptions = {}): Promise<ConnectionRow> {
      if (!isConnectionId(id)) throw new NotFoundError(id);
      return checkedWrite(
        () =>
          changes.transaction(async (tx, record) => {
            const row = await connectionStore(tx).delete(rowAt(caller, id, expectedVersion));
            const entry = { action: 'delete', connectionId: id, alias: row.alias, workspace: row.workspace } as const;
            // The event names the workspace the delete found.
            await record(audit(caller, entry), connectionEvent('deleted', id, row.workspace));
            return row;
          }),
        writeContext(caller, { id, expectedVersion }),
      );
    },

    /** Connects to a saved connection; a failure to connect is a result, recorded in the audit trail. */
    async test(caller: Caller, id: string): Promise<TestResult> {
      const row = await findFor(caller, id, 'connections:read');
      const result = await testStoredConnection(
        connectivity,
        row,
        { secrets, referencesFor },
        principalKey(caller.principal),
      );
      await changes.audit(
        audit(caller, {
          action: 'test',
          connectionId: row.id,
          alias: row.alias,
          workspace: row.workspace,
          outcome: result.error?.code ?? 'ok',
        }),
      );
      return result;
    },

    /**
     * Tests a connection before it is saved: its URI, schemas, SSH and TLS settings, checked by the
     * rules of a saved one. `fieldName`: the name the caller gave a field, where it is not its own.
     */
    async testDraft(caller: Caller, input: Record<string, unknown>, fieldName = (name: string) => name) {
      const { resolved, dialect } = await renamingFields(
        (name) => fieldName(uriAsWritten(input)(name)),
        async () => {
          const document = parseFullDocument({ alias: 'test', ...input });
          refuseMasks(document);
          // Its references are read as its workspace may read them, and only for a writer there.
          const writes = caller.principal.access.allows('connections:write', document.workspace);
          const resolved = resolveReferences(
            document,
            await referencesFor(writes ? document.workspace : null, document),
          );
          return { resolved, dialect: checkConnection(resolved, policy) };
        },
      );
      const result = await connectivity.test(
        routeOf(resolved),
        dialect,
        resolved.schemas,
        principalKey(caller.principal),
      );
      // A connection not saved: no connection, nor workspace, to name (a writer of any workspace may test a draft
      // without references).
      await changes.audit(audit(caller, { action: 'test', outcome: result.error?.code ?? 'ok' }));
      return result;
    },

    /** The database's schemas, tables and columns (limited to the connection's schemas when it has any). */
    async discover(caller: Caller, row: ConnectionRow): Promise<SchemaInfo[]> {
      requireScope(caller, 'connections:read', row.workspace);
      return connectivity.introspect(
        `${row.id}:${row.version}`,
        await storedRoute(row, { secrets, referencesFor }),
        rowDialect(row),
        rowSchemas(row),
        principalKey(caller.principal),
      );
    },

    /** The connection's last scheduled health checks, oldest first (read apart: pages do not carry them). */
    async healthHistory(caller: Caller, row: ConnectionRow): Promise<HealthCheckRecord[]> {
      requireScope(caller, 'connections:read', row.workspace);
      return JSON.parse((await store.healthHistoryOf(row.id)) ?? '[]') as HealthCheckRecord[];
    },

    /** A secret field as output shows it: masked, or (`reveal`) in plaintext, which the audit trail records. */
    present(caller: Caller, row: ConnectionRow, field: SecretFieldName, reveal: boolean): Promise<unknown> {
      if (reveal) requireScope(caller, 'connections:reveal', row.workspace);
      const value = presentSecret(row, field, reveal, secrets);
      // Nothing to reveal in settings that are not there.
      if (!reveal || value === null) return Promise.resolve(value);
      // Shown twice in one request (the URI, and the parameters read from it): revealed, and recorded, once.
      const shown = revealsOf(caller);
      const key = `${row.id}:${row.version}:${field}`;
      const plaintext = shown.get(key) ?? revealed(caller, row, field, value);
      shown.set(key, plaintext);
      return plaintext;
    },

    /** Every connection's document, oldest first: secrets masked, or revealed (each reveal recorded). */
    async export(caller: Caller, { reveal }: { reveal: boolean }): Promise<ConnectionDocument[]> {
      const { access } = caller.principal;
      const rows = (await store.all()).filter((row) => access.sees(row.workspace));
      if (reveal) {
        for (const row of rows) requireScope(caller, 'connections:reveal', row.workspace);
        const fields = restNames(SECRET_FIELD_NAMES);
        await changes.audit(
          ...rows.map((row) =>
            audit(caller, {
              action: 'reveal',
              connectionId: row.id,
              alias: row.alias,
              workspace: row.workspace,
              fields,
            }),
          ),
        );
      }
      return rows.map((row) => {
        const document = storedDocument(row, secrets);
        return reveal ? document : maskDocument(document);
      });
    },

    health,
    /** Re-encrypts every stored secret under the current key; answers how many connections it rewrote. */
    rotateKeys: (caller: Caller) => rotateKeys(dependencies, store, caller),
    workspaces,
    /** One row for each encryption key the stored ciphertexts name, to check at start that none is missing. */
    rowsOfEachKey: () => store.oneRowPerKey(),
  };
}

export type ConnectionsService = ReturnType<typeof createConnectionsService>;

const SECRET_FIELD_NAMES = INPUT_FIELDS.filter(([, field]) => field.secret).map(([name]) => name);

/** Runs `check`, its ValidationError's fields named as the caller names them (`uri` for connectionUri). */
async function renamingFields<T>(fieldName: (name: string) => string, check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    throw renamedProblems(error, fieldName);
  }
}

/** The error, its problems' fields named by `fieldName` where it is a ValidationError. */
function renamedProblems(error: unknown, fieldName: (name: string) => string): unknown {
  if (!(error instanceof ValidationError)) return error;
  const rename = (path: string) => path.replace(/^\w+/, fieldName);
  return new ValidationError(
    error.fieldErrors.map((problem) => ({ ...problem, field: rename(problem.field) })),
    error.code,
  );
}

/** A URI written as a dialect and its parameters: what is wrong with the URI is what is wrong with them. */
const uriAsWritten = (input: unknown) => (name: string) =>
  name === 'connectionUri' &&
  typeof input === 'object' &&
  (input as { parameters?: unknown } | null)?.parameters != null
    ? 'parameters'
    : name;

/** Refuses a call the caller holds no `scope` for in the workspace. */
function requireScope(caller: Caller, scope: Scope, workspace: string): void {
  if (!caller.principal.access.allows(scope, workspace)) throw new AccessDeniedError(scope, workspace);
}

/** Refuses to write a managed row, or one at another version than the caller expects. */
function checkWritable(row: ConnectionRow, expectedVersion: number | null | undefined): void {
  if (row.managed) throw new ManagedConnectionError(row.id);
  if (expectedVersion != null && row.version !== expectedVersion) {
    throw new VersionMismatchError(row.id, expectedVersion, row.version);
  }
}
