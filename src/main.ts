/** `npm start`: runs the service until SIGINT or SIGTERM. */
import closeWithGrace from 'close-with-grace';
import { pino } from 'pino';
import { ConfigError, loadConfig } from './config.ts';
import { MigrationStateError } from './db/migrations.ts';
import { UnsupportedDatabaseUrlError } from './db/store.ts';
import { createLogger, LOG_FLUSH_MS } from './logger.ts';
import { logHeapSizing, memoryLimit, releaseStartupMemory, sizeHeap } from './memory.ts';
import { ProvisioningFileError } from './provisioning/file.ts';
import { startService } from './service.ts';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  console.error(`Cannot start: ${(error as Error).message}`);
  process.exit(1);
}
// Before anything else: on a Node.js that can, this starts the process again with its heap sized.
const heapSizing = sizeHeap(memoryLimit(config.MEMORY_LIMIT_MB));
// The log's stream, written asynchronously; the banner below goes through it too, so that it
// follows the start-up lines (a generated key's warning among them) instead of overtaking them.
// Lines are written 4 KB at a time, or every LOG_FLUSH_MS: a write of its own for each request's line
// was 5% of the CPU of a cached read. Whatever is held is written when the process exits.
const stdout = pino.destination({ dest: 1, sync: false, minLength: 4_096, periodicFlush: LOG_FLUSH_MS });
const logger = createLogger(config.LOG_LEVEL, stdout);
logHeapSizing(heapSizing, logger);

try {
  const service = await startService(config, logger);
  logger.info({ graphiql: `${service.url}/graphql`, rest: `${service.url}/api/v1/database-connections` }, 'listening');
  stdout.write(
    (config.console ? `Console:   ${service.url}/\n` : '') +
      `GraphiQL:  ${service.url}/graphql\n` +
      `REST API:  ${service.url}/api/v1/database-connections\n` +
      `API docs:  ${service.url}/api/v1/docs\n`,
  );
  // Told at once: whoever started the service waits for it.
  stdout.flush();
  releaseStartupMemory();

  // SIGINT, SIGTERM, or an error nothing caught: stop accepting, let requests in flight finish
  // (up to SHUTDOWN_TIMEOUT_MS), close the database, exit (0 when all went well). A second signal
  // exits at once.
  closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS + 5_000, logger: false }, async ({ signal, err }) => {
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
