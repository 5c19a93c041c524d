/**
 * `npm run export [-- --reveal]`: writes every connection to standard output in the format of a
 * provisioning file (YAML), secrets as ****, secret references as written. `--reveal` writes the
 * secrets themselves (each connection's reveal is in the audit trail), and says so on standard error.
 */

import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { toolPrincipal } from '../auth/api-keys.ts';
import { loadConfig } from '../config.ts';
import { restBodyOf } from '../connections/rest-form.ts';
import { createLogger } from '../logger.ts';
import { openConnections } from '../wiring.ts';

const { values } = parseArgs({ options: { reveal: { type: 'boolean', default: false } } });
const config = loadConfig();
const { connections, close } = await openConnections(config, createLogger('warn'), {
  maskSecrets: true,
  listen: false,
});
try {
  const documents = await connections.export({ principal: toolPrincipal('export') }, { reveal: values.reveal });
  process.stdout.write(stringify({ connections: documents.map(restBodyOf) }, { lineWidth: 0 }));
  if (values.reveal) {
    console.error(
      `Exported ${documents.length} connection(s) WITH THEIR SECRETS in plaintext: keep the output as you keep passwords.`,
    );
  } else {
    console.error(
      `Exported ${documents.length} connection(s), secrets as ****: importing them elsewhere needs the secrets.`,
    );
  }
} finally {
  await close();
}
