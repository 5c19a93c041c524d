/**
 * The harness that puts each vendor's stand-in where the vendor's own names lead
 * (test/support/vendor-routes.cjs, test/support/vendors/routes.ts): names resolve to the vendor's
 * loopback address only while a stand-in is routed, every kind of client the official ones use
 * reaches it on port 443 and trusts its certificate, and the service reaches it through its
 * network guard, sending the Host header the vendors' own clients send.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import dns from 'node:dns';
import { lookup } from 'node:dns/promises';
import { get } from 'node:https';
import { promisify } from 'node:util';
import { Trino } from 'trino-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../src/service.ts';
import { createCertificateAuthority } from '../support/certificates.ts';
import { createSqliteDatabase, type TestDatabase } from '../support/databases.ts';
import { type Client, clientFor, startTestService } from '../support/service.ts';
import { ATHENA_KEY_ID, ATHENA_SECRET, athenaHandler } from '../support/vendors/athena.ts';
import { bigqueryHandler } from '../support/vendors/bigquery.ts';
import { databricksHandler } from '../support/vendors/databricks.ts';
import { routedProcessEnv, startRoutedVendor, VENDORS, type Vendor } from '../support/vendors/routes.ts';
import type { Handler, VendorServer } from '../support/vendors/server.ts';
import { snowflakeHandler } from '../support/vendors/snowflake.ts';
import { trinoHandler } from '../support/vendors/trino.ts';

const PATH = '/api/v1/database-connections';
const GALAXY = 'acme-free.trino.galaxy.starburst.io';

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicKeyPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const serviceAccount = Buffer.from(
  JSON.stringify({
    type: 'service_account',
    client_email: 'reader@analytics.iam.gserviceaccount.com',
    private_key: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    token_uri: 'https://oauth2.googleapis.com/token',
  }),
).toString('base64');

/** Each vendor: its stand-in, a URI with no port (the vendor's default, 443), and the names it is reached by. */
const CASES: { vendor: Vendor; handler: Handler; uri: string; hosts: string[] }[] = [
  {
    vendor: 'snowflake',
    handler: snowflakeHandler({ publicKeyPem }),
    uri: 'snowflake://ana:password@acme/DB',
    hosts: ['acme.snowflakecomputing.com'],
  },
  {
    vendor: 'bigquery',
    handler: bigqueryHandler(publicKeyPem),
    uri: `bigquery://analytics/sales?credentials_base64=${serviceAccount}`,
    hosts: ['oauth2.googleapis.com', 'bigquery.googleapis.com'],
  },
  {
    vendor: 'databricks',
    handler: databricksHandler(),
    uri: 'databricks://token:dapi-good@dbc-1234.cloud.databricks.com?http_path=/sql/1.0/warehouses/abc123',
    hosts: ['dbc-1234.cloud.databricks.com'],
  },
  {
    vendor: 'athena',
    handler: athenaHandler(),
    uri: `awsathena+rest://${ATHENA_KEY_ID}:${ATHENA_SECRET}@athena.eu-west-1.amazonaws.com/sales`,
    hosts: ['athena.eu-west-1.amazonaws.com'],
  },
  {
    vendor: 'trino',
    handler: trinoHandler(),
    uri: `trino://ana@${GALAXY}:443/hive?http_scheme=https`,
    hosts: [GALAXY],
  },
];

const hostsOf = (server: VendorServer) => [...new Set(server.received.map((request) => request.headers.host))];

describe('the vendors’ names lead to their stand-ins', () => {
  it('resolve to the vendor’s loopback address while its stand-in is routed, and not at all otherwise', async () => {
    await expect(lookup(GALAXY)).rejects.toMatchObject({ code: 'ENOTFOUND' });
    const server = await startRoutedVendor('trino', () => ({ body: {} }));
    try {
      const address = VENDORS.trino.address;
      // The promise form as the network guard imports it, and the callback form as net.connect calls it.
      expect(await lookup(GALAXY, { all: true, verbatim: true })).toEqual([{ address, family: 4 }]);
      const viaCallback = await new Promise((resolve, reject) =>
        dns.lookup(GALAXY.toUpperCase(), (error, found) => (error ? reject(error) : resolve(found))),
      );
      expect(viaCallback).toBe(address);
      // Certificates' wildcards are one label: so is the routing.
      await expect(lookup(`a.${GALAXY}`)).rejects.toMatchObject({ code: 'ENOTFOUND' });
      await expect(lookup('acme.snowflakecomputing.com')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    } finally {
      await server.close();
    }
    await expect(lookup(GALAXY)).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('node:https, fetch (undici) and the official client (axios) reach it on 443 and trust its certificate', async () => {
    const server = await startRoutedVendor('trino', (request) =>
      request.method === 'POST' ? { body: { id: 'q1', stats: { state: 'FINISHED' } } } : { body: { ok: true } },
    );
    try {
      const viaHttps = await new Promise<number>((resolve, reject) =>
        get(`https://${GALAXY}/v1/info`, (response) => resolve(response.resume().statusCode ?? 0)).on('error', reject),
      );
      expect(viaHttps).toBe(200);
      expect((await fetch(`https://${GALAXY}/v1/info`)).status).toBe(200);
      const query = await Trino.create({ server: `https://${GALAXY}` }).query('SELECT 1');
      expect((await query.next()).value).toMatchObject({ id: 'q1' });
      // Each sends the name alone: on the scheme's default port, the port is not written.
      expect(server.received.map((request) => request.headers.host)).toEqual([GALAXY, GALAXY, GALAXY]);
    } finally {
      await server.close();
    }
  });

  it('so does a process a test starts, given routedProcessEnv()', async () => {
    const server = await startRoutedVendor('trino', () => ({ body: { from: 'the stand-in' } }));
    try {
      const script = `fetch('https://${GALAXY}/v1/info').then((r) => r.text()).then((t) => process.stdout.write(t))`;
      const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
        env: { ...process.env, ...routedProcessEnv() },
      });
      expect(JSON.parse(stdout)).toEqual({ from: 'the stand-in' });
    } finally {
      await server.close();
    }
  });
});

describe('the service reaches the stand-ins by the vendors’ names', () => {
  let database: TestDatabase;
  let service: RunningService;
  let api: Client;
  beforeAll(async () => {
    database = createSqliteDatabase();
    service = await startTestService(database.url, { CONNECTION_TEST_TIMEOUT_MS: '5000' });
    api = clientFor(service.url);
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });
  const testUri = (connection_uri: string, extra: Record<string, unknown> = {}) =>
    api.request('POST', `${PATH}/test`, { connection_uri, ...extra });

  it.each(CASES)('$vendor over HTTPS on 443: Host is the bare name, as its own clients send it', async (entry) => {
    const server = await startRoutedVendor(entry.vendor, entry.handler);
    try {
      const result = await testUri(entry.uri);
      expect(result.body, JSON.stringify(result.body)).toMatchObject({ ok: true, error: null });
      expect(hostsOf(server)).toEqual(entry.hosts);
    } finally {
      await server.close();
    }
  });

  it('checks the stand-in’s certificate: a connection that names another CA is refused', async () => {
    const server = await startRoutedVendor('trino', trinoHandler());
    try {
      const other = createCertificateAuthority('another CA');
      const result = await testUri(`trino://ana@${GALAXY}:443/hive?http_scheme=https`, {
        tls_settings: { ca_certificate: other.certificate },
      });
      expect(result.body.error.code).toBe('tls_error');
      // Reached, but no request was sent over a connection whose certificate failed.
      expect(server.connections()).toBeGreaterThan(0);
      expect(server.received).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('judges the vendor’s address with its network guard: with loopback denied, nothing reaches the stand-in', async () => {
    const guarded = await startTestService(database.url, { CONNECTION_TEST_DENIED_CIDRS: '127.0.0.0/8' });
    const server = await startRoutedVendor('snowflake', snowflakeHandler({ publicKeyPem }));
    try {
      const result = await clientFor(guarded.url).request('POST', `${PATH}/test`, {
        connection_uri: 'snowflake://ana:password@acme/DB',
      });
      expect(result.status).toBe(403);
      expect(result.body.code).toBe('target_not_allowed');
      expect(server.connections()).toBe(0);
    } finally {
      await server.close();
      await guarded.stop();
    }
  });
});
