/**
 * Provisioning: the connections a list of documents names (the provisioning file's entries) become
 * exactly what it says, `managed` (the API may not change them). Every entry is checked by the rules
 * of the API first; one problem anywhere and nothing is written. The writes are one transaction,
 * under an advisory lock on PostgreSQL, so that instances starting together apply the list once
 * between them; each change is recorded in the audit trail and published, as any other.
 */
import type { AuditAction } from '../../audit/events.ts';
import { toolPrincipal } from '../../auth/api-keys.ts';
import { DEFAULT_WORKSPACE } from '../../auth/grants.ts';
import { type ConnectionDocument, INPUT_REST_NAMES } from '../../connections/fields/fields.ts';
import { ValidationError } from '../../connections/rules/errors.ts';
import { parseFullDocument } from '../../connections/rules/input.ts';
import { refuseMasks } from '../../connections/rules/masks.ts';
import { checkConnection } from '../../connections/rules/transport.ts';
import { changedColumns, changedFields, newRow, restNames, storedDocument } from '../../connections/stored/records.ts';
import { resolveReferences } from '../../connections/stored/references.ts';
import { aliasKey, type ConnectionRow, connectionStore } from '../../db/tables/connections.ts';
import { workspaceStore } from '../../db/tables/workspaces.ts';
import type { DialectName } from '../../dialects/registry.ts';
import { type ConnectionEventAction, connectionEvent } from '../../events/connection-events.ts';
import type { RecordChange, Transaction } from '../recorded-changes.ts';
import type { Workspaces } from '../workspaces.ts';
import type { ConnectionsDependencies } from './dependencies.ts';

/** An entry of the list: its place in it, and the connection document as written (GraphQL field names). */
export interface ProvisioningEntry {
  index: number;
  input: Record<string, unknown>;
}

export interface ProvisioningProblem {
  index: number;
  /** The field at fault (GraphQL names, `sshSettings.privateKey`), or '' for the entry as a whole. */
  field: string;
  message: string;
}

/** The list breaks the rules; nothing was written. */
export class ProvisioningRejectedError extends Error {
  constructor(readonly problems: ProvisioningProblem[]) {
    super(`The connections to provision break the rules: ${problems.map((p) => p.message).join('; ')}`);
  }
}

export interface ApplyReport {
  created: string[];
  changed: string[];
  unchanged: string[];
  deleted: string[];
  /** Managed connections the list no longer names, left because pruning is off. */
  wouldDelete: string[];
  /** Workspaces the list names that were not there. */
  workspacesCreated: string[];
  /** Workspaces made by the list that it no longer names, deleted once empty (pruning on). */
  workspacesDeleted: string[];
}

/** Who the audit trail says made the list's changes. */
const PROVISIONING_ACTOR = 'provisioning';

/** Any number that is the same for every instance: the key of the lock they take turns on. */
const PROVISIONING_LOCK = 7_377_237;

interface Checked {
  document: ConnectionDocument;
  dialect: DialectName;
}

/** The problems of one entry: of its document, its references, its dialect; other errors are thrown. */
function entryProblems(index: number, error: unknown): ProvisioningProblem[] {
  if (error instanceof ValidationError) return error.fieldErrors.map((problem) => ({ index, ...problem }));
  if (error instanceof Error && 'code' in error) {
    // The dialect's refusals: of the URI, or of its schemas.
    const field = error.code === 'schemas_not_supported' ? 'schemas' : 'connectionUri';
    return [{ index, field, message: error.message }];
  }
  throw error;
}

/**
 * Each entry as a document the API would store, its references read as the list leaves its
 * workspace allowed to; throws ProvisioningRejectedError listing every problem.
 */
function check(
  { references, policy }: ConnectionsDependencies,
  entries: ProvisioningEntry[],
  granted: SecretReferenceGrants,
): Checked[] {
  const problems: ProvisioningProblem[] = [];
  const checked: Checked[] = [];
  const seen = new Map<string, number>();
  for (const { index, input } of entries) {
    try {
      const document = parseFullDocument(input);
      refuseMasks(document);
      const { workspace } = document;
      const allowed = references.forWorkspace(workspace, Object.hasOwn(granted, workspace) ? granted[workspace] : []);
      const dialect = checkConnection(resolveReferences(document, allowed), policy);
      const key = keyOf(document);
      const first = seen.get(key);
      if (first !== undefined)
        problems.push({ index, field: 'alias', message: `repeats the alias of entry ${first} in its workspace` });
      seen.set(key, index);
      checked.push({ document, dialect: dialect.name });
    } catch (error) {
      problems.push(...entryProblems(index, error));
    }
  }
  if (problems.length > 0) throw new ProvisioningRejectedError(problems);
  return checked;
}

/** Each change is recorded in the audit trail and announced, in the transaction that makes it. */
const recordChangeOf =
  (record: RecordChange) =>
  (
    action: AuditAction,
    event: ConnectionEventAction,
    row: { id: string; alias: string; workspace: string },
    fields: string[],
  ) =>
    record(
      { actor: PROVISIONING_ACTOR, action, connectionId: row.id, alias: row.alias, workspace: row.workspace, fields },
      connectionEvent(event, row.id, row.workspace),
    );

const emptyReport = (): ApplyReport => ({
  created: [],
  changed: [],
  unchanged: [],
  deleted: [],
  wouldDelete: [],
  workspacesCreated: [],
  workspacesDeleted: [],
});

/** Creates or changes the connection of each entry; answers the keys of those the list names. */
async function writeEntries(
  { secrets }: ConnectionsDependencies,
  tx: Transaction,
  record: RecordChange,
  { entries, rows, report }: { entries: Checked[]; rows: ConnectionRow[]; report: ApplyReport },
): Promise<Set<string>> {
  const table = connectionStore(tx);
  const recordChange = recordChangeOf(record);
  const byKey = new Map(rows.map((row) => [keyOf(row), row]));
  const listed = new Set<string>();
  for (const { document, dialect } of entries) {
    listed.add(keyOf(document));
    const row = byKey.get(keyOf(document));
    if (!row) {
      const created = await table.insert(newRow(document, dialect, secrets, { managed: true }));
      await recordChange('create', 'created', created, INPUT_REST_NAMES);
      report.created.push(document.alias);
      continue;
    }
    // What differs, compared as an update compares it; a connection made by hand is taken over even when equal.
    const changed = changedFields(storedDocument(row, secrets), document);
    if (row.managed && changed.length === 0) report.unchanged.push(document.alias);
    else {
      const columns = changedColumns(row.id, document, dialect, secrets, changed);
      await table.update({ id: row.id }, { ...columns, managed: true });
      await recordChange('update', 'updated', { ...document, id: row.id }, restNames(changed));
      report.changed.push(document.alias);
    }
  }
  return listed;
}

/** Writes what the checked entries say, in a transaction, each change recorded; answers what it did. */
async function apply(
  dependencies: ConnectionsDependencies,
  { tx, record }: { tx: Transaction; record: RecordChange },
  entries: Checked[],
  { prune, workspaces, secretReferences }: ProvisionOptions,
) {
  const report = emptyReport();
  const named = new Set([
    ...workspaces,
    ...Object.keys(secretReferences),
    ...entries.map(({ document }) => document.workspace),
  ]);
  report.workspacesCreated = await makeWorkspaces(tx, named);
  await grantSecretReferences(tx, secretReferences);
  const rows = await connectionStore(tx).all();
  const listed = await writeEntries(dependencies, tx, record, { entries, rows, report });
  for (const row of rows.filter((row) => row.managed && !listed.has(keyOf(row)))) {
    if (!prune) {
      report.wouldDelete.push(row.alias);
      continue;
    }
    await connectionStore(tx).delete({ id: row.id });
    await recordChangeOf(record)('delete', 'deleted', row, []);
    report.deleted.push(row.alias);
  }
  if (prune) report.workspacesDeleted = await pruneWorkspaces(tx, record, named, dependencies.workspaces);
  return report;
}

export function provisioning(dependencies: ConnectionsDependencies) {
  const { changes, provider } = dependencies;
  return {
    /** Checks the entries by the rules of the API; throws ProvisioningRejectedError listing every problem. */
    checkProvisioning(entries: ProvisioningEntry[], secretReferences: SecretReferenceGrants): void {
      check(dependencies, entries, secretReferences);
    },

    /**
     * Makes the store hold what the entries say: creates what is missing, changes what differs (and
     * takes over an unmanaged connection of the same alias), leaves alone what is as they say, and
     * deletes managed connections they no longer name only when `prune` is on.
     */
    async provision(entries: ProvisioningEntry[], options: ProvisionOptions): Promise<ApplyReport> {
      const checked = check(dependencies, entries, options.secretReferences);
      return changes.transaction(
        async (tx, record) => {
          if (provider === 'postgresql')
            await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${PROVISIONING_LOCK})`);
          return apply(dependencies, { tx, record }, checked, options);
        },
        // Another instance may hold the lock while it applies the same list.
        { maxWait: 60_000, timeout: 120_000 },
      );
    },
  };
}

export interface ProvisionOptions {
  /** Delete the managed connections, and the managed empty workspaces, that the list no longer names. */
  prune: boolean;
  /** The workspaces the list names besides those of its entries (the file's `workspaces:`). */
  workspaces: string[];
  /** The secret references each workspace may use beside SECRET_REFERENCES' (the file's `secret_references:`). */
  secretReferences: SecretReferenceGrants;
}

export type Provisioning = ReturnType<typeof provisioning>;

/** Secret references by workspace: `{"sales": ["env:DCAPI_SECRET_SALES_*"]}`. */
export type SecretReferenceGrants = Readonly<Record<string, readonly string[]>>;

/**
 * Gives each workspace the secret references the list allows it, and takes them from those it no
 * longer names: the list says what they are. Writes only the workspaces whose references change.
 */
async function grantSecretReferences(tx: Transaction, granted: SecretReferenceGrants): Promise<void> {
  const table = workspaceStore(tx);
  for (const { name, secretReferences } of await table.allSecretReferences()) {
    const wanted = Object.hasOwn(granted, name) ? JSON.stringify(granted[name]) : null;
    if (wanted !== secretReferences) await table.setSecretReferences(name, wanted);
  }
}

/** Makes the named workspaces that are missing, and marks them all as the list's; answers those it made. */
async function makeWorkspaces(tx: Transaction, names: Set<string>): Promise<string[]> {
  const table = workspaceStore(tx);
  const existing = new Set((await table.list([...names])).map((w) => w.name));
  const created = [...names].filter((name) => !existing.has(name));
  await table.markManaged([...existing]);
  for (const name of created) await table.insert(name, new Date(), true);
  return created;
}

/** Deletes the list's workspaces it no longer names, once they hold no connection; answers those it deleted. */
async function pruneWorkspaces(
  tx: Transaction,
  record: RecordChange,
  named: Set<string>,
  workspaces: Workspaces,
): Promise<string[]> {
  const unnamed = await workspaceStore(tx).managedOutside([...named]);
  const deleted: string[] = [];
  for (const { name } of unnamed) {
    if (name === DEFAULT_WORKSPACE || (await connectionStore(tx).count({ workspaces: [name] })) > 0) continue;
    await workspaces.deleteWithin(tx, record, { principal: toolPrincipal(PROVISIONING_ACTOR) }, name);
    deleted.push(name);
  }
  return deleted;
}

/** What names a connection in the list and in the store: its workspace and its alias, ignoring case. */
const keyOf = ({ workspace, alias }: { workspace: string; alias: string }) => `${workspace}/${aliasKey(alias)}`;

/** How many connections each outcome had, for a log line. */
export const countsOf = (report: ApplyReport) =>
  Object.fromEntries(Object.entries(report).map(([outcome, aliases]) => [outcome, aliases.length]));
