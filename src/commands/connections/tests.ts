/** Connection tests and schema discovery: of a saved connection, or of one not saved yet (a draft). */
import { principalKey } from '../../auth/api-keys.ts';
import { parseFullDocument } from '../../connections/rules/input.ts';
import { refuseMasks } from '../../connections/rules/masks.ts';
import { checkConnection, routeOf } from '../../connections/rules/transport.ts';
import { rowDialect, rowSchemas } from '../../connections/stored/records.ts';
import { resolveReferences, storedRoute, testStoredConnection } from '../../connections/stored/references.ts';
import type { TestResult } from '../../connectivity/connectivity.ts';
import type { SchemaInfo } from '../../connectivity/drivers/driver.ts';
import type { ConnectionRow } from '../../db/tables/connections.ts';
import type { Caller } from './dependencies.ts';
import { auditOf, type ConnectionsKit, findFor, renamedProblems, requireScope, uriAsWritten } from './kit.ts';

/** Runs `check`, its ValidationError's fields named as the caller names them (`uri` for connectionUri). */
async function renamingFields<T>(fieldName: (name: string) => string, check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    throw renamedProblems(error, fieldName);
  }
}

/** A draft checked by the rules of a saved connection, its references read as its workspace may read them. */
async function checkedDraft(kit: ConnectionsKit, caller: Caller, input: Record<string, unknown>) {
  const document = parseFullDocument({ alias: 'test', ...input });
  refuseMasks(document);
  // Its references are read as its workspace may read them, and only for a writer there.
  const writes = caller.principal.access.allows('connections:write', document.workspace);
  const resolved = resolveReferences(document, await kit.referencesFor(writes ? document.workspace : null, document));
  return { resolved, dialect: checkConnection(resolved, kit.policy) };
}

export function connectionTests(kit: ConnectionsKit) {
  const { connectivity, secrets, referencesFor } = kit;
  return {
    /** Connects to a saved connection; a failure to connect is a result, recorded in the audit trail. */
    async test(caller: Caller, id: string): Promise<TestResult> {
      const row = await findFor(kit, caller, id, 'connections:read');
      const limit = principalKey(caller.principal);
      const result = await testStoredConnection(connectivity, row, { secrets, referencesFor }, limit);
      const { alias, workspace } = row;
      const outcome = result.error?.code ?? 'ok';
      await kit.changes.audit(auditOf(caller, { action: 'test', connectionId: row.id, alias, workspace, outcome }));
      return result;
    },

    /**
     * Tests a connection before it is saved: its URI, schemas, SSH and TLS settings, checked by the
     * rules of a saved one. `fieldName`: the name the caller gave a field, where it is not its own.
     */
    async testDraft(caller: Caller, input: Record<string, unknown>, fieldName = (name: string) => name) {
      const { resolved, dialect } = await renamingFields(
        (name) => fieldName(uriAsWritten(input)(name)),
        () => checkedDraft(kit, caller, input),
      );
      const limit = principalKey(caller.principal);
      const result = await connectivity.test(routeOf(resolved), dialect, resolved.schemas, limit);
      // A connection not saved: no connection, nor workspace, to name (a writer of any workspace may test a draft
      // without references).
      await kit.changes.audit(auditOf(caller, { action: 'test', outcome: result.error?.code ?? 'ok' }));
      return result;
    },

    /**
     * The database's schemas, tables and columns (limited to the connection's schemas when it has
     * any); `fresh`: read now, not from the brief cache of discoveries.
     */
    async discover(caller: Caller, row: ConnectionRow, { fresh = false } = {}): Promise<SchemaInfo[]> {
      requireScope(caller, 'connections:read', row.workspace);
      return connectivity.introspect(
        `${row.id}:${row.version}`,
        await storedRoute(row, { secrets, referencesFor }, 'discovery'),
        rowDialect(row),
        rowSchemas(row),
        principalKey(caller.principal),
        fresh,
      );
    },
  };
}
