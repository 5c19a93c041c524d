/**
 * The OpenAPI document serves the clients people generate from it: types made by
 * openapi-typescript from the live document type-check the README's TypeScript
 * example with openapi-fetch (metadata takes any object; PUT needs no schemas or metadata).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../src/service.ts';
import { createSqliteDatabase, type TestDatabase } from './support/databases.ts';
import { startTestService } from './support/service.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
// Inside the repository (git-ignored), so that the example resolves openapi-fetch from node_modules.
const FOLDER = join(ROOT, 'test/artifacts/client');

/** The ```ts blocks of the REST documentation. */
function typescriptExamples(): string[] {
  const page = readFileSync(join(ROOT, 'docs/rest-api.md'), 'utf8');
  return [...page.matchAll(/```ts\n([\s\S]*?)```/g)].map(([, code = '']) => code);
}

describe('a client generated from the OpenAPI document', () => {
  let database: TestDatabase;
  let service: RunningService;
  beforeAll(async () => {
    database = createSqliteDatabase();
    service = await startTestService(database.url);
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
    rmSync(FOLDER, { recursive: true, force: true });
  });

  it('type-checks the examples of docs/rest-api.md', async () => {
    const document = await (await fetch(`${service.url}/api/v1/openapi.json`)).json();
    const types = astToString(await openapiTS(document));
    // The generated types let metadata hold values, and PUT leave schemas and metadata out.
    expect(types).not.toMatch(/metadata\??: Record<string, never>/);
    const examples = typescriptExamples();
    expect(examples.length).toBeGreaterThan(0);
    mkdirSync(FOLDER, { recursive: true });
    writeFileSync(join(FOLDER, 'api.d.ts'), types);
    const files = examples.map((code, index) => {
      const file = join(FOLDER, `example-${index}.ts`);
      writeFileSync(file, `${code}\nexport {};\n`);
      return file;
    });
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const options = [
      '--noEmit',
      '--strict',
      '--target',
      'es2022',
      '--module',
      'esnext',
      '--moduleResolution',
      'bundler',
      '--skipLibCheck',
    ];
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, ...options, ...files], { cwd: FOLDER, encoding: 'utf8' });
    } catch (error) {
      output = (error as { stdout: string }).stdout;
    }
    expect(output).toBe('');
  }, 60_000);
});
