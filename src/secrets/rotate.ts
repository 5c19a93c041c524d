/**
 * Re-encrypts every stored connection URI under the current key, in batches.
 * Each row is rewritten only if it still holds the ciphertext that was read, so
 * a concurrent update is never overwritten; stopping and running again is safe.
 * Rows it re-encrypts get their masked copy made anew too; rows already under
 * the current key are left as they are.
 */
import type { Prisma } from '../db/client.ts';
import type { ConnectionSecrets } from './connection-secrets.ts';

export async function rotateKeys(prisma: Prisma, secrets: ConnectionSecrets, batchSize = 100): Promise<number> {
  const currentPrefix = `v1.${secrets.keyring.current.id}.`;
  let rotated = 0;
  let after = '';
  for (;;) {
    const rows = await prisma.databaseConnection.findMany({
      where: { id: { gt: after }, NOT: { connectionUriEncrypted: { startsWith: currentPrefix } } },
      select: { id: true, connectionUriEncrypted: true, connectionUriMasked: true },
      orderBy: { id: 'asc' },
      take: batchSize,
    });
    if (rows.length === 0) return rotated;
    for (const row of rows) {
      const { count } = await prisma.databaseConnection.updateMany({
        where: { id: row.id, connectionUriEncrypted: row.connectionUriEncrypted },
        data: secrets.seal(row.id, secrets.open(row)),
      });
      rotated += count;
    }
    after = rows[rows.length - 1]?.id ?? after;
  }
}
