/**
 * `npm run export [-- --reveal]`: writes every connection to standard output in the format of a
 * provisioning file (YAML), secrets as ****, secret references as written. `--reveal` writes the
 * secrets themselves, and says so on standard error.
 */
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { loadConfig } from '../config.ts';
import { SECRET_FIELDS } from '../connections/fields.ts';
import { storedDocument } from '../connections/records.ts';
import { createLogger } from '../logger.ts';
import { restBodyOf } from '../rest/connection-fields.ts';
import { openStore } from './store-context.ts';

const { values } = parseArgs({ options: { reveal: { type: 'boolean', default: false } } });
const config = loadConfig();
const { prisma, secrets } = await openStore(config, createLogger('warn'));
try {
  const rows = await prisma.databaseConnection.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  const connections = rows.map((row) => {
    const document: Record<string, unknown> = storedDocument(row, secrets);
    if (!values.reveal) {
      for (const [name, field] of SECRET_FIELDS) {
        if (document[name] != null) document[name] = field.value.secrets?.mask(document[name] as never);
      }
    }
    return restBodyOf(document);
  });
  process.stdout.write(stringify({ connections }, { lineWidth: 0 }));
  if (values.reveal) {
    console.error(
      `Exported ${rows.length} connection(s) WITH THEIR SECRETS in plaintext: keep the output as you keep passwords.`,
    );
  } else {
    console.error(
      `Exported ${rows.length} connection(s), secrets as ****: importing them elsewhere needs the secrets.`,
    );
  }
} finally {
  await prisma.$disconnect();
}
