/**
 * `npm run import -- <file>`: creates, or updates by alias, each connection of a file in the
 * provisioning format, through the connections service, so by the API's rules (a masked secret
 * keeps the stored one, a managed connection is refused), with their audit events and change
 * events; a connection already as the file says is left as it is. Imported connections are not
 * managed. Prints each row's outcome (created, updated, unchanged, refused); exits 1 when any was refused.
 */
import { toolPrincipal } from '../auth/api-keys.ts';
import type { Caller } from '../commands/connections/service.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { ProvisioningFileError, readProvisioningFile } from '../provisioning/file.ts';
import { DOCUMENT_SHAPE, inputFromBody, restFieldPath } from '../rest/connection-form.ts';
import { openConnections } from '../wiring.ts';

const file = process.argv[2];
if (!file) {
  console.error('usage: npm run import -- <file>');
  process.exit(2);
}
const caller: Caller = { principal: toolPrincipal('import') };
const config = loadConfig();
const { connections, close } = await openConnections(config, createLogger('warn'), {
  maskSecrets: true,
  listen: false,
});

/** What the service refused, in REST names: `code: message`, or the fields at fault. */
function refusal(error: unknown): string {
  if (!(error instanceof Error && 'code' in error)) throw error;
  const fields = 'fieldErrors' in error ? (error.fieldErrors as { field: string; message: string }[]) : [];
  const detail = fields.map((problem) => `${restFieldPath(problem.field)} ${problem.message}`).join('; ');
  return `${error.code}${detail ? ` (${detail})` : `: ${error.message}`}`;
}

let refused = 0;
try {
  const { entries, problems } = readProvisioningFile(file);
  if (problems.length > 0) throw new ProvisioningFileError(file, problems);
  for (const entry of entries) {
    const alias = String(entry.body.alias ?? `connections[${entry.index}]`);
    const report = (outcome: string, detail = '') => console.log(`${outcome.padEnd(9)} ${alias}${detail}`);
    const converted = inputFromBody(entry.body, DOCUMENT_SHAPE);
    if ('problems' in converted) {
      refused++;
      report('refused', `: ${converted.problems.map((p) => `${p.field} ${p.message}`).join('; ')}`);
      continue;
    }
    try {
      report((await connections.save(caller, converted.input)).outcome);
    } catch (error) {
      refused++;
      report('refused', `: ${refusal(error)}`);
    }
  }
} catch (error) {
  console.error(error instanceof ProvisioningFileError ? error.message : `Import failed: ${(error as Error).message}`);
  refused++;
} finally {
  await close();
}
process.exitCode = refused > 0 ? 1 : 0;
