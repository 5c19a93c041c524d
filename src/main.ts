/** `npm start`: runs the service until SIGINT or SIGTERM. */
import { ConfigError, loadConfig } from './config.ts';
import { MigrationStateError } from './db/migrations.ts';
import { UnsupportedDatabaseUrlError } from './db/store.ts';
import { createLogger } from './logger.ts';
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

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    await service.stop();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  if (
    error instanceof MigrationStateError ||
    error instanceof UnsupportedDatabaseUrlError ||
    error instanceof ConfigError
  ) {
    logger.fatal(`Cannot start: ${error.message}`);
  } else {
    logger.fatal({ err: error }, 'Cannot start');
  }
  process.exit(1);
}
