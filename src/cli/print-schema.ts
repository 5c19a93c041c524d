/** Writes schema.graphql and the console's schema types from the code; `--check` only reports whether they are current. */
import { readFileSync, writeFileSync } from 'node:fs';
import { schemaFiles } from './schema-files.ts';

const root = new URL('../../', import.meta.url);

for (const { path, text } of schemaFiles()) {
  const file = new URL(path, root);
  if (!process.argv.includes('--check')) writeFileSync(file, text);
  else if (readFileSync(file, { encoding: 'utf8', flag: 'a+' }) !== text) {
    console.error(`${path} differs from the schema the code builds; run npm run schema`);
    process.exitCode = 1;
  }
}
