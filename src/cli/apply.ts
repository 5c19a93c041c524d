/**
 * `npm run apply -- <file>`: applies a provisioning file (by default CONNECTIONS_FILE) as the
 * service does at start, and prints what it created, changed, left alone and would delete
 * (deleted, with CONNECTIONS_FILE_PRUNE=true). Running instances hear of each change.
 */
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { applyProvisioningFile } from '../provisioning/apply.ts';
import { ProvisioningFileError } from '../provisioning/file.ts';
import { openConnections } from '../wiring.ts';

const config = loadConfig();
const logger = createLogger('warn');
const file = process.argv[2] ?? config.CONNECTIONS_FILE;
if (!file) {
  console.error('usage: npm run apply -- <file>   (or set CONNECTIONS_FILE)');
  process.exit(2);
}
const { provisioning, close } = await openConnections(config, logger, { maskSecrets: true, listen: false });
try {
  const report = await applyProvisioningFile(provisioning, file, config.CONNECTIONS_FILE_PRUNE);
  const outcomes: [string, string[]][] = [
    ['created', report.created],
    ['changed', report.changed],
    ['unchanged', report.unchanged],
    ['deleted', report.deleted],
    ['would delete', report.wouldDelete],
  ];
  for (const [outcome, aliases] of outcomes) for (const alias of aliases) console.log(`${outcome.padEnd(12)} ${alias}`);
  for (const name of report.workspacesCreated) console.log(`workspace created: ${name}`);
  for (const name of report.workspacesDeleted) console.log(`workspace deleted: ${name}`);
  console.log(outcomes.map(([outcome, aliases]) => `${aliases.length} ${outcome}`).join(', '));
  if (report.wouldDelete.length > 0) {
    console.log('Connections the file no longer lists are kept; set CONNECTIONS_FILE_PRUNE=true to delete them.');
  }
} catch (error) {
  console.error(error instanceof ProvisioningFileError ? error.message : `Apply failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await close();
}
