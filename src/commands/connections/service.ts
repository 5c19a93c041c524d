/**
 * The connections service: the one door through which connections are read, created, changed,
 * deleted, tested, discovered and revealed, whoever asks (GraphQL and so REST, the provisioning
 * file, the command-line tools, the health checks). Its commands are grouped by what they do
 * (reads.ts, writes.ts, tests.ts, secrets-shown.ts), over what they share (kit.ts); each call is
 * checked against the caller's grants, and each write goes to the table through its store module
 * with its audit event and change event in one transaction.
 */
import type { Caller, ConnectionsDependencies } from './dependencies.ts';
import { startHealthRecords } from './health-records.ts';
import { rotateKeys } from './key-rotation.ts';
import { connectionsKit } from './kit.ts';
import { connectionReads } from './reads.ts';
import { schemaScans } from './schema-scans.ts';
import { secretsShown } from './secrets-shown.ts';
import { connectionTests } from './tests.ts';
import { connectionWrites } from './writes.ts';

export type { Page, PageOptions } from './reads.ts';
export type { SaveOutcome, WriteOptions } from './writes.ts';
export type { Caller };

export function createConnectionsService(dependencies: ConnectionsDependencies) {
  const kit = connectionsKit(dependencies);
  const tests = connectionTests(kit);
  const schemaHistory = schemaScans(kit, tests.discover);
  return {
    ...connectionReads(kit),
    ...connectionWrites(kit),
    ...tests,
    ...secretsShown(kit),
    health: startHealthRecords(kit, kit.store, schemaHistory.scanIfDue),
    /** Scans of the connections' catalogs, their snapshots and changes. */
    schemaHistory,
    /** Re-encrypts every stored secret under the current key; answers how many connections it rewrote. */
    rotateKeys: (caller: Caller) => rotateKeys(kit, kit.store, caller),
    workspaces: kit.workspaces,
  };
}

export type ConnectionsService = ReturnType<typeof createConnectionsService>;
