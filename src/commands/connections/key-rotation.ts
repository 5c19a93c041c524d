/**
 * Re-encrypts every stored secret field under the current key, in batches. Each row is rewritten
 * only if it still holds the ciphertexts that were read, so a concurrent update is never
 * overwritten; stopping and running again is safe. Rows already under the current key are left as
 * they are; masked copies do not depend on the key and stay.
 */

import { SECRET_FIELDS } from '../../connections/fields/fields.ts';
import type { ConnectionStore } from '../../db/tables/connections.ts';
import { quietChange } from '../../events/connection-events.ts';
import { encryptedColumn } from '../../secrets/connection-secrets.ts';
import type { Caller, ConnectionsDependencies } from './dependencies.ts';

const BATCH = 100;

export async function rotateKeys(
  { changes, secrets }: Pick<ConnectionsDependencies, 'changes' | 'secrets'>,
  store: ConnectionStore,
  caller: Caller,
  batchSize = BATCH,
): Promise<number> {
  const fields = SECRET_FIELDS.map(([name]) => name);
  const columns = fields.map(encryptedColumn);
  const underOlderKey = (row: Record<string, unknown>) => Object.fromEntries(columns.map((c) => [c, row[c]]));
  let rotated = 0;
  let after = '';
  for (;;) {
    const rows = await store.notUnderKey(`v1.${secrets.keyring.current.id}.`, columns, after, batchSize);
    if (rows.length === 0) break;
    for (const row of rows) {
      // Read caches hold ciphertexts: they forget this one.
      const { count } = await changes.unaudited(
        store.updateIf(
          { id: row.id, ...underOlderKey(row) },
          Object.fromEntries(fields.map((field) => [encryptedColumn(field), secrets.reencrypt(row, field)])),
        ),
        quietChange(row.id),
      );
      rotated += count;
    }
    after = rows[rows.length - 1]?.id ?? after;
  }
  // The audit trail says a rotation ran, and how many connections it re-encrypted.
  await changes.audit({
    actor: caller.principal.name,
    actorId: caller.principal.id,
    action: 'rotate_keys',
    requestId: caller.requestId,
    outcome: `ok: ${rotated} re-encrypted`,
  });
  return rotated;
}
