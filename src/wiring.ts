/**
 * Opens the store and builds the connections service on it, as the service and the command-line
 * tools need them: migrations applied, the keys loaded and checked against what is stored, the
 * readers of secret references, the connection tests, and the change events.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { type ManagedApiKeys, managedApiKeys } from './commands/api-keys.ts';
import { type AuditTrail, auditTrail } from './commands/audit-trail.ts';
import type { ConnectionsDependencies } from './commands/connections/dependencies.ts';
import { type Provisioning, provisioning } from './commands/connections/provisioning.ts';
import type { ReadCacheSettings } from './commands/connections/read-cache.ts';
import { type ConnectionsService, createConnectionsService } from './commands/connections/service.ts';
import { type IdempotencyRecords, idempotencyRecords } from './commands/idempotency-records.ts';
import { recordedChanges } from './commands/recorded-changes.ts';
import { schemaChangeCounts } from './commands/schema-change-counts.ts';
import { workspaces } from './commands/workspaces.ts';
import { type Config, ConfigError, SETTING_NAMES } from './config.ts';
import { createConnectivity } from './connectivity/connectivity.ts';
import { createPrismaClient, type Prisma } from './db/client.ts';
import { applyMigrations } from './db/migrations.ts';
import { type Store, storeFromUrl } from './db/store.ts';
import { type ConnectionEvents, createConnectionEvents } from './events/connection-events.ts';
import type { Logger } from './logger.ts';
import { connectionSecrets } from './secrets/connection-secrets.ts';
import { checkKeyringAgainstStore, type Keyring, loadKeyring } from './secrets/keyring.ts';
import { secretReferences } from './secrets/references.ts';

/** The store and the application layer's commands on it: one door for each table. */
export interface OpenConnections {
  store: Store;
  /** For the readiness check and Pothos' Prisma plugin only: every table is read and written through a command. */
  prisma: Prisma;
  keyring: Keyring;
  connections: ConnectionsService;
  /** The provisioning file's entries made so. */
  provisioning: Provisioning;
  /** API keys made through the API. */
  apiKeys: ManagedApiKeys;
  auditTrail: AuditTrail;
  /** The Idempotency-Key records of REST requests. */
  idempotencyRecords: IdempotencyRecords;
  events: ConnectionEvents;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Whether output shows secrets masked (the service: MASK_SECRETS; the tools: always). */
  maskSecrets: boolean;
  /** Hear the changes of other processes (the service); a tool only announces its own. */
  listen: boolean;
}

/** The folder of the SQLite database holds the encryption key, which no reference may read. */
function checkSecretFilesDir(config: Config, store: Store): void {
  const folder = config.SECRET_FILES_DIR;
  if (folder && store.provider === 'sqlite' && resolve(folder) === dirname(store.file)) {
    throw new ConfigError(
      'SECRET_FILES_DIR must not be the folder of the SQLite database: it holds the encryption key, which ' +
        'no reference may read. Mount secrets in a folder of their own.',
    );
  }
}

/** The folder of file databases must be a folder, and hold neither the SQLite store nor its key. */
function checkFileDatabasesDir(config: Config, store: Store): void {
  const folder = config.FILE_DATABASES_DIR;
  if (folder === undefined) return;
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new ConfigError(`FILE_DATABASES_DIR must name an existing folder (${folder} is none)`);
  }
  const root = `${realpathSync(folder)}${sep}`;
  if (store.provider === 'sqlite' && `${realpathSync(dirname(store.file))}${sep}`.startsWith(root)) {
    throw new ConfigError(
      "FILE_DATABASES_DIR must not hold the service's own SQLite database, nor its encryption key: give file " +
        'databases a folder of their own.',
    );
  }
}

/** The bounds of the read caches (the rows' and the GraphQL responses'), from the settings. */
export const readCacheSettings = (config: Config): ReadCacheSettings => ({
  maxEntries: config.READ_CACHE_ENTRIES,
  maxBytes: config.READ_CACHE_MB * 1_048_576,
  ttlMs: config.READ_CACHE_TTL_S * 1_000,
});

export async function openConnections(config: Config, logger: Logger, options: OpenOptions): Promise<OpenConnections> {
  const store = storeFromUrl(config.DATABASE_URL);
  const applied = await applyMigrations(store, logger);
  logger.info({ store: store.provider, applied: applied.length }, 'database migrations are up to date');
  checkSecretFilesDir(config, store);
  checkFileDatabasesDir(config, store);
  const keyring = loadKeyring(config, store, logger);
  const prisma = await createPrismaClient(store, config);
  const events = createConnectionEvents(store, prisma, logger, { listen: options.listen });
  const changes = recordedChanges(prisma, events, store.provider);
  const apiKeys = managedApiKeys(prisma, changes, logger);
  const counts = schemaChangeCounts();
  const dependencies: ConnectionsDependencies = {
    prisma,
    changes,
    provider: store.provider,
    secrets: connectionSecrets(keyring, options.maskSecrets),
    references: secretReferences({ ...config, protectedVariables: SETTING_NAMES, env: process.env }),
    policy: { allowFileDatabases: config.ALLOW_FILE_DATABASES, fileDatabasesDir: config.FILE_DATABASES_DIR },
    connectivity: createConnectivity(config),
    events,
    logger,
    workspaces: workspaces(prisma, apiKeys, changes, store.provider, counts),
    readCache: readCacheSettings(config),
    schemaSnapshotsKept: config.SCHEMA_SNAPSHOTS_KEPT,
    schemaScanIntervalMs: config.SCHEMA_SCAN_INTERVAL_S * 1_000,
    schemaChangeCounts: counts,
  };
  const connections = createConnectionsService(dependencies);
  const close = async () => {
    await events.close();
    await prisma.$disconnect();
  };
  try {
    await prisma.$connect();
    checkKeyringAgainstStore(await connections.rowsOfEachKey(), keyring);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    store,
    prisma,
    keyring,
    connections,
    provisioning: provisioning(dependencies),
    apiKeys,
    auditTrail: auditTrail(prisma),
    idempotencyRecords: idempotencyRecords(prisma, keyring),
    events,
    close,
  };
}
