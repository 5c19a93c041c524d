/**
 * Secret references (`${env:…}`, `${file:…}`) with real environment variables
 * and real files, the service a real process on each store: they resolve for a
 * connection test, are stored and shown as written, never logged or stored as
 * values, and every reference to what may not be read is refused.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, type TestDatabase } from './support/databases.ts';
import { type ServerProcess, startServerProcess } from './support/process.ts';
import { type Client, clientFor, TEST_ENCRYPTION_KEY } from './support/service.ts';
import { createMariadbTarget, createPostgresTarget, mariadbAvailable } from './support/targets.ts';

const PATH = '/api/v1/database-connections';

describe.each(STORES)('secret references on $name', ({ name, create, skip }) => {
  let database: TestDatabase;
  let server: ServerProcess;
  let api: Client;
  let secretsDir: string;
  let mariadb: Awaited<ReturnType<typeof createMariadbTarget>>;
  let postgres: Awaited<ReturnType<typeof createPostgresTarget>>;

  beforeAll(async () => {
    if (skip || !mariadbAvailable) return;
    [database, mariadb, postgres] = await Promise.all([create(), createMariadbTarget(), createPostgresTarget()]);
    secretsDir = mkdtempSync(join(tmpdir(), 'dcapi-secrets-'));
    // As Kubernetes mounts a secret: one file per key, the files links into a hidden folder.
    mkdirSync(join(secretsDir, '..data'));
    writeFileSync(join(secretsDir, '..data', 'warehouse-uri'), `${postgres.uri}\n`);
    symlinkSync(join(secretsDir, '..data', 'warehouse-uri'), join(secretsDir, 'warehouse-uri'));
    writeFileSync(join(secretsDir, 'removed-later'), 'gone-soon');
    symlinkSync('/etc/hostname', join(secretsDir, 'leads-out'));
    server = await startServerProcess({
      DATABASE_URL: database.url,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      SECRET_FILES_DIR: secretsDir,
      DCAPI_SECRET_MARIADB_PASSWORD: mariadb.password,
      DCAPI_SECRET_WRONG_PASSWORD: 'Not-The-Password-3',
      // Set, but outside the prefix: not readable.
      OTHER_SECRET: 'Outside-The-Prefix-8',
    });
    api = clientFor(server.url);
  });
  afterAll(async () => {
    server?.child.kill();
    await server?.exited;
    await database?.drop();
    await mariadb?.drop();
    await postgres?.drop();
    if (secretsDir) rmSync(secretsDir, { recursive: true, force: true });
  });

  it.skipIf(skip || !mariadbAvailable)(
    'resolves a password from a variable and a whole URI from a file for a test, and stores them as written',
    async () => {
      const byVariable = `mysql://${mariadb.user}:\${env:DCAPI_SECRET_MARIADB_PASSWORD}@127.0.0.1:3306/${mariadb.database}`;
      const created = await api.request('POST', `${PATH}?test=true`, {
        alias: 'by-variable',
        connection_uri: byVariable,
      });
      expect(created.status, created.text).toBe(201);
      // Not a secret, the reference shows as written; revealed, what it stands for.
      expect(created.body.connection_uri).toBe(byVariable);
      expect((await api.request('POST', `${PATH}/${created.body.id}/test`)).body).toMatchObject({ ok: true });
      const revealed = await api.request('GET', `${PATH}/${created.body.id}?reveal=true`);
      expect(revealed.body.connection_uri).toBe(mariadb.uri());

      const byFile = await api.request('POST', `${PATH}?test=true`, {
        alias: 'by-file',
        connection_uri: '${file:warehouse-uri}',
        schemas: ['sales'],
      });
      expect(byFile.status, byFile.text).toBe(201);
      expect(byFile.body).toMatchObject({ connection_uri: '${file:warehouse-uri}', dialect: 'postgresql' });
      const schemas = await api.request('GET', `${PATH}/${byFile.body.id}/schemas`);
      expect(schemas.body.schemas.map((schema: { name: string }) => schema.name)).toEqual(['sales']);

      const wrong = await api.request('POST', `${PATH}/test`, {
        connection_uri: `mysql://${mariadb.user}:\${env:DCAPI_SECRET_WRONG_PASSWORD}@127.0.0.1:3306/${mariadb.database}`,
      });
      expect(wrong.body).toMatchObject({ ok: false, error: { code: 'authentication_failed' } });
      expect(wrong.text).not.toContain('Not-The-Password-3');

      // No referenced value in the log, nor (SQLite) anywhere in the database files.
      for (const value of [mariadb.password, 'Not-The-Password-3', postgres.database]) {
        expect(server.output()).not.toContain(value);
      }
      if (name === 'sqlite') {
        const folder = dirname(database.url.slice('file:'.length));
        for (const file of readdirSync(folder)) {
          const bytes = readFileSync(join(folder, file));
          expect(bytes.includes(mariadb.password), file).toBe(false);
          expect(bytes.includes(postgres.database), file).toBe(false);
        }
      }
    },
  );

  it.skipIf(skip || !mariadbAvailable)(
    'refuses with 400 invalid_secret_reference what may not or cannot be read',
    async () => {
      const cases: [string, string][] = [
        ['${env:ENCRYPTION_KEY}', 'connection_uri'],
        ['${env:DATABASE_URL}', 'connection_uri'],
        ['${env:OTHER_SECRET}', 'connection_uri'],
        ['${env:DCAPI_SECRET_NOT_SET}', 'connection_uri'],
        ['${file:missing}', 'connection_uri'],
        ['${file:../etc/passwd}', 'connection_uri'],
        ['${file:..data}', 'connection_uri'],
        ['${file:leads-out}', 'connection_uri'],
        ['postgresql://u:${env:API_KEYS}@db/x', 'connection_uri'],
        ['postgresql://u:${file:..}@db/x', 'connection_uri'],
      ];
      for (const [connection_uri, field] of cases) {
        const refused = await api.request('POST', PATH, { alias: 'refused', connection_uri });
        expect(refused.status, connection_uri).toBe(400);
        expect(refused.body, connection_uri).toMatchObject({
          code: 'invalid_secret_reference',
          errors: [{ field, message: expect.any(String) }],
        });
      }
      const inSettings = await api.request('POST', PATH, {
        alias: 'refused',
        connection_uri: 'postgresql://u:p@db/x',
        use_ssh: true,
        ssh_settings: { host: 'bastion', username: 'tunnel', password: '${env:ENCRYPTION_KEY}' },
      });
      expect(inSettings.body).toMatchObject({
        code: 'invalid_secret_reference',
        errors: [{ field: 'ssh_settings.password' }],
      });
      // A path cannot even be a password: the URI's user info ends at the first slash.
      const path = await api.request('POST', PATH, {
        alias: 'refused',
        connection_uri: 'postgresql://u:${file:/etc/shadow}@db/x',
      });
      expect(path.status).toBe(400);
      // A reference anywhere but the whole URI or its password is against the rules.
      const misplaced = await api.request('POST', PATH, {
        alias: 'x',
        connection_uri: 'postgresql://${env:DCAPI_SECRET_HOST}/x',
      });
      expect(misplaced.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'connection_uri' }] });
      expect((await api.request('GET', PATH)).body.filter((row: { alias: string }) => row.alias === 'refused')).toEqual(
        [],
      );
      expect(server.output()).not.toContain(TEST_ENCRYPTION_KEY);
    },
  );

  it.skipIf(skip || !mariadbAvailable)('fails a later test as secret_unavailable once the file is gone', async () => {
    const created = await api.request('POST', PATH, {
      alias: 'removed',
      connection_uri: 'postgresql://u:${file:removed-later}@127.0.0.1/x',
    });
    expect(created.status, created.text).toBe(201);
    rmSync(join(secretsDir, 'removed-later'));
    const tested = await api.request('POST', `${PATH}/${created.body.id}/test`);
    expect(tested.body).toMatchObject({ ok: false, error: { code: 'secret_unavailable' } });
    const schemas = await api.request('GET', `${PATH}/${created.body.id}/schemas`);
    expect(schemas.status).toBe(422);
    expect(schemas.body.reason.code).toBe('secret_unavailable');
  });
});

describe('secret references the operator has not allowed', () => {
  it('refuses file references without SECRET_FILES_DIR, and the service’s own settings whatever the prefix', async () => {
    const { createSqliteDatabase } = await import('./support/databases.ts');
    const database = createSqliteDatabase();
    const server = await startServerProcess({
      DATABASE_URL: database.url,
      SECRET_ENV_PREFIX: 'ENCRYPTION_',
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    });
    try {
      const api = clientFor(server.url);
      for (const connection_uri of ['${file:anything}', '${env:ENCRYPTION_KEY}', '${env:ENCRYPTION_KEYS_PREVIOUS}']) {
        const refused = await api.request('POST', PATH, { alias: 'x', connection_uri });
        expect(refused.body.code, connection_uri).toBe('invalid_secret_reference');
      }
      expect(server.output()).not.toContain(TEST_ENCRYPTION_KEY);
    } finally {
      server.child.kill();
      await server.exited;
      await database.drop();
    }
  });
});
