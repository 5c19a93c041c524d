/** Secrets as output shows them: masked, or revealed to a caller allowed to, each reveal logged and recorded. */
import { type ConnectionDocument, INPUT_FIELDS, type SecretFieldName } from '../../connections/fields/fields.ts';
import { maskDocument } from '../../connections/rules/masks.ts';
import { presentSecret, restNames, storedDocument } from '../../connections/stored/records.ts';
import { revealReferences } from '../../connections/stored/references.ts';
import type { ConnectionRow } from '../../db/tables/connections.ts';
import type { Caller } from './dependencies.ts';
import { auditOf, type ConnectionsKit, requireScope } from './kit.ts';

const SECRET_FIELD_NAMES = INPUT_FIELDS.filter(([, field]) => field.secret).map(([name]) => name);

/** A secret in plaintext, the reveal logged and recorded in the audit trail. */
async function revealed(
  kit: ConnectionsKit,
  caller: Caller,
  row: ConnectionRow,
  field: SecretFieldName,
  value: unknown,
) {
  (caller.logger ?? kit.logger).info({ apiKey: caller.principal.name, connectionId: row.id }, `${field} revealed`);
  const { alias, workspace } = row;
  const fields = restNames([field]);
  await kit.changes.audit(auditOf(caller, { action: 'reveal', connectionId: row.id, alias, workspace, fields }));
  // Revealed, a reference shows what it stands for; one that cannot be read, as it is written.
  return revealReferences(row, field, value, kit.referencesFor);
}

/** Every connection's document the caller sees, oldest first: secrets masked, or revealed (each reveal recorded). */
async function exportAll(kit: ConnectionsKit, caller: Caller, reveal: boolean): Promise<ConnectionDocument[]> {
  const { access } = caller.principal;
  const rows = (await kit.store.all()).filter((row) => access.sees(row.workspace));
  if (reveal) {
    for (const row of rows) requireScope(caller, 'connections:reveal', row.workspace);
    const fields = restNames(SECRET_FIELD_NAMES);
    await kit.changes.audit(
      ...rows.map(({ id, alias, workspace }) =>
        auditOf(caller, { action: 'reveal', connectionId: id, alias, workspace, fields }),
      ),
    );
  }
  return rows.map((row) => {
    const document = storedDocument(row, kit.secrets);
    return reveal ? document : maskDocument(document);
  });
}

export function secretsShown(kit: ConnectionsKit) {
  // The reveals of each request (a caller is made per request), by connection, version and field.
  const reveals = new WeakMap<Caller, Map<string, Promise<unknown>>>();
  const revealsOf = (caller: Caller) => {
    const shown = reveals.get(caller) ?? new Map<string, Promise<unknown>>();
    reveals.set(caller, shown);
    return shown;
  };
  return {
    /**
     * A secret field as output shows it: masked, or (`reveal`) in plaintext, which the audit trail
     * records. Masked (or absent), the value itself, not a promise of it: GraphQL then completes the
     * field synchronously, as it does for the other fields of the row.
     */
    present(caller: Caller, row: ConnectionRow, field: SecretFieldName, reveal: boolean): unknown {
      if (reveal) requireScope(caller, 'connections:reveal', row.workspace);
      const value = presentSecret(row, field, reveal, kit.secrets);
      // Nothing to reveal in settings that are not there.
      if (!reveal || value === null) return value;
      // Shown twice in one request (the URI, and the parameters read from it): revealed, and recorded, once.
      const shown = revealsOf(caller);
      const key = `${row.id}:${row.version}:${field}`;
      const plaintext = shown.get(key) ?? revealed(kit, caller, row, field, value);
      shown.set(key, plaintext);
      return plaintext;
    },

    /** Every connection's document, oldest first: secrets masked, or revealed (each reveal recorded). */
    export: (caller: Caller, { reveal }: { reveal: boolean }) => exportAll(kit, caller, reveal),
  };
}
