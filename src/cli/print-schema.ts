/** Writes schema.graphql from the code; `--check` only reports whether the file is current. */
import { readFileSync, writeFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { schema } from '../schema/index.ts';

const file = new URL('../../schema.graphql', import.meta.url);
const printed = `${printSchema(schema)}\n`;

if (process.argv.includes('--check')) {
  const current = readFileSync(file, { encoding: 'utf8', flag: 'a+' });
  if (current !== printed) {
    console.error('schema.graphql differs from the schema the code builds; run npm run schema');
    process.exit(1);
  }
} else {
  writeFileSync(file, printed);
}
