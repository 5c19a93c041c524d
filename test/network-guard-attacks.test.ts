/**
 * Attacks on the network guard through the service, on both interfaces and both stores: a caller
 * who may write connections names this machine in another spelling (`[::]`, `[::ffff:127.0.0.1]`,
 * `127.1`, `0x7f000001`, …) in a URI, an SSH bastion or a BigQuery key's token_uri, while the
 * service denies loopback. Every test, discovery and scheduled health check is refused, and the
 * loopback listeners at that port see no connection at all; writes that test first store nothing.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from './support/databases.ts';
import { expectTargetRefused, saveUntested } from './support/guard-refusals.ts';
import { type LoopbackListeners, startLoopbackListeners } from './support/loopback-listeners.ts';
import { useServiceFixture } from './support/service.ts';
import { until } from './support/until.ts';

const PATH = '/api/v1/database-connections';
const GUARDED = {
  CONNECTION_TEST_DENIED_CIDRS: '127.0.0.0/8,::1/128',
  CONNECTION_TEST_TIMEOUT_MS: '1000',
  HEALTH_CHECK_INTERVAL_S: '1',
};

/** This machine, as a URI's host may spell it (the URL parser reads IPv4 numbers and the trailing dot). */
const URI_HOSTS = [
  '[::]',
  '[0:0:0:0:0:0:0:0]',
  '[::ffff:127.0.0.1]',
  '[::FFFF:7F00:1]',
  '[::ffff:0.0.0.0]',
  '[0000::0001]',
  '0.0.0.0',
  '127.1',
  '0x7f000001',
  '2130706433',
  '0177.0.0.1',
  '127.0.0.1.',
  'localhost',
];
/** This machine, as an SSH bastion's host may spell it: as it is written, no URL reads it first. */
const BASTION_HOSTS = [
  '::',
  '[::]',
  '::ffff:127.0.0.1',
  '::1%lo',
  '0.0.0.0',
  '127.1',
  '0x7f.1',
  '2130706433',
  '127.0.0.1.',
  'localhost',
];

/** A URI of each kind of driver: PostgreSQL's and MySQL's protocols, an HTTP API, a forwarded port. */
const urisAt = (host: string, port: number) => [
  `postgresql://u:p@${host}:${port}/x`,
  `mysql://u:p@${host}:${port}/x`,
  `trino://u@${host}:${port}/hive`,
  `mssql://u:p@${host}:${port}/x`,
];

const TYPENAME = `__typename ... on Error { code }`;
const REFUSED = { __typename: 'TargetNotAllowedError', code: 'target_not_allowed' };

describe.each(STORES)('attacks on the network guard on $name', (store) => {
  const fixture = useServiceFixture(store, GUARDED);
  let listeners: LoopbackListeners;
  beforeAll(async () => {
    listeners = await startLoopbackListeners();
  });
  afterAll(async () => {
    await listeners?.close();
  });
  afterEach(() => {
    if (!store.skip) expect(listeners.received).toEqual({ '127.0.0.1': 0, '::1': 0 });
  });

  const save = (connection_uri: string) => saveUntested(fixture.api, connection_uri);

  it.skipIf(store.skip)('refuses tests of a URI naming this machine, on REST and GraphQL', async () => {
    for (const uri of URI_HOSTS.flatMap((host) => urisAt(host, listeners.port))) {
      expectTargetRefused(await fixture.api.request('POST', `${PATH}/test`, { connection_uri: uri }), uri);
      const { data } = await fixture.api.graphql(
        `mutation ($uri: String!) { testConnectionUri(uri: $uri) { ${TYPENAME} } }`,
        { uri },
      );
      expect(data.testConnectionUri, uri).toEqual(REFUSED);
    }
  });

  it.skipIf(store.skip)('refuses tests and discovery of saved connections to it, on REST and GraphQL', async () => {
    for (const host of URI_HOSTS) {
      const id = await save(`postgresql://u:p@${host}:${listeners.port}/x`);
      expectTargetRefused(await fixture.api.request('POST', `${PATH}/${id}/test`), `test ${host}`);
      expectTargetRefused(await fixture.api.request('GET', `${PATH}/${id}/schemas`), `schemas ${host}`);
      const { data } = await fixture.api.graphql(
        `mutation ($id: ID!) { testDatabaseConnection(id: $id) { ${TYPENAME} } }`,
        { id },
      );
      expect(data.testDatabaseConnection, host).toEqual(REFUSED);
      const read = await fixture.api.graphql(
        `query ($id: ID!) { databaseConnection(id: $id) { introspection { ${TYPENAME} } } }`,
        { id },
      );
      expect(read.data.databaseConnection.introspection, host).toEqual(REFUSED);
    }
  });

  it.skipIf(store.skip)('stores nothing when a write that tests first names it', async () => {
    const uri = `postgresql://u:p@[::]:${listeners.port}/x`;
    expectTargetRefused(
      await fixture.api.request('POST', `${PATH}?test=true`, { alias: 'unspecified', connection_uri: uri }),
      uri,
    );
    const { data } = await fixture.api.graphql(
      `mutation ($uri: String!) { createDatabaseConnection(input: {alias: "mapped", connectionUri: $uri}, testConnection: true) { ${TYPENAME} } }`,
      { uri: `mysql://u:p@[::ffff:127.0.0.1]:${listeners.port}/x` },
    );
    expect(data.createDatabaseConnection).toEqual(REFUSED);
    expect((await fixture.api.request('GET', PATH)).body).toEqual([]);

    const id = await save(uri);
    const before = (await fixture.api.request('GET', `${PATH}/${id}`)).body;
    const moved = `postgresql://u:p@0x7f000001:${listeners.port}/y`;
    expectTargetRefused(
      await fixture.api.request('PUT', `${PATH}/${id}?test=true`, { alias: before.alias, connection_uri: moved }),
      moved,
    );
    // The scheduled health checks may record their refusals meanwhile: the connection itself is as it was.
    const { connection_uri, updated_at } = (await fixture.api.request('GET', `${PATH}/${id}`)).body;
    expect({ connection_uri, updated_at }).toEqual({
      connection_uri: before.connection_uri,
      updated_at: before.updated_at,
    });
  });

  it.skipIf(store.skip)('refuses a saved connection to it at every scheduled health check', async () => {
    const ids = await Promise.all(
      ['[::]', '[::ffff:127.0.0.1]'].map((host) => save(`postgresql://u:p@${host}:${listeners.port}/x`)),
    );
    for (const id of ids) {
      const history = async () =>
        (
          await fixture.api.graphql(
            'query ($id: ID!) { databaseConnection(id: $id) { health { status error { code message } } healthHistory { status } } }',
            { id },
          )
        ).data.databaseConnection;
      // Checked twice: refused at the first check and again at the next.
      const checked = await until(history, (connection) => connection.healthHistory.length >= 2, 8_000);
      expect(checked.healthHistory.length).toBeGreaterThanOrEqual(2);
      expect(new Set(checked.healthHistory.map((check: { status: string }) => check.status))).toEqual(
        new Set(['FAILING']),
      );
      expect(checked.health).toMatchObject({
        status: 'FAILING',
        error: { code: 'connection_failed', message: expect.stringMatching(/are not allowed here/) },
      });
    }
  });

  it.skipIf(store.skip)('refuses an SSH bastion that is this machine, however it is written', async () => {
    for (const host of BASTION_HOSTS) {
      const ssh_settings = { host, port: listeners.port, username: 'tunnel', password: 'ssh-secret' };
      expectTargetRefused(
        await fixture.api.request('POST', `${PATH}/test`, {
          connection_uri: 'postgresql://u:p@db.internal:5432/x',
          use_ssh: true,
          ssh_settings,
        }),
        host,
      );
      const { data } = await fixture.api.graphql(
        `mutation ($ssh: SshSettingsInput!) { testConnectionUri(uri: "postgresql://u:p@db.internal:5432/x", useSsh: true, sshSettings: $ssh) { ${TYPENAME} } }`,
        { ssh: { host, port: listeners.port, username: 'tunnel', password: 'ssh-secret' } },
      );
      expect(data.testConnectionUri, host).toEqual(REFUSED);
    }
  });

  it.skipIf(store.skip)('refuses a BigQuery key whose token_uri is this machine, before any request', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    for (const tokenHost of ['[::]', '[::ffff:127.0.0.1]', '0x7f000001', '0.0.0.0']) {
      const key = {
        type: 'service_account',
        client_email: 'reader@analytics.iam.gserviceaccount.com',
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
        token_uri: `http://${tokenHost}:${listeners.port}/token`,
      };
      const uri = `bigquery://analytics?credentials_base64=${Buffer.from(JSON.stringify(key)).toString('base64')}`;
      expectTargetRefused(await fixture.api.request('POST', `${PATH}/test`, { connection_uri: uri }), tokenHost);
    }
  });
});
