/**
 * Writes of what did not change write nothing, on both stores: an export imported again (masked or
 * revealed), a PUT or an update that sends what is stored, and a provisioning file applied again
 * leave every row at its version and its updated_at, add no audit event and announce no change.
 * Then one real change, whose event is the first the subscriber receives: none came before it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCertificateAuthority } from './support/certificates.ts';
import { runSql, STORES, type TestDatabase } from './support/databases.ts';
import { runCli, startServerProcess } from './support/process.ts';
import { clientFor, TEST_ENCRYPTION_KEY } from './support/service.ts';
import { subscribe } from './support/sse.ts';
import { generateKeyPair } from './support/sshd.ts';

const PATH = '/api/v1/database-connections';
const EVENTS = 'subscription { databaseConnectionEvents { action connectionId } }';
const SSH_KEY = generateKeyPair();
const CLIENT = createCertificateAuthority().client('analyst');

/** Connections with every kind of field: secrets in the URI, SSH and TLS settings, references, a workspace. */
const CONNECTIONS = [
  {
    alias: 'warehouse',
    connection_uri: 'postgresql://analyst:Wh-Secret-1@warehouse.internal:5432/sales?sslmode=require',
    schemas: ['public', 'sales'],
    metadata: { team: 'bi', owners: ['ana', 'bo'], limits: { rows: 1000, strict: true } },
  },
  { alias: 'orders', connection_uri: 'mysql://app:Orders-Secret-2@mysql.internal:3306/orders', workspace: 'sales' },
  {
    alias: 'tunnelled',
    connection_uri: 'postgresql://u:${env:DCAPI_SECRET_TUNNELLED}@10.0.0.5/x?sslmode=require',
    use_ssh: true,
    ssh_settings: { host: 'bastion', username: 'tunnel', password: 'Ssh-Secret-3', private_key: SSH_KEY.privateKey },
    tls_settings: { client_certificate: CLIENT.certificate, client_key: CLIENT.key },
  },
  {
    alias: 'parameters',
    dialect: 'mssql',
    parameters: { host: 'sql.internal', database: 'crm', username: 'sa', password: 'Mssql-Secret-5' },
  },
];
const ENV = { ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, DCAPI_SECRET_TUNNELLED: 'Tunnelled-Secret-4' };

const fileOf = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'dcapi-unchanged-')), 'connections.yaml');
  writeFileSync(path, text);
  return path;
};

/** Every row's version and updated_at, and the audit events of writes (an export --reveal records its reveals). */
const stateOf = async (database: TestDatabase) => ({
  rows: await runSql(database, 'SELECT alias, version, updated_at FROM database_connections ORDER BY alias'),
  audit: await runSql(database, "SELECT action, alias FROM audit_events WHERE action <> 'reveal' ORDER BY at, alias"),
});

// Each test runs the tools as processes, several times.
describe.each(STORES)('writes of what did not change on $name', { timeout: 120_000 }, ({ create, skip }) => {
  it.skipIf(skip)('an import of an export, a PUT or an update of the values stored: nothing written', async () => {
    const database = await create();
    const env = { ...ENV, DATABASE_URL: database.url };
    // A process of its own: it reads the reference's variable from its environment.
    const service = await startServerProcess(env);
    const api = clientFor(service.url);
    try {
      expect((await api.request('POST', '/api/v1/workspaces', { name: 'sales' })).status).toBe(201);
      for (const body of CONNECTIONS) expect((await api.request('POST', PATH, body)).status, body.alias).toBe(201);
      const listed = (await api.request('GET', PATH)).body as Record<string, any>[];
      const subscriber = await subscribe(service.url, EVENTS);
      const before = await stateOf(database);

      for (const reveal of [[], ['--reveal']]) {
        const exported = await runCli('export', reveal, env);
        expect(exported.code, exported.stderr).toBe(0);
        const imported = await runCli('import', [fileOf(exported.stdout)], env);
        expect(imported.code, imported.stdout).toBe(0);
        expect(imported.stdout).toBe(listed.map((row) => `unchanged ${row.alias}\n`).join(''));
      }
      // A row sent back as it was read (secrets masked), on both interfaces.
      const [first] = listed;
      const { id, created_at, updated_at, health, managed, dialect, parameters, ...writable } = first as Record<
        string,
        unknown
      >;
      const put = await api.request('PUT', `${PATH}/${id}`, writable, { 'if-match': '"1"' });
      expect(put.status).toBe(200);
      expect(put.headers.get('etag')).toBe('"1"');
      expect(put.body.updated_at).toBe(updated_at);
      const update = await api.graphql(
        `mutation ($id: ID!, $metadata: JSONObject) { updateDatabaseConnection(id: $id, input: {metadata: $metadata}) {
          ... on UpdateDatabaseConnectionSuccess { databaseConnection { version } } } }`,
        { id, metadata: first?.metadata },
      );
      expect(update.data.updateDatabaseConnection).toEqual({ databaseConnection: { version: 1 } });
      // Still refused where a change would be: at another version than the caller expects.
      const stale = await api.request('PUT', `${PATH}/${id}`, writable, { 'if-match': '"2"' });
      expect(stale.status).toBe(412);
      expect(await stateOf(database)).toEqual(before);

      // One real change: its event is the first to come, so none came of what did not change.
      const changed = fileOf(`connections:
  - {alias: orders, workspace: sales, connection_uri: "mysql://app:****@mysql.internal:3306/orders", metadata: {team: ops}}
`);
      const partial = await runCli('import', [changed], env);
      expect(partial.stdout).toMatch(/^updated {3}orders$/m);
      const orders = listed.find((row) => row.alias === 'orders');
      expect((await subscriber.next(5_000)).data?.databaseConnectionEvents).toEqual({
        action: 'UPDATED',
        connectionId: orders?.id,
      });
      subscriber.close();
      const after = await stateOf(database);
      expect(after.audit).toEqual([...before.audit, { action: 'update', alias: 'orders' }]);
    } finally {
      service.child.kill();
      await service.exited;
      await database.drop();
    }
  });

  it.skipIf(skip)('a provisioning file applied again: every connection unchanged, nothing written', async () => {
    const database = await create();
    const env = { ...ENV, DATABASE_URL: database.url };
    try {
      const indent = (pem: string) => pem.trim().replaceAll('\n', '\n        ');
      const file = fileOf(`workspaces: [sales]
connections:
  - alias: warehouse
    connection_uri: postgresql://analyst:Wh-Secret-1@warehouse.internal:5432/sales?sslmode=require
    schemas: [public, sales]
    metadata: {team: bi, owners: [ana, bo], limits: {strict: true, rows: 1000}}
  - {alias: orders, workspace: sales, connection_uri: "mysql://app:Orders-Secret-2@mysql.internal:3306/orders"}
  - alias: tunnelled
    connection_uri: postgresql://u:\${env:DCAPI_SECRET_TUNNELLED}@10.0.0.5/x?sslmode=require
    use_ssh: true
    ssh_settings:
      username: tunnel
      host: bastion
      private_key: |
        ${indent(SSH_KEY.privateKey)}
    tls_settings:
      client_key: |
        ${indent(CLIENT.key)}
      client_certificate: |
        ${indent(CLIENT.certificate)}
`);
      const first = await runCli('apply', [file], env);
      expect(first.stdout, first.stderr).toContain('3 created, 0 changed, 0 unchanged');
      const before = await stateOf(database);
      const again = await runCli('apply', [file], env);
      expect(again.stdout, again.stderr).toContain('0 created, 0 changed, 3 unchanged');
      expect(await stateOf(database)).toEqual(before);
    } finally {
      await database.drop();
    }
  });
});
