/**
 * Writes each provider's Prisma schema from prisma/model.prisma, then runs
 * `prisma generate` for both. Runs at `npm install` (postinstall). Each client then reads its query
 * compiler from a file rather than from base64 held in JavaScript (src/db/query-compiler-file.ts).
 *
 * `--check` writes nothing and exits 1 when a committed schema differs from
 * what this script would write.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderProviderSchemas } from '../db/prisma-schemas.ts';
import { base64ModuleOf, loadingFromFile, queryCompilerFile } from '../db/query-compiler-file.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const check = process.argv.includes('--check');

const model = readFileSync(`${root}prisma/model.prisma`, 'utf8');
let stale = false;
for (const { path, text } of renderProviderSchemas(model)) {
  const current = readFileSync(`${root}${path}`, { encoding: 'utf8', flag: 'a+' });
  if (current === text) continue;
  stale = true;
  if (check) console.error(`${path} differs from prisma/model.prisma; run npm run generate`);
  else writeFileSync(`${root}${path}`, text);
}
if (check) process.exit(stale ? 1 : 0);

// `prisma generate` needs no schema engine, but the CLI looks for one before it
// starts and would try to download it. Any existing file satisfies the check, so
// point it at the node binary when nothing else is configured.
// The Pothos generator is a bin of node_modules, which Prisma runs through PATH.
const env = {
  ...process.env,
  PATH: `${root}node_modules/.bin${delimiter}${process.env.PATH ?? ''}`,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
};
for (const provider of ['sqlite', 'postgresql']) {
  execFileSync(
    process.execPath,
    [`${root}node_modules/prisma/build/index.js`, 'generate', '--schema', `prisma/${provider}/schema.prisma`],
    {
      cwd: root,
      env,
      stdio: 'inherit',
    },
  );
  const classFile = `${root}src/generated/${provider}/internal/class.ts`;
  const source = readFileSync(classFile, 'utf8');
  const { wasm } = (await import(base64ModuleOf(source))) as { wasm: string };
  writeFileSync(`${root}${queryCompilerFile(provider)}`, Buffer.from(wasm, 'base64'));
  writeFileSync(classFile, loadingFromFile(source, provider));
}
