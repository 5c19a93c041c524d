/**
 * Connection tests and schema discovery through a real OpenSSH bastion of the
 * test's own, to the local PostgreSQL and MariaDB: password and key logins, the
 * failures of the bastion told apart from those behind it, and nothing left open.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../src/service.ts';
import { createSqliteDatabase, postgresAvailable, type TestDatabase } from './support/databases.ts';
import { type Client, clientFor, startTestService } from './support/service.ts';
import { generateKeyPair, type KeyPair, type Sshd, sshdAvailable, startSshd } from './support/sshd.ts';
import {
  closedPort,
  createMariadbTarget,
  createPostgresTarget,
  mariadbAvailable,
  startSilentServer,
} from './support/targets.ts';
import { startVendorServer } from './support/vendors/server.ts';
import { TRINO_VERSION, trinoHandler } from './support/vendors/trino.ts';

const PATH = '/api/v1/database-connections';

describe.skipIf(!sshdAvailable || !postgresAvailable || !mariadbAvailable)('SSH tunnels', () => {
  let database: TestDatabase;
  let service: RunningService;
  let api: Client;
  let sshd: Sshd;
  let postgres: Awaited<ReturnType<typeof createPostgresTarget>>;
  let mariadb: Awaited<ReturnType<typeof createMariadbTarget>>;
  const logLines: string[] = [];
  let plainKey: KeyPair;
  let lockedKey: KeyPair;
  const PASSPHRASE = 'Key-Passphrase-91';

  const bastion = (settings: Record<string, unknown> = {}) => ({
    host: sshd.host,
    port: sshd.port,
    username: sshd.user,
    password: sshd.password,
    ...settings,
  });
  const testThrough = (connection_uri: string, ssh_settings: Record<string, unknown>) =>
    api.request('POST', `${PATH}/test`, { connection_uri, use_ssh: true, ssh_settings });

  /** Waits for sshd to have no session left: each one is a child process while it lasts. */
  async function sessionsLeft() {
    for (let i = 0; i < 40 && sshd.sessions() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    return sshd.sessions();
  }

  beforeAll(async () => {
    plainKey = generateKeyPair();
    lockedKey = generateKeyPair(PASSPHRASE);
    sshd = await startSshd([plainKey.publicKey, lockedKey.publicKey]);
    database = createSqliteDatabase();
    service = await startTestService(database.url, { CONNECTION_TEST_TIMEOUT_MS: '3000' }, logLines);
    api = clientFor(service.url);
    [postgres, mariadb] = await Promise.all([createPostgresTarget(), createMariadbTarget()]);
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
    await postgres?.drop();
    await mariadb?.drop();
    sshd?.stop();
  });

  it('carries every request of an HTTP dialect through the bastion, each on a channel of one SSH connection', async () => {
    const trino = await startVendorServer(trinoHandler());
    try {
      const result = await testThrough(`trino://ana@127.0.0.1:${trino.port}/hive`, bastion());
      // The statement, then each nextUri (queued, running, one page of rows, finished): all through the tunnel.
      expect(result.body).toEqual({
        ok: true,
        latency_ms: expect.any(Number),
        server_version: TRINO_VERSION,
        error: null,
      });
      expect(trino.received.length).toBe(5);
      expect(await sessionsLeft()).toBe(0);
    } finally {
      await trino.close();
    }
  });

  it('saves a connection through the bastion with a password, tests it, discovers its schemas, and masks its secrets', async () => {
    const created = await api.request('POST', `${PATH}?test=true`, {
      alias: 'tunnelled',
      connection_uri: postgres.uri,
      schemas: ['sales'],
      use_ssh: true,
      ssh_settings: bastion({ host_key_fingerprint: sshd.fingerprint }),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      use_ssh: true,
      ssh_settings: {
        host: '127.0.0.1',
        port: sshd.port,
        username: sshd.user,
        password: '****',
        private_key: null,
        private_key_password: null,
        host_key_fingerprint: sshd.fingerprint,
      },
    });
    const tested = await api.request('POST', `${PATH}/${created.body.id}/test`);
    expect(tested.body).toMatchObject({ ok: true, server_version: expect.stringMatching(/^15\./), error: null });
    const schemas = await api.request('GET', `${PATH}/${created.body.id}/schemas`);
    expect(schemas.status).toBe(200);
    expect(schemas.body.schemas[0].tables.map((table: { name: string }) => table.name)).toEqual([
      'big_orders',
      'orders',
    ]);
    const revealed = await api.request('GET', `${PATH}/${created.body.id}?reveal=true`);
    expect(revealed.body.ssh_settings.password).toBe(sshd.password);
    expect(await sessionsLeft()).toBe(0);

    // The password is in no row of the database and no log line.
    expect(readFileSync(database.url.replace(/^file:/, '')).includes(sshd.password)).toBe(false);
    expect(logLines.join('\n')).not.toContain(sshd.password);
  });

  it('logs in with a private key, with and without a passphrase, to MariaDB and PostgreSQL', async () => {
    const viaKey = await testThrough(mariadb.uri(), bastion({ password: null, private_key: plainKey.privateKey }));
    expect(viaKey.body, JSON.stringify(viaKey.body)).toMatchObject({
      ok: true,
      server_version: expect.stringMatching(/MariaDB/),
    });
    const viaLockedKey = await testThrough(
      postgres.uri,
      bastion({ password: null, private_key: lockedKey.privateKey, private_key_password: PASSPHRASE }),
    );
    expect(viaLockedKey.body).toMatchObject({ ok: true, error: null });
    expect(await sessionsLeft()).toBe(0);
  });

  it('tells apart a refused login, a key not authorised, another host key, a bastion that does not resolve and a closed one', async () => {
    const wrongPassword = await testThrough(postgres.uri, bastion({ password: 'Not-The-Ssh-Password' }));
    expect(wrongPassword.body).toMatchObject({ ok: false, error: { code: 'ssh_authentication_failed' } });
    expect(wrongPassword.text).not.toContain('Not-The-Ssh-Password');

    const stranger = generateKeyPair();
    const unknownKey = await testThrough(postgres.uri, bastion({ password: null, private_key: stranger.privateKey }));
    expect(unknownKey.body).toMatchObject({ ok: false, error: { code: 'ssh_authentication_failed' } });

    const otherHostKey = await testThrough(postgres.uri, bastion({ host_key_fingerprint: `SHA256:${'A'.repeat(43)}` }));
    expect(otherHostKey.body).toMatchObject({ ok: false, error: { code: 'ssh_host_key_mismatch' } });

    const nowhere = await testThrough(postgres.uri, bastion({ host: 'no-such-bastion.invalid' }));
    expect(nowhere.body).toMatchObject({ ok: false, error: { code: 'ssh_host_not_found' } });
    expect(nowhere.body.error.message).toMatch(/^The SSH bastion's host name does not resolve/);

    const closed = await testThrough(postgres.uri, bastion({ port: await closedPort() }));
    expect(closed.body).toMatchObject({ ok: false, error: { code: 'ssh_connection_failed' } });

    // A bastion that accepts the TCP connection and never speaks SSH: given up at the time limit.
    const silent = await startSilentServer();
    try {
      const mute = await testThrough(postgres.uri, bastion({ port: silent.port }));
      expect(mute.body).toMatchObject({ ok: false, error: { code: 'ssh_connection_failed' } });
      expect(mute.body.latency_ms).toBeLessThan(3_000 + 1_000);
    } finally {
      await silent.close();
    }
    expect(await sessionsLeft()).toBe(0);
  });

  it('reports what happens behind the bastion with the codes of a direct connection', async () => {
    const wrongDatabasePassword = await testThrough(mariadb.uri('mysql', 'Wrong-Db-Secret-7'), bastion());
    expect(wrongDatabasePassword.body).toMatchObject({ ok: false, error: { code: 'authentication_failed' } });
    expect(wrongDatabasePassword.text).not.toContain('Wrong-Db-Secret-7');

    const nothingThere = await testThrough(`postgresql://u:secret@127.0.0.1:${await closedPort()}/x`, bastion());
    expect(nothingThere.body).toMatchObject({ ok: false, error: { code: 'connection_refused' } });

    // A database that never answers, behind the bastion: the tunnel is closed at the time limit too.
    const silent = await startSilentServer();
    try {
      const mute = await testThrough(`postgresql://u:secret@127.0.0.1:${silent.port}/x`, bastion());
      expect(mute.body, JSON.stringify(mute.body)).toMatchObject({ ok: false, error: { code: 'timeout' } });
    } finally {
      await silent.close();
    }
    expect(await sessionsLeft()).toBe(0);
    expect(logLines.join('\n')).not.toContain(sshd.password);
  });

  it('checks the bastion against the network rules, not the database host behind it', async () => {
    const guarded = await startTestService(createSqliteDatabase().url, { CONNECTION_TEST_DENIED_CIDRS: '127.0.0.0/8' });
    try {
      const refused = await clientFor(guarded.url).request('POST', `${PATH}/test`, {
        connection_uri: 'postgresql://u:p@10.1.2.3:5432/x',
        use_ssh: true,
        ssh_settings: bastion(),
      });
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('target_not_allowed');
    } finally {
      await guarded.stop();
    }
  });

  it('keeps the stored SSH secrets when they are sent back masked, only for the same bastion and user', async () => {
    const created = await api.request('POST', PATH, {
      alias: 'kept',
      connection_uri: postgres.uri,
      use_ssh: true,
      ssh_settings: bastion(),
    });
    const { ssh_settings } = created.body;
    const same = await api.request('PUT', `${PATH}/${created.body.id}?test=true`, {
      alias: 'kept',
      connection_uri: postgres.uri,
      use_ssh: true,
      ssh_settings,
    });
    expect(same.status).toBe(200);
    const elsewhere = await api.request('PUT', `${PATH}/${created.body.id}`, {
      alias: 'kept',
      connection_uri: postgres.uri,
      use_ssh: true,
      ssh_settings: { ...ssh_settings, host: 'attacker.example' },
    });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.errors).toEqual([{ field: 'ssh_settings', message: expect.stringContaining('****') }]);
    expect(await sessionsLeft()).toBe(0);
  });
});
