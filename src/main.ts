/** `npm start`: runs the service until SIGINT or SIGTERM. */
import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig } from './config.ts';
import { MigrationStateError } from './db/migrations.ts';
import { UnsupportedDatabaseUrlError } from './db/store.ts';
import { createLogger } from './logger.ts';
import { ProvisioningFileError } from './provisioning/file.ts';
import { startService } from './service.ts';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  console.error(`Cannot start: ${(error as Error).message}`);
  process.exit(1);
}
const logger = createLogger(config.logLevel);

try {
  const service = await startService(config, logger);
  logger.info({ graphiql: `${service.url}/graphql`, rest: `${service.url}/api/v1/database-connections` }, 'listening');
  console.log(
    `GraphiQL:  ${service.url}/graphql\n` +
      `REST API:  ${service.url}/api/v1/database-connections\n` +
      `API docs:  ${service.url}/api/v1/docs`,
  );

  // SIGINT, SIGTERM, or an error nothing caught: stop accepting, let requests in flight finish
  // (up to SHUTDOWN_TIMEOUT_MS), close the database, exit (0 when all went well). A second signal
  // exits at once.
  closeWithGrace({ delay: config.shutdownTimeoutMs + 5_000, logger: false }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'stopping after an unexpected error');
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    await service.stop();
    logger.info('stopped');
  });
} catch (error) {
  if (
    error instanceof MigrationStateError ||
    error instanceof UnsupportedDatabaseUrlError ||
    error instanceof ConfigError ||
    error instanceof ProvisioningFileError
  ) {
    logger.fatal(`Cannot start: ${error.message}`);
  } else {
    logger.fatal({ err: error }, 'Cannot start');
  }
  process.exit(1);
}
