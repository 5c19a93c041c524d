/** Between a connection document and its row in the store. */
import { randomUUID } from 'node:crypto';
import type { TestResult } from '../../connectivity/connectivity.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { aliasKey, type ConnectionRow, type NewRow } from '../../db/tables/connections.ts';
import { type Dialect, type DialectName, dialectNamed, isDialectName } from '../../dialects/registry.ts';
import type { ConnectionSecrets } from '../../secrets/connection-secrets.ts';
import {
  type ConnectionDocument,
  declarationOf,
  type FieldDeclaration,
  INPUT_FIELDS,
  REST_NAME_OF,
  type SecretFieldName,
} from '../fields/fields.ts';
import { statusOfTest } from '../fields/health.ts';
import { AliasConflictError, ManagedConnectionError, NotFoundError, VersionMismatchError } from '../rules/errors.ts';
import { REACHING_FIELDS } from '../rules/transport.ts';

export type { ConnectionRow };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else cannot name a connection, so it is treated as unknown. */
export function isConnectionId(id: string): boolean {
  return UUID.test(id);
}

/**
 * The row, once its columns whose kind is narrower than the column's type are checked: its dialect
 * (a text column) must name a dialect. Checked once per row as the commands read it from the store,
 * so that GraphQL reads the column inline, with no resolver per field and request
 * (src/schema/connection-fields.ts); a row of the wrong kind is a fault of the service, never shown.
 */
export function checkedRow<Row extends Pick<ConnectionRow, 'id' | 'dialect'>>(row: Row): Row {
  if (isDialectName(row.dialect)) return row;
  throw new Error(`The stored connection ${row.id} has a dialect that is not one of the dialects' names.`);
}

/** `checkedRow` over a row that may not be there. */
export const checkedRowOrNull = <Row extends Pick<ConnectionRow, 'id' | 'dialect'>>(row: Row | null) =>
  row && checkedRow(row);

const toText = (field: FieldDeclaration, value: unknown) =>
  value === null ? null : field.value.stored === 'json' ? JSON.stringify(value) : (value as string);
const fromText = (field: FieldDeclaration, text: string | null) =>
  text === null ? null : field.value.stored === 'json' ? JSON.parse(text) : text;

/**
 * The columns that store a document's fields (those it has): lists and objects as JSON text,
 * a secret sealed (encrypted, with a masked copy), the alias with its case-free key beside it.
 */
function storedColumns(id: string, document: Partial<ConnectionDocument>, secrets: ConnectionSecrets) {
  const columns: Record<string, unknown> = {};
  for (const [name, field] of INPUT_FIELDS) {
    const value = document[name as keyof ConnectionDocument];
    if (value === undefined) continue;
    if (field.secret) {
      const masked = field.value.secrets?.mask(value);
      Object.assign(columns, secrets.seal(id, name, toText(field, value), toText(field, masked)));
    } else columns[name] = toText(field, value);
  }
  if (document.alias !== undefined) columns.aliasKey = aliasKey(document.alias);
  return columns;
}

/** A health no check has spoken for yet, the next check due now. */
const HEALTH_UNKNOWN = (now: Date) => ({
  healthStatus: 'unknown',
  healthCheckedAt: null,
  healthLatencyMs: null,
  healthErrorCode: null,
  healthErrorMessage: null,
  healthFailures: 0,
  healthNextAt: now,
  healthLeaseUntil: null,
});

/**
 * The health the test of a write found (`tested`, the write asked for one), shown until the next
 * scheduled check, due now as for a connection not checked yet; without a test, unknown.
 */
const healthOf = (now: Date, tested: TestResult | undefined) =>
  tested
    ? {
        ...HEALTH_UNKNOWN(now),
        healthStatus: statusOfTest(tested),
        healthCheckedAt: now,
        healthLatencyMs: Math.round(tested.latencyMs),
        healthErrorCode: tested.error?.code ?? null,
        healthErrorMessage: tested.error?.message ?? null,
      }
    : HEALTH_UNKNOWN(now);

/**
 * The row of a new connection; `managed` when the provisioning file makes it; `now` its creation
 * time; `tested`: the result of the test it passed before it was written, if it had one.
 */
export function newRow(
  document: ConnectionDocument,
  dialect: DialectName,
  secrets: ConnectionSecrets,
  { managed = false, now = new Date(), tested }: { managed?: boolean; now?: Date; tested?: TestResult } = {},
): NewRow {
  const id = randomUUID();
  const columns = storedColumns(id, document, secrets) as Omit<NewRow, 'id' | 'dialect' | 'createdAt' | 'updatedAt'>;
  // A new connection is checked soon (health: unknown until then, or what its test found).
  return { id, ...columns, ...healthOf(now, tested), dialect, managed, createdAt: now, updatedAt: now, version: 1 };
}

/**
 * The columns a partial document changes in the row with this id (`dialect`: that of a new URI).
 * `changed`: the fields whose values change, when known; a change of where the connection goes
 * makes its health unknown, to be checked again soon. `tested`: the result of the test the write
 * passed, which is its health from then on.
 */
export function changedColumns(
  id: string,
  document: Partial<ConnectionDocument>,
  dialect: DialectName | undefined,
  secrets: ConnectionSecrets,
  changed: string[],
  tested?: TestResult,
) {
  const now = new Date();
  const reaches = changed.some((name) => (REACHING_FIELDS as readonly string[]).includes(name));
  return {
    ...(storedColumns(id, document, secrets) as Partial<ConnectionRow>),
    ...(dialect !== undefined && { dialect }),
    ...((reaches || tested) && healthOf(now, tested)),
    updatedAt: now,
    version: { increment: 1 },
  };
}

/** A secret field's value, opened. */
export const openSecret = (row: ConnectionRow, name: SecretFieldName, secrets: ConnectionSecrets): unknown =>
  fromText(declarationOf(name), secrets.open(row, name));

/** A secret field's value as output shows it: masked unless revealed. */
export const presentSecret = (
  row: ConnectionRow,
  name: SecretFieldName,
  reveal: boolean,
  secrets: ConnectionSecrets,
): unknown => fromText(declarationOf(name), secrets.present(row, name, reveal));

/** The input fields a partial document changes in a stored one (GraphQL names). */
export function changedFields(before: ConnectionDocument, change: Partial<ConnectionDocument>): string[] {
  return INPUT_FIELDS.filter(([name]) => {
    const key = name as keyof ConnectionDocument;
    return change[key] !== undefined && JSON.stringify(before[key]) !== JSON.stringify(change[key]);
  }).map(([name]) => name);
}

/** Fields by their REST names, as the audit trail names them. */
export const restNames = (names: string[]) => names.map((name) => REST_NAME_OF.get(name) ?? name);

/** The document a row stores, secrets opened: what an update starts from, and what connects. */
export function storedDocument(row: ConnectionRow, secrets: ConnectionSecrets): ConnectionDocument {
  const document: Record<string, unknown> = {};
  for (const [name, field] of INPUT_FIELDS) {
    document[name] = field.secret
      ? openSecret(row, name as SecretFieldName, secrets)
      : fromText(field, (row as unknown as Record<string, string | null>)[name] as string);
  }
  return document as ConnectionDocument;
}

export const rowMetadata = (row: ConnectionRow): Record<string, unknown> => JSON.parse(row.metadata);
export const rowSchemas = (row: ConnectionRow): string[] => JSON.parse(row.schemas);
export const rowDialect = (row: ConnectionRow): Dialect => dialectNamed(row.dialect as DialectName);

export function prismaCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

export interface WriteContext {
  id?: string;
  alias?: string;
  /** The version a conditional write required (If-Match, expectedVersion). */
  expectedVersion?: number | null;
  /** The row's version and whether it is managed, or null when there is no such row. */
  current?: (id: string) => Promise<{ version: number; managed: boolean } | null>;
}

/**
 * Runs a write and turns the store's refusals into errors the caller can act on: the unique index
 * on alias_key (the only unique index besides the random primary key) into an alias conflict; no
 * row to write (Prisma's P2025, or a statement that answers none) into a managed connection, a
 * version mismatch when the row is there at another version, else not found. Anything else stays
 * unexpected.
 */
export async function checkedWrite<T>(write: () => Promise<T | null>, context: WriteContext): Promise<T> {
  let written: T | null;
  try {
    written = await write();
  } catch (error) {
    if (isUniqueViolation(error) && context.alias !== undefined) throw new AliasConflictError(context.alias);
    if (prismaCode(error) !== 'P2025' || context.id === undefined) throw error;
    written = null;
  }
  if (written !== null) return written;
  if (context.id === undefined) throw new Error('A write found no row, and names none.');
  throw await whyNoRow(context.id, context);
}

/** Why a conditional write found no row to write. */
async function whyNoRow(id: string, { expectedVersion, current }: WriteContext): Promise<Error> {
  const state = await current?.(id);
  if (state?.managed) return new ManagedConnectionError(id);
  if (expectedVersion != null && state) return new VersionMismatchError(id, expectedVersion, state.version);
  return new NotFoundError(id);
}
