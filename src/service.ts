/** Starting and stopping the whole service: the store and the connections service, the provisioning file, HTTP. */
import type { AddressInfo } from 'node:net';
import { createAuthenticator, oidcSettings } from './auth/authenticator.ts';
import { createSessions } from './auth/sessions.ts';
import type { AuditTrail } from './commands/audit-trail.ts';
import { countsOf } from './commands/connections/provisioning.ts';
import { type Config, ConfigError } from './config.ts';
import { startHealthChecks } from './health/checker.ts';
import { createApp } from './http/server.ts';
import type { Logger } from './logger.ts';
import { applyProvisioningFile } from './provisioning/apply.ts';
import { openConnections, readCacheSettings } from './wiring.ts';

export interface RunningService {
  url: string;
  stop(): Promise<void>;
}

const HOUR_MS = 3_600_000;

/** The audit trail keeps AUDIT_RETENTION_DAYS: pruned now, then every hour; answers the hourly timer. */
async function startAuditPruning(auditTrail: AuditTrail, config: Config, logger: Logger) {
  const pruneAuditTrail = () =>
    auditTrail
      .prune(config.AUDIT_RETENTION_DAYS)
      .catch((error: unknown) => logger.error({ err: error }, 'pruning the audit trail failed'));
  await pruneAuditTrail();
  const pruning = setInterval(pruneAuditTrail, HOUR_MS);
  pruning.unref();
  return pruning;
}

export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  const opened = await openConnections(config, logger, { maskSecrets: config.MASK_SECRETS, listen: true });
  const { store, prisma, connections, provisioning, events, apiKeys, auditTrail, idempotencyRecords } = opened;
  const file = config.CONNECTIONS_FILE;
  if (file) {
    try {
      const report = await applyProvisioningFile(provisioning, file, config.CONNECTIONS_FILE_PRUNE);
      logger.info({ file, ...countsOf(report) }, 'provisioning file applied');
    } catch (error) {
      await opened.close();
      throw error;
    }
  }
  const pruning = await startAuditPruning(auditTrail, config, logger);
  const authenticate = createAuthenticator({ apiKeys: config.apiKeys, oidc: oidcSettings(config) }, apiKeys, logger);
  const sessions = createSessions(apiKeys, logger, config.SUBSCRIPTION_CHECK_MS);
  const app = createApp(
    { pothosPrismaClient: prisma, logger, connections, apiKeys, auditTrail, events, sessions },
    { store, prisma, idempotencyRecords },
    { ...config, authenticate, readCache: readCacheSettings(config) },
  );
  const healthChecks =
    config.HEALTH_CHECK_INTERVAL_S > 0
      ? startHealthChecks(
          {
            intervalMs: config.HEALTH_CHECK_INTERVAL_S * 1_000,
            concurrency: config.CONNECTION_TESTS_MAX_PER_KEY,
            timeoutMs: config.CONNECTION_TEST_TIMEOUT_MS,
          },
          { connections, logger },
        )
      : undefined;
  try {
    await app.listen({ port: config.PORT, host: config.HOST });
  } catch (error) {
    clearInterval(pruning);
    await healthChecks?.stop();
    await app.close();
    await opened.close();
    throw listenProblem(error, config);
  }
  const { port } = app.server.address() as AddressInfo;
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;

  return {
    url: `http://${host}:${port}`,
    async stop() {
      // Open subscriptions complete first; then Fastify stops accepting connections and lets
      // requests in flight finish; past the timeout, their connections are closed.
      sessions.stop();
      const deadline = setTimeout(() => app.server.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS);
      deadline.unref();
      await app.close();
      clearTimeout(deadline);
      clearInterval(pruning);
      await healthChecks?.stop();
      await opened.close();
    },
  };
}

/** Why the service cannot listen where PORT and HOST say, in their words (a ConfigError); anything else as it is. */
function listenProblem(error: unknown, { PORT, HOST }: Config): unknown {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'EADDRINUSE':
      return new ConfigError(
        `port ${PORT} on ${HOST} is in use by another program: stop it, or set PORT to a free port`,
      );
    case 'EACCES':
      return new ConfigError(`port ${PORT} needs privileges this process does not have: set PORT to 1024 or above`);
    case 'EADDRNOTAVAIL':
      return new ConfigError(`HOST=${HOST} is not an address of this machine: set HOST to one of its addresses`);
    default:
      return error;
  }
}
