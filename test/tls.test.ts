/**
 * TLS with certificates against a PostgreSQL cluster of the test's own that
 * demands them: `hostssl … scram-sha-256 clientcert=verify-full`, a server
 * certificate for `localhost` only, and a CA the test makes. Also the password
 * check the shared cluster (which trusts everyone) cannot give. Then the same on
 * a MariaDB server of the test's own whose user must present a certificate.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../src/service.ts';
import { type CertificateAuthority, createCertificateAuthority, type Issued } from './support/certificates.ts';
import { clusterToolsAvailable, createPostgresCluster, type PostgresCluster } from './support/cluster.ts';
import { createSqliteDatabase, type TestDatabase } from './support/databases.ts';
import { type MariadbServer, mariadbServerAvailable, startMariadbServer } from './support/mariadb-server.ts';
import { type Client, clientFor, startTestService } from './support/service.ts';

const PATH = '/api/v1/database-connections';
const DB_PASSWORD = 'App-Db-Secret-5';

describe.skipIf(!clusterToolsAvailable)('TLS with certificates, on a PostgreSQL cluster that demands them', () => {
  let cluster: PostgresCluster;
  let database: TestDatabase;
  let service: RunningService;
  let api: Client;
  let ca: CertificateAuthority;
  let client: Issued;
  const logLines: string[] = [];

  const uri = (options: { host?: string; mode?: string; password?: string } = {}) =>
    `postgresql://app:${options.password ?? DB_PASSWORD}@${options.host ?? 'localhost'}:${cluster.port}/postgres?sslmode=${options.mode ?? 'verify-full'}`;
  const settings = (overrides: Record<string, unknown> = {}) => ({
    ca_certificate: ca.certificate,
    client_certificate: client.certificate,
    client_key: client.key,
    ...overrides,
  });
  const test = (connection_uri: string, tls_settings: Record<string, unknown>) =>
    api.request('POST', `${PATH}/test`, { connection_uri, tls_settings });

  beforeAll(async () => {
    ca = createCertificateAuthority('dcapi test CA');
    client = ca.client('app');
    const server = ca.server({ dns: ['localhost'] });
    cluster = await createPostgresCluster({
      tls: { certificate: server.certificate, key: server.key, ca: ca.certificate },
      hba: ['hostssl all all 127.0.0.1/32 scram-sha-256 clientcert=verify-full'],
    });
    cluster.psql(`CREATE ROLE app LOGIN PASSWORD '${DB_PASSWORD}'`);
    database = createSqliteDatabase();
    service = await startTestService(database.url, { CONNECTION_TEST_TIMEOUT_MS: '3000' }, logLines);
    api = clientFor(service.url);
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
    cluster?.destroy();
  });

  it('connects with verify-full, the right CA, a client certificate and the password', async () => {
    const result = await test(uri(), settings());
    expect(result.body, JSON.stringify(result.body)).toMatchObject({ ok: true, error: null });
    // verify-ca checks the CA but not the name: the address the certificate does not name is fine.
    const byAddress = await test(uri({ host: '127.0.0.1', mode: 'verify-ca' }), settings());
    expect(byAddress.body, JSON.stringify(byAddress.body)).toMatchObject({ ok: true, error: null });
  });

  it('fails with tls_error for another CA, no client certificate, or a name the certificate does not hold', async () => {
    const otherCa = await test(uri(), settings({ ca_certificate: createCertificateAuthority('other CA').certificate }));
    expect(otherCa.body, JSON.stringify(otherCa.body)).toMatchObject({ ok: false, error: { code: 'tls_error' } });

    const noClientCertificate = await test(uri(), { ca_certificate: ca.certificate });
    expect(noClientCertificate.body, JSON.stringify(noClientCertificate.body)).toMatchObject({
      ok: false,
      error: { code: 'tls_error' },
    });

    const otherName = await test(uri({ host: '127.0.0.1' }), settings());
    expect(otherName.body, JSON.stringify(otherName.body)).toMatchObject({ ok: false, error: { code: 'tls_error' } });
  });

  it('tells a wrong password apart (scram-sha-256), and never repeats it', async () => {
    const result = await test(uri({ password: 'Not-The-Db-Password' }), settings());
    expect(result.body, JSON.stringify(result.body)).toMatchObject({
      ok: false,
      error: { code: 'authentication_failed' },
    });
    expect(result.text).not.toContain('Not-The-Db-Password');
  });

  it('stores the client key encrypted, shows it masked, and keeps it when it is sent back masked', async () => {
    const created = await api.request('POST', `${PATH}?test=true`, {
      alias: 'tls',
      connection_uri: uri(),
      tls_settings: settings(),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.tls_settings).toEqual({
      ca_certificate: ca.certificate,
      client_certificate: client.certificate,
      client_key: '****',
    });
    const replaced = await api.request('PUT', `${PATH}/${created.body.id}?test=true`, {
      alias: 'tls',
      connection_uri: created.body.connection_uri,
      tls_settings: created.body.tls_settings,
    });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    const keyBody = client.key.split('\n')[1] as string;
    expect(readFileSync(database.url.replace(/^file:/, '')).includes(keyBody)).toBe(false);
    expect(logLines.join('\n')).not.toContain(keyBody);
    expect(logLines.join('\n')).not.toContain(DB_PASSWORD);
  });
});

describe.skipIf(!mariadbServerAvailable)('TLS with certificates, on a MariaDB server of the test’s own', () => {
  let server: MariadbServer;
  let database: TestDatabase;
  let service: RunningService;
  let api: Client;
  let ca: CertificateAuthority;
  let client: Issued;

  const uri = (options: { host?: string; mode?: string; password?: string } = {}) =>
    `mariadb://app:${options.password ?? DB_PASSWORD}@${options.host ?? 'localhost'}:${server.port}/mysql?ssl-mode=${options.mode ?? 'VERIFY_IDENTITY'}`;
  const settings = (overrides: Record<string, unknown> = {}) => ({
    ca_certificate: ca.certificate,
    client_certificate: client.certificate,
    client_key: client.key,
    ...overrides,
  });
  const test = async (connection_uri: string, tls_settings: Record<string, unknown>) =>
    (await api.request('POST', `${PATH}/test`, { connection_uri, tls_settings })).body;

  beforeAll(async () => {
    ca = createCertificateAuthority('dcapi test CA');
    client = ca.client('app');
    const certificate = ca.server({ dns: ['localhost'] });
    server = await startMariadbServer({ ...certificate, ca: ca.certificate });
    // The user must present a certificate the CA signed, over TLS.
    server.sql(
      `CREATE USER 'app'@'%' IDENTIFIED BY '${DB_PASSWORD}' REQUIRE X509; GRANT SELECT ON mysql.* TO 'app'@'%'`,
    );
    database = createSqliteDatabase();
    service = await startTestService(database.url, { CONNECTION_TEST_TIMEOUT_MS: '3000' });
    api = clientFor(service.url);
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
    await server?.stop();
  });

  it('connects with VERIFY_IDENTITY, the right CA and a client certificate', async () => {
    const result = await test(uri(), settings());
    expect(result, JSON.stringify(result)).toMatchObject({
      ok: true,
      server_version: expect.stringMatching(/MariaDB/),
    });
    const byAddress = await test(uri({ host: '127.0.0.1', mode: 'VERIFY_CA' }), settings());
    expect(byAddress, JSON.stringify(byAddress)).toMatchObject({ ok: true, error: null });
  });

  it('fails with tls_error for another CA or a name the certificate does not hold', async () => {
    const otherCa = await test(uri(), settings({ ca_certificate: createCertificateAuthority('other CA').certificate }));
    expect(otherCa, JSON.stringify(otherCa)).toMatchObject({ ok: false, error: { code: 'tls_error' } });
    const otherName = await test(uri({ host: '127.0.0.1' }), settings());
    expect(otherName, JSON.stringify(otherName)).toMatchObject({ ok: false, error: { code: 'tls_error' } });
  });

  it('tells a wrong password apart, and never repeats it', async () => {
    const result = await test(uri({ password: 'Not-The-Db-Password' }), settings());
    expect(result, JSON.stringify(result)).toMatchObject({ ok: false, error: { code: 'authentication_failed' } });
    expect(JSON.stringify(result)).not.toContain('Not-The-Db-Password');
  });
});
