/** Between a connection document and its row in the store. */
import { randomUUID } from 'node:crypto';
import { type Dialect, type DialectName, dialectNamed } from '../dialects/registry.ts';
import type { DatabaseConnection } from '../generated/sqlite/client.ts';
import type { ConnectionSecrets } from '../secrets/connection-secrets.ts';
import { AliasConflictError, NotFoundError } from './errors.ts';
import { aliasKey, type ConnectionDocument } from './input.ts';

export type ConnectionRow = DatabaseConnection;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else cannot name a connection, so it is treated as unknown. */
export function isConnectionId(id: string): boolean {
  return UUID.test(id);
}

export function newRow(
  document: ConnectionDocument,
  dialect: DialectName,
  secrets: ConnectionSecrets,
  now = new Date(),
): ConnectionRow {
  const id = randomUUID();
  return {
    id,
    alias: document.alias,
    aliasKey: aliasKey(document.alias),
    ...secrets.seal(id, document.connectionUri),
    dialect,
    schemas: JSON.stringify(document.schemas),
    metadata: JSON.stringify(document.metadata),
    createdAt: now,
    updatedAt: now,
  };
}

/** The columns a partial document changes in the row with this id (`dialect`: that of a new URI). */
export function changedColumns(
  id: string,
  document: Partial<ConnectionDocument>,
  dialect: DialectName | undefined,
  secrets: ConnectionSecrets,
) {
  return {
    ...(document.alias !== undefined && { alias: document.alias, aliasKey: aliasKey(document.alias) }),
    ...(document.connectionUri !== undefined && secrets.seal(id, document.connectionUri)),
    ...(dialect !== undefined && { dialect }),
    ...(document.schemas !== undefined && { schemas: JSON.stringify(document.schemas) }),
    ...(document.metadata !== undefined && { metadata: JSON.stringify(document.metadata) }),
    updatedAt: new Date(),
  };
}

export const rowSchemas = (row: ConnectionRow): string[] => JSON.parse(row.schemas);
export const rowDialect = (row: ConnectionRow): Dialect => dialectNamed(row.dialect as DialectName);
export const rowMetadata = (row: ConnectionRow): Record<string, unknown> => JSON.parse(row.metadata);

function prismaCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

/**
 * Runs a write and turns the store's refusals into errors the client can act on:
 * the unique index on alias_key (P2002: the only unique index besides the
 * random primary key) into an alias conflict, a missing row (P2025) into not
 * found. Anything else stays unexpected.
 */
export async function translateWriteErrors<T>(write: () => Promise<T>, context: { id?: string; alias?: string }) {
  try {
    return await write();
  } catch (error) {
    const code = prismaCode(error);
    if (code === 'P2002' && context.alias !== undefined) throw new AliasConflictError(context.alias);
    if (code === 'P2025' && context.id !== undefined) throw new NotFoundError(context.id);
    throw error;
  }
}
