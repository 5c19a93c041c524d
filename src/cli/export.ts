/**
 * `npm run export [-- --reveal] [-- --output FILE]`: writes every connection in the format of a
 * provisioning file (YAML), secrets as ****, secret references as written, to FILE (created or
 * replaced, readable by its owner only) or else to standard output, which then carries the document alone:
 * logs and the summary go to standard error. `--reveal` writes the secrets themselves (each
 * connection's reveal is in the audit trail), and says so.
 */

import { closeSync, fchmodSync, openSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { toolPrincipal } from '../auth/api-keys.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { restBodyOf } from '../rest/connection-form.ts';
import { openConnections } from '../wiring.ts';

const USAGE = 'usage: npm run export -- [--reveal] [--output FILE]';

/** Writes the file readable by its owner only, an existing one too, before a byte of it is written. */
function writeOwnerOnly(path: string, text: string) {
  const file = openSync(path, 'w', 0o600);
  try {
    fchmodSync(file, 0o600);
    writeFileSync(file, text);
  } finally {
    closeSync(file);
  }
}

let options: { reveal: boolean; output?: string };
try {
  options = parseArgs({
    options: { reveal: { type: 'boolean', default: false }, output: { type: 'string', short: 'o' } },
  }).values;
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
const config = loadConfig();
const { connections, close } = await openConnections(config, createLogger('warn', process.stderr), {
  maskSecrets: true,
  listen: false,
});
try {
  const documents = await connections.export({ principal: toolPrincipal('export') }, { reveal: options.reveal });
  const text = stringify({ connections: documents.map(restBodyOf) }, { lineWidth: 0 });
  if (options.output === undefined) process.stdout.write(text);
  else writeOwnerOnly(options.output, text);
  const where = options.output === undefined ? '' : ` to ${options.output}`;
  console.error(
    options.reveal
      ? `Exported ${documents.length} connection(s)${where} WITH THEIR SECRETS in plaintext: keep the output as you keep passwords.`
      : `Exported ${documents.length} connection(s)${where}, secrets as ****: importing them elsewhere needs the secrets.`,
  );
} catch (error) {
  console.error(`Export failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await close();
}
