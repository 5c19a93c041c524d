/** Starting and stopping the whole service: migrations, database, HTTP server. */
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { retentionCutoff } from './audit/events.ts';
import { type Config, ConfigError } from './config.ts';
import { createConnectivity } from './connectivity/connectivity.ts';
import { createPrismaClient, type Prisma } from './db/client.ts';
import { applyMigrations } from './db/migrations.ts';
import { storeFromUrl } from './db/store.ts';
import { createConnectionEvents } from './events/connection-events.ts';
import { startHealthChecks } from './health/checker.ts';
import { createApp } from './http/server.ts';
import type { Logger } from './logger.ts';
import { applyProvisioning, countsOf } from './provisioning/apply.ts';
import { readProvisioningFile } from './provisioning/file.ts';
import { connectionSecrets } from './secrets/connection-secrets.ts';
import { checkKeyringAgainstStore, loadKeyring } from './secrets/keyring.ts';
import { secretReferences } from './secrets/references.ts';

export interface RunningService {
  url: string;
  stop(): Promise<void>;
}

/**
 * One row for each key the stored ciphertexts name (`v1.<16-hex key id>.…`), so
 * that start-up does not read every row of a large table.
 */
async function oneRowPerKey(prisma: Prisma) {
  const sample = await prisma.$queryRawUnsafe<{ id: string }[]>(
    'SELECT MIN(id) AS id FROM database_connections GROUP BY substr(connection_uri_encrypted, 1, 19)',
  );
  return prisma.databaseConnection.findMany({
    where: { id: { in: sample.map((row) => row.id) } },
    select: { id: true, connectionUriEncrypted: true },
  });
}

export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  const store = storeFromUrl(config.databaseUrl);
  const applied = await applyMigrations(store, logger);
  logger.info({ store: store.provider, applied: applied.length }, 'database migrations are up to date');

  const keyring = loadKeyring(config, store, logger);
  const prisma = createPrismaClient(store, config.databasePool);
  await prisma.$connect();
  try {
    checkKeyringAgainstStore(await oneRowPerKey(prisma), keyring);
  } catch (error) {
    await prisma.$disconnect();
    throw error;
  }
  const secrets = connectionSecrets(keyring, config.maskSecrets);
  const policy = { allowFileDatabases: config.allowFileDatabases };
  const connectivity = createConnectivity(config.connectivity);
  const references = secretReferences({ ...config.secretReferences, env: process.env });
  const { filesDir } = config.secretReferences;
  if (filesDir && store.provider === 'sqlite' && resolve(filesDir) === dirname(store.file)) {
    await prisma.$disconnect();
    throw new ConfigError(
      'SECRET_FILES_DIR must not be the folder of the SQLite database: it holds the encryption key, which ' +
        'no reference may read. Mount secrets in a folder of their own.',
    );
  }
  const { file, prune } = config.provisioning;
  if (file) {
    try {
      const context = { prisma, secrets, references, policy, provider: store.provider };
      const report = await applyProvisioning(readProvisioningFile(file), context, prune);
      logger.info({ file, ...countsOf(report) }, 'provisioning file applied');
    } catch (error) {
      await prisma.$disconnect();
      throw error;
    }
  }
  // The audit trail keeps AUDIT_RETENTION_DAYS: pruned now, then every hour.
  const pruneAuditTrail = () =>
    prisma.auditEvent
      .deleteMany({ where: { at: { lt: retentionCutoff(config.auditRetentionDays) } } })
      .catch((error: unknown) => logger.error({ err: error }, 'pruning the audit trail failed'));
  await pruneAuditTrail();
  const pruning = setInterval(pruneAuditTrail, 3_600_000);
  pruning.unref();
  const events = createConnectionEvents(store, logger);
  const app = createApp({ prisma, logger, secrets, references, policy, connectivity, events }, store, config);
  const healthChecks =
    config.healthCheckIntervalS > 0
      ? startHealthChecks(
          {
            intervalMs: config.healthCheckIntervalS * 1_000,
            concurrency: config.connectivity.maxConcurrentPerKey,
            timeoutMs: config.connectivity.timeoutMs,
          },
          { prisma, secrets, references, connectivity, events, logger },
        )
      : undefined;
  await app.listen({ port: config.port, host: config.host });
  const { port } = app.server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  return {
    url: `http://${host}:${port}`,
    async stop() {
      // Fastify stops accepting connections and lets requests in flight finish; past the
      // timeout, their connections are closed.
      const deadline = setTimeout(() => app.server.closeAllConnections(), config.shutdownTimeoutMs);
      deadline.unref();
      await app.close();
      clearTimeout(deadline);
      clearInterval(pruning);
      await healthChecks?.stop();
      await events.close();
      await prisma.$disconnect();
    },
  };
}
