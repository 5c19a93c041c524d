/**
 * Export and import as docs/production.md shows them: its commands run as written, with npm, in a
 * folder of their own (the checkout's package.json and build linked in, so that nothing is written
 * into the checkout). A revealed export imported into an empty store of the other kind gives the
 * same connections; imported back, every row is unchanged; standard output carries the document
 * alone; a file with npm's banner in it is refused, saying how to export cleanly.
 */
import { exec } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  createPostgresDatabase,
  createSqliteDatabase,
  postgresAvailable,
  type TestDatabase,
} from './support/databases.ts';
import { clientFor, startTestService, TEST_ENCRYPTION_KEY } from './support/service.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
/** The first line of what npm prints before a script's output: `> name@version script`. */
const NPM_BANNER = `> ${PACKAGE.name}@${PACKAGE.version} export`;

/** The commands of the "Export and import" section of docs/production.md, comments left out. */
function documentedCommands(): string[] {
  const page = readFileSync(join(ROOT, 'docs/production.md'), 'utf8');
  const section = page.slice(page.indexOf('### Export and import'));
  const block = /```console\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

/** The documented command that contains `text`. */
const command = (text: string) => {
  const found = documentedCommands().find((line) => line.includes(text));
  if (!found) throw new Error(`docs/production.md shows no command with ${text}`);
  return found;
};

/** Folders to run npm in as in the checkout (its package.json and build linked), each removed after its test. */
const folders: string[] = [];
function folder(): string {
  const path = mkdtempSync(join(tmpdir(), 'dcapi-export-'));
  for (const name of ['package.json', 'dist']) symlinkSync(join(ROOT, name), join(path, name));
  folders.push(path);
  return path;
}
afterEach(() => {
  for (const path of folders.splice(0)) rmSync(path, { recursive: true, force: true });
});

/** Runs a shell command line in `cwd` against the store at `database`: its exit code and output. */
async function run(line: string, cwd: string, database: TestDatabase, env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await promisify(exec)(line, {
      cwd,
      shell: '/bin/bash',
      env: {
        PATH: process.env.PATH ?? '',
        HOME: cwd,
        npm_config_update_notifier: 'false',
        DATABASE_URL: database.url,
        ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
        ...env,
      },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const CONNECTIONS = [
  {
    alias: 'warehouse',
    connection_uri: 'postgresql://analyst:Wh-Secret-1@warehouse.internal:5432/sales',
    schemas: ['public', 'sales'],
    metadata: { team: 'bi', owners: ['ana'] },
  },
  {
    alias: 'tunnelled',
    connection_uri: 'mysql://app:Db-Secret-2@10.0.0.5:3306/orders',
    use_ssh: true,
    ssh_settings: { host: 'bastion', username: 'tunnel', password: 'Ssh-Secret-3' },
  },
];

describe('export and import as docs/production.md runs them', { timeout: 120_000 }, () => {
  it('a revealed export imported into an empty store of the other kind: the same connections; back, unchanged', async () => {
    const source = createSqliteDatabase();
    const target = postgresAvailable ? await createPostgresDatabase() : createSqliteDatabase();
    const cwd = folder();
    try {
      const service = await startTestService(source.url);
      for (const body of CONNECTIONS) {
        const reply = await clientFor(service.url).request('POST', '/api/v1/database-connections', body);
        expect(reply.status, body.alias).toBe(201);
      }
      await service.stop();

      // A file there already, readable by all: replaced, and its owner's alone before the secrets go in.
      writeFileSync(join(cwd, 'connections.yaml'), 'old\n', { mode: 0o644 });
      const revealed = await run(command('--reveal --output connections.yaml'), cwd, source);
      expect(revealed.code, revealed.stderr).toBe(0);
      expect(revealed.stderr).toContain('WITH THEIR SECRETS');
      // The secrets' file is its owner's alone.
      expect(statSync(join(cwd, 'connections.yaml')).mode & 0o777).toBe(0o600);
      const imported = await run(command('npm run import'), cwd, target);
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.stdout).toContain('created   warehouse\ncreated   tunnelled\n');

      // The same connections: the two stores export the same document.
      const exportOf = async (database: TestDatabase) => {
        const exported = await run(command('npm run -s export > connections.yaml'), cwd, database);
        expect(exported.code, exported.stderr).toBe(0);
        expect(exported.stdout).toBe('');
        return readFileSync(join(cwd, 'connections.yaml'), 'utf8');
      };
      const fromSource = await exportOf(source);
      expect(parse(fromSource).connections).toHaveLength(2);
      expect(await exportOf(target)).toBe(fromSource);

      // Back, masked: every row as it is.
      expect((await run(command('npm run export -- --output connections.yaml'), cwd, target)).code).toBe(0);
      const back = await run(command('npm run import'), cwd, source);
      expect(back.code, back.stderr).toBe(0);
      expect(back.stdout).toContain('unchanged warehouse\nunchanged tunnelled\n');
    } finally {
      await source.drop();
      await target.drop();
    }
  });

  it('writes nothing but the document on standard output, not even a warning', async () => {
    const database = createSqliteDatabase();
    const cwd = folder();
    try {
      // No ENCRYPTION_KEY: the first use writes one, and warns of it (on standard error).
      const exported = await run(command('npm run -s export > connections.yaml'), cwd, database, {
        ENCRYPTION_KEY: '',
      });
      expect(exported.code, exported.stderr).toBe(0);
      expect(exported.stderr).toMatch(/generated a new encryption key/);
      expect(readFileSync(join(cwd, 'connections.yaml'), 'utf8')).toBe('connections: []\n');
    } finally {
      await database.drop();
    }
  });

  it('refuses a file that starts with npm’s banner, saying how to export cleanly, and writes nothing', async () => {
    const database = createSqliteDatabase();
    const cwd = folder();
    try {
      // What a newcomer types: npm prints its banner on standard output, into the file.
      expect((await run('npm run export > connections.yaml', cwd, database)).code).toBe(0);
      expect(readFileSync(join(cwd, 'connections.yaml'), 'utf8')).toMatch(new RegExp(`^\n${NPM_BANNER}\n`));
      const imported = await run(command('npm run import'), cwd, database);
      expect(imported.code).toBe(1);
      expect(imported.stderr).toContain(
        `line 2: starts with npm's banner (${NPM_BANNER}), which \`npm run export > FILE\` ` +
          'writes into the file: export with `npm run export -- --output FILE` (or `npm run -s export > FILE`)',
      );
      expect(imported.stderr).toContain('nothing was changed');
    } finally {
      await database.drop();
    }
  });

  it('refuses an option it does not know, saying how to call it', async () => {
    const database = createSqliteDatabase();
    try {
      const wrong = await run('npm run -s export -- --outptu x.yaml', folder(), database);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain("Unknown option '--outptu'");
      expect(wrong.stderr).toContain('usage: npm run export -- [--reveal] [--output FILE]');
    } finally {
      await database.drop();
    }
  });
});
