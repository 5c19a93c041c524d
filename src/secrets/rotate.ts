/**
 * Re-encrypts every stored secret field under the current key, in batches.
 * Each row is rewritten only if it still holds the ciphertexts that were read,
 * so a concurrent update is never overwritten; stopping and running again is
 * safe. Rows already under the current key are left as they are; masked copies
 * do not depend on the key and stay.
 */
import { recordAuditEvent } from '../audit/events.ts';
import type { Prisma } from '../db/client.ts';
import { type ConnectionSecrets, encryptedColumn } from './connection-secrets.ts';

/** `fields`: the connection's secret fields, each kept in its `<field>Encrypted` column. */
export async function rotateKeys(
  prisma: Prisma,
  secrets: ConnectionSecrets,
  fields: string[],
  batchSize = 100,
): Promise<number> {
  const currentPrefix = `v1.${secrets.keyring.current.id}.`;
  const columns = fields.map(encryptedColumn);
  const select = Object.fromEntries([['id', true], ...columns.map((column) => [column, true])]);
  let rotated = 0;
  let after = '';
  for (;;) {
    const rows = (await prisma.databaseConnection.findMany({
      where: {
        id: { gt: after },
        // A null column (no such settings) matches no NOT … LIKE: only ciphertexts under older keys do.
        OR: columns.map((column) => ({ [column]: { not: { startsWith: currentPrefix } } })),
      },
      select,
      orderBy: { id: 'asc' },
      take: batchSize,
    })) as unknown as ({ id: string } & Record<string, string | null>)[];
    if (rows.length === 0) {
      // The audit trail says a rotation ran, and how many connections it re-encrypted.
      await recordAuditEvent(prisma, {
        actor: 'rotate-keys',
        action: 'rotate_keys',
        outcome: `ok: ${rotated} re-encrypted`,
      });
      return rotated;
    }
    for (const row of rows) {
      const { count } = await prisma.databaseConnection.updateMany({
        where: { id: row.id, ...Object.fromEntries(columns.map((column) => [column, row[column]])) },
        data: Object.fromEntries(fields.map((field) => [encryptedColumn(field), secrets.reencrypt(row, field)])),
      });
      rotated += count;
    }
    after = rows[rows.length - 1]?.id ?? after;
  }
}
