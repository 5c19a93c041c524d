/**
 * Connections from a file in git: applied at every start (real processes, both
 * stores), managed (the API refuses to change them), left untouched when they
 * are as the file says, pruned only when asked; a bad file stops the start with
 * every problem and changes nothing; two instances starting together on
 * PostgreSQL apply it once. Then `npm run apply`, export and import.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createPostgresDatabase,
  createSqliteDatabase,
  postgresAvailable,
  runSql,
  STORES,
} from './support/databases.ts';
import { runCli as cli, runServerProcess, startServerProcess } from './support/process.ts';
import { clientFor, TEST_ENCRYPTION_KEY } from './support/service.ts';

const PATH = '/api/v1/database-connections';

const FILE = `# Connections of the data platform, reviewed in git.
connections:
  - alias: warehouse
    connection_uri: postgresql://analyst:\${env:DCAPI_SECRET_WAREHOUSE}@db.internal:5432/warehouse
    schemas: [public, sales]
    metadata: {team: bi}
  - alias: orders
    connection_uri: mysql://app:Orders-Secret-1@mysql.internal:3306/orders
`;

const writeFile = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'dcapi-provisioning-')), 'connections.yaml');
  writeFileSync(path, text);
  return path;
};

const SECRET_ENV = { DCAPI_SECRET_WAREHOUSE: 'Warehouse-Secret-2' };
const byAlias = (rows: { alias: string }[]): Record<string, any> =>
  Object.fromEntries(rows.map((row) => [row.alias, row]));

describe.each(STORES)('a provisioning file on $name', ({ create, skip }) => {
  it.skipIf(skip)('is applied at start, managed, left untouched when unchanged, pruned only when asked', async () => {
    const database = await create();
    const file = writeFile(FILE);
    const env = {
      DATABASE_URL: database.url,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      CONNECTIONS_FILE: file,
      ...SECRET_ENV,
    };
    try {
      let server = await startServerProcess(env);
      let api = clientFor(server.url);
      const first = byAlias((await api.request('GET', PATH)).body);
      expect(Object.keys(first)).toEqual(['warehouse', 'orders']);
      expect(first.warehouse).toMatchObject({
        managed: true,
        connection_uri: 'postgresql://analyst:${env:DCAPI_SECRET_WAREHOUSE}@db.internal:5432/warehouse',
        schemas: ['public', 'sales'],
      });
      const { data } = await api.graphql('{ databaseConnections(first: 5) { edges { node { alias managed } } } }');
      expect(data.databaseConnections.edges.map((edge: { node: object }) => edge.node)).toEqual([
        { alias: 'warehouse', managed: true },
        { alias: 'orders', managed: true },
      ]);

      // Each change of the file is in the audit trail, by the provisioning actor.
      const trail = (await api.request('GET', '/api/v1/audit-events')).body;
      // (Made in one transaction, possibly in the same millisecond: compared in any order.)
      const changes = trail.map(({ actor, action, alias }: Record<string, string>) => `${actor} ${action} ${alias}`);
      expect(changes.sort()).toEqual(['provisioning create orders', 'provisioning create warehouse']);

      // The file is the source of truth: the API changes nothing of it, on either interface.
      const id = first.orders.id;
      const put = await api.request('PUT', `${PATH}/${id}`, { alias: 'orders', connection_uri: 'mysql://x@y/z' });
      expect(put.status).toBe(409);
      expect(put.body.code).toBe('managed_connection');
      expect((await api.request('DELETE', `${PATH}/${id}`)).status).toBe(409);
      const update = await api.graphql(
        `mutation ($id: ID!) { updateDatabaseConnection(id: $id, input: {metadata: {}}) { __typename ... on Error { code } } }`,
        { id },
      );
      expect(update.data.updateDatabaseConnection).toEqual({
        __typename: 'ManagedConnectionError',
        code: 'managed_connection',
      });
      const removal = await api.graphql(
        `mutation ($id: ID!) { deleteDatabaseConnection(id: $id) { __typename ... on Error { code } } }`,
        { id },
      );
      expect(removal.data.deleteDatabaseConnection.code).toBe('managed_connection');
      server.child.kill();
      await server.exited;

      // Started again with the same file: nothing changes, not even the version.
      server = await startServerProcess(env);
      api = clientFor(server.url);
      const second = byAlias((await api.request('GET', PATH)).body);
      expect(second).toEqual(first);
      expect(server.output()).toMatch(/"unchanged":2/);
      server.child.kill();
      await server.exited;

      // One entry changed, one removed: the change applies, the removed one stays unless pruning.
      writeFileSync(file, FILE.replace('{team: bi}', '{team: finance}').split('  - alias: orders')[0] as string);
      server = await startServerProcess(env);
      api = clientFor(server.url);
      const third = byAlias((await api.request('GET', PATH)).body);
      expect(third.warehouse.metadata).toEqual({ team: 'finance' });
      expect((await api.request('GET', `${PATH}/${third.warehouse.id}`)).headers.get('etag')).toBe('"2"');
      expect(third.orders).toEqual(first.orders);
      expect(server.output()).toMatch(/"wouldDelete":1/);
      server.child.kill();
      await server.exited;

      server = await startServerProcess({ ...env, CONNECTIONS_FILE_PRUNE: 'true' });
      expect(Object.keys(byAlias((await clientFor(server.url).request('GET', PATH)).body))).toEqual(['warehouse']);
      server.child.kill();
      await server.exited;
      // No secret, referenced or written in the file, in the logs.
      expect(server.output()).not.toMatch(/Warehouse-Secret-2|Orders-Secret-1/);
    } finally {
      await database.drop();
    }
  });

  it.skipIf(skip)(
    'stops the start on a bad file, listing every problem with its line, and changes nothing',
    async () => {
      const database = await create();
      const env = { DATABASE_URL: database.url, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, ...SECRET_ENV };
      try {
        expect((await cli('apply', [writeFile(FILE)], env)).code).toBe(0);
        const rowsNow = () =>
          runSql(database, 'SELECT alias, version, updated_at FROM database_connections ORDER BY alias');
        const before = await rowsNow();
        const bad = writeFile(`connections:
  - alias: warehouse
    connection_uri: postgresql://analyst:\${env:ENCRYPTION_KEY}@db.internal:5432/warehouse
  - alias: Warehouse
    connection_uri: nope
  - alias: third
    connection_uri: postgresql://u:p@h/db
    colour: blue
  - just a string
`);
        const { code, output } = await runServerProcess({ ...env, CONNECTIONS_FILE: bad });
        expect(code).toBe(1);
        expect(output).toContain('nothing was changed');
        for (const line of [
          // A setting is never readable: answered as any name the workspace may not read.
          'line 3: connections[0].connection_uri names no secret this workspace may read',
          'line 5: connections[1].connection_uri must be a URI',
          'line 8: connections[2].colour is not a field of a database connection',
          'line 9: connections[3] must be an object',
        ]) {
          expect(output).toContain(line);
        }
        expect(output).not.toContain(TEST_ENCRYPTION_KEY);
        expect(await rowsNow()).toEqual(before);
      } finally {
        await database.drop();
      }
    },
  );
});

describe.skipIf(!postgresAvailable)('a provisioning file applied by instances starting together on PostgreSQL', () => {
  it('ends with exactly the file’s rows, and no instance fails', async () => {
    const database = await createPostgresDatabase();
    const aliases = Array.from({ length: 30 }, (_, i) => `db-${i}`);
    const file = writeFile(
      `connections:\n${aliases.map((alias) => `  - {alias: ${alias}, connection_uri: "postgresql://u:p@${alias}/x"}`).join('\n')}\n`,
    );
    const env = { DATABASE_URL: database.url, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, CONNECTIONS_FILE: file };
    const servers = await Promise.all([1, 2, 3].map(() => startServerProcess(env)));
    try {
      const rows = (await clientFor(servers[0]?.url ?? '').request('GET', PATH)).body;
      expect(rows.map((row: { alias: string }) => row.alias).sort()).toEqual([...aliases].sort());
      expect(rows.every((row: { managed: boolean }) => row.managed)).toBe(true);
      const created = servers.map((server) => Number(/"created":(\d+)/.exec(server.output())?.[1]));
      expect(created.sort()).toEqual([0, 0, 30]);
    } finally {
      for (const server of servers) server.child.kill();
      await Promise.all(servers.map((server) => server.exited));
      await database.drop();
    }
  });
});

describe.skipIf(!postgresAvailable)('npm run apply, export and import', () => {
  it('applies a file from the command line, and carries connections from SQLite to PostgreSQL and back', async () => {
    const sqlite = createSqliteDatabase();
    const postgres = await createPostgresDatabase();
    const fromSqlite = { DATABASE_URL: sqlite.url, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, ...SECRET_ENV };
    const fromPostgres = { DATABASE_URL: postgres.url, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, ...SECRET_ENV };
    try {
      const applied = await cli('apply', [writeFile(FILE)], fromSqlite);
      expect(applied.stdout).toContain(
        'created      warehouse\ncreated      orders\n2 created, 0 changed, 0 unchanged',
      );
      const again = await cli('apply', [writeFile(FILE.split('  - alias: orders')[0] as string)], fromSqlite);
      expect(again.stdout).toContain('unchanged    warehouse\nwould delete orders');

      // Connections made over the API too, with SSH settings, then the whole set exported.
      const server = await startServerProcess(fromSqlite);
      const api = clientFor(server.url);
      await api.request('POST', PATH, {
        alias: 'tunnelled',
        connection_uri: 'postgresql://u:Db-Secret-3@10.0.0.5/x',
        use_ssh: true,
        ssh_settings: { host: 'bastion', username: 'tunnel', password: 'Ssh-Secret-4' },
      });
      const before = (await api.request('GET', PATH)).body;
      server.child.kill();
      await server.exited;

      const masked = await cli('export', [], fromSqlite);
      expect(masked.stdout).not.toMatch(/Orders-Secret-1|Db-Secret-3|Ssh-Secret-4/);
      expect(masked.stdout).toContain('${env:DCAPI_SECRET_WAREHOUSE}');
      const revealed = await cli('export', ['--reveal'], fromSqlite);
      expect(revealed.stderr).toContain('WITH THEIR SECRETS');

      const imported = await cli('import', [writeFile(revealed.stdout)], fromPostgres);
      expect(imported.code).toBe(0);
      expect(imported.stdout).toBe('created   warehouse\ncreated   orders\ncreated   tunnelled\n');
      const target = await startServerProcess(fromPostgres);
      const after = (await clientFor(target.url).request('GET', PATH)).body;
      target.child.kill();
      await target.exited;
      // The same connections, but for what each store makes its own, and imported ones are not managed.
      const comparable = (rows: Record<string, unknown>[]) =>
        rows.map(({ id, created_at, updated_at, managed, ...rest }) => rest);
      expect(comparable(after)).toEqual(comparable(before));
      expect(after.map((row: { managed: boolean }) => row.managed)).toEqual([false, false, false]);

      // Back again, into the SQLite store that has them: unchanged, and the managed ones refused.
      const back = await cli(
        'import',
        [writeFile((await cli('export', ['--reveal'], fromPostgres)).stdout)],
        fromSqlite,
      );
      expect(back.code).toBe(1);
      expect(back.stdout).toMatch(/^refused {3}warehouse: managed_connection/m);
      expect(back.stdout).toMatch(/^unchanged tunnelled$/m);
      // Masked secrets import as what is stored, never as creations of ****.
      const maskedInto = await cli('import', [writeFile(masked.stdout)], fromPostgres);
      expect(maskedInto.stdout).toMatch(/^unchanged tunnelled$/m);
    } finally {
      await sqlite.drop();
      await postgres.drop();
    }
  });
});
