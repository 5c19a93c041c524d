/** What the connections service works with, and who asks it. */
import type { Connectivity } from '../../connectivity/connectivity.ts';
import type { Prisma } from '../../db/client.ts';
import type { Store } from '../../db/store.ts';
import type { DialectPolicy } from '../../dialects/rules.ts';
import type { ConnectionEvents } from '../../events/connection-events.ts';
import type { Logger } from '../../logger.ts';
import type { ConnectionSecrets } from '../../secrets/connection-secrets.ts';
import type { SecretReferences } from '../../secrets/references.ts';
import type { RecordedChanges } from '../recorded-changes.ts';
import type { SchemaChangeCounter } from '../schema-change-counts.ts';
import type { Workspaces } from '../workspaces.ts';
import type { ReadCacheSettings } from './read-cache.ts';

export interface ConnectionsDependencies {
  /** For reads of the connections table (through its store module). */
  prisma: Prisma;
  /** Every write goes through it: the row, its audit event and its change event in one transaction. */
  changes: RecordedChanges;
  provider: Store['provider'];
  secrets: ConnectionSecrets;
  /** Reads the secrets that `${env:…}` and `${file:…}` references name. */
  references: SecretReferences;
  policy: DialectPolicy;
  connectivity: Connectivity;
  events: ConnectionEvents;
  logger: Logger;
  /** The workspaces connections belong to. */
  workspaces: Workspaces;
  /** The bounds of the read cache (which holds nothing where the changes of other processes are not heard, as in the tools). */
  readCache: ReadCacheSettings;
  /** How many snapshots of its catalog each connection keeps (SCHEMA_SNAPSHOTS_KEPT). */
  schemaSnapshotsKept: number;
  /** How often a connection's catalog is scanned with its scheduled health check (SCHEMA_SCAN_INTERVAL_S); 0: never. */
  schemaScanIntervalMs: number;
  /** This instance's counts of the schema changes its scans found (/metrics), which a workspace's rename moves too. */
  schemaChangeCounts: SchemaChangeCounter;
}

export type { Caller } from '../../auth/api-keys.ts';
