/**
 * Applies a provisioning file: the connections it lists become exactly what it
 * says, `managed` (the API may not change them). Every entry is checked by the
 * rules of the API first; one problem anywhere and nothing is written. The
 * writes are one transaction, under an advisory lock on PostgreSQL, so that
 * instances starting together apply the file once between them.
 */
import { type AuditAction, recordAuditEvent } from '../audit/events.ts';
import { ValidationError } from '../connections/errors.ts';
import { type ConnectionDocument, INPUT_REST_NAMES } from '../connections/fields.ts';
import { aliasKey, parseFullDocument } from '../connections/input.ts';
import { refuseMasks } from '../connections/masks.ts';
import { changedColumns, changedFields, newRow, restNames, storedDocument } from '../connections/records.ts';
import { resolveReferences } from '../connections/references.ts';
import { checkConnection } from '../connections/transport.ts';
import type { Prisma } from '../db/client.ts';
import type { Store } from '../db/store.ts';
import type { DialectName } from '../dialects/registry.ts';
import type { DialectPolicy } from '../dialects/rules.ts';
import { DOCUMENT_SHAPE, inputFromBody, restFieldPath } from '../rest/connection-fields.ts';
import type { ConnectionSecrets } from '../secrets/connection-secrets.ts';
import type { SecretReferences } from '../secrets/references.ts';
import { type FileProblem, type ProvisioningFile, ProvisioningFileError } from './file.ts';

export interface ApplyReport {
  created: string[];
  changed: string[];
  unchanged: string[];
  deleted: string[];
  /** Managed connections the file no longer lists, left because pruning is off. */
  wouldDelete: string[];
}

export interface ProvisioningContext {
  prisma: Prisma;
  secrets: ConnectionSecrets;
  references: SecretReferences;
  policy: DialectPolicy;
  provider: Store['provider'];
}

/** How many connections each outcome had, for a log line. */
export const countsOf = (report: ApplyReport) =>
  Object.fromEntries(Object.entries(report).map(([outcome, aliases]) => [outcome, aliases.length]));

/** Who the audit trail says made the file's changes. */
const PROVISIONING_ACTOR = 'provisioning';

/** Any number that is the same for every instance: the key of the lock they take turns on. */
const PROVISIONING_LOCK = 7_377_237;

interface Checked {
  document: ConnectionDocument;
  dialect: DialectName;
}

/** Each entry as a document the API would store; throws ProvisioningFileError listing every problem of the file. */
function checkEntries({ path, entries, problems: formProblems }: ProvisioningFile, context: ProvisioningContext) {
  const problems: FileProblem[] = [...formProblems];
  const checked: Checked[] = [];
  const seen = new Map<string, number>();
  for (const entry of entries) {
    const report = (path: string, message: string) =>
      problems.push({
        where: `connections[${entry.index}]${path ? `.${path}` : ''}`,
        line: entry.lineOf(path),
        message,
      });
    const converted = inputFromBody(entry.body, DOCUMENT_SHAPE);
    if ('problems' in converted) {
      for (const problem of converted.problems) report(problem.field, problem.message);
      continue;
    }
    try {
      const document = parseFullDocument(converted.input);
      refuseMasks(document);
      const dialect = checkConnection(resolveReferences(document, context.references), context.policy);
      const key = aliasKey(document.alias);
      const first = seen.get(key);
      if (first !== undefined) report('alias', `repeats the alias of connections[${first}]`);
      seen.set(key, entry.index);
      checked.push({ document, dialect: dialect.name });
    } catch (error) {
      if (error instanceof ValidationError) {
        for (const problem of error.fieldErrors) report(restFieldPath(problem.field), problem.message);
      } else if (error instanceof Error && 'code' in error) {
        // The dialect's refusals: of the URI, or of its schemas.
        report(error.code === 'schemas_not_supported' ? 'schemas' : 'connection_uri', error.message);
      } else throw error;
    }
  }
  if (problems.length > 0)
    throw new ProvisioningFileError(
      path,
      problems.sort((a, b) => a.line - b.line),
    );
  return checked;
}

/**
 * Makes the store hold what the file says: creates what is missing, changes what differs (and
 * takes over an unmanaged connection of the same alias), leaves alone what is as the file says,
 * and deletes managed connections the file no longer lists only when `prune` is on.
 */
export async function applyProvisioning(
  file: ProvisioningFile,
  context: ProvisioningContext,
  prune: boolean,
): Promise<ApplyReport> {
  const checked: Checked[] = checkEntries(file, context);
  const { prisma, secrets, provider } = context;
  return prisma.$transaction(
    async (tx) => {
      if (provider === 'postgresql') await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${PROVISIONING_LOCK})`);
      const report: ApplyReport = { created: [], changed: [], unchanged: [], deleted: [], wouldDelete: [] };
      // Each change is recorded in the audit trail, in the transaction that makes it.
      const record = (action: AuditAction, connectionId: string, alias: string, fields: string[]) =>
        recordAuditEvent(tx, { actor: PROVISIONING_ACTOR, action, connectionId, alias, fields });
      const rows = await tx.databaseConnection.findMany();
      const byKey = new Map(rows.map((row) => [row.aliasKey, row]));
      const listed = new Set<string>();
      for (const { document, dialect } of checked) {
        const key = aliasKey(document.alias);
        listed.add(key);
        const row = byKey.get(key);
        const stored = row && storedDocument(row, secrets);
        if (!row) {
          const created = await tx.databaseConnection.create({
            data: { ...newRow(document, dialect, secrets), managed: true },
          });
          await record('create', created.id, document.alias, INPUT_REST_NAMES);
          report.created.push(document.alias);
        } else if (row.managed && JSON.stringify(stored) === JSON.stringify(document)) {
          report.unchanged.push(document.alias);
        } else {
          const changed = changedFields(stored as ConnectionDocument, document);
          await tx.databaseConnection.update({
            where: { id: row.id },
            data: { ...changedColumns(row.id, document, dialect, secrets, changed), managed: true },
          });
          await record('update', row.id, document.alias, restNames(changed));
          report.changed.push(document.alias);
        }
      }
      for (const row of rows.filter((row) => row.managed && !listed.has(row.aliasKey))) {
        if (prune) {
          await tx.databaseConnection.delete({ where: { id: row.id } });
          await record('delete', row.id, row.alias, []);
          report.deleted.push(row.alias);
        } else report.wouldDelete.push(row.alias);
      }
      return report;
    },
    // Another instance may hold the lock while it applies the same file.
    { maxWait: 60_000, timeout: 120_000 },
  );
}
