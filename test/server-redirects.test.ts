/**
 * Attacks by a database server of the caller's own: a URI names an allowed host, whose server
 * answers by sending the driver on to another address, which the drivers follow by themselves:
 * an Oracle listener's REDIRECT (what a RAC SCAN listener sends), SQL Server's routing (Azure SQL's
 * redirection, an availability group's read-only routing). The address it names is this machine's
 * loopback, which the service denies: every test, discovery and scheduled health check is refused,
 * on both interfaces and both stores, and the listener there sees no connection. A server that
 * sends the driver to an allowed address is followed, through the network guard.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCanary } from './support/canary.ts';
import { STORES } from './support/databases.ts';
import { expectTargetRefused, saveUntested } from './support/guard-refusals.ts';
import { useServiceFixture } from './support/service.ts';
import { startTdsSqlServer } from './support/tds-sql.ts';
import { startTnsListener, type TnsListener } from './support/tns.ts';
import { until } from './support/until.ts';

const PATH = '/api/v1/database-connections';
/** The servers the URIs name listen here, allowed; the loopback address the attacks aim at is denied. */
const ALLOWED_ADDRESS = '127.0.0.2';
const GUARDED = {
  CONNECTION_TEST_DENIED_CIDRS: '127.0.0.1/32,::1/128',
  CONNECTION_TEST_TIMEOUT_MS: '1500',
  HEALTH_CHECK_INTERVAL_S: '1',
  INTROSPECTION_CACHE_MS: '0',
};
const TYPENAME = `__typename ... on Error { code }`;
const REFUSED = { __typename: 'TargetNotAllowedError', code: 'target_not_allowed' };

const canary = await startCanary();
afterAll(() => canary.close());
afterEach(() =>
  expect(canary.connections.splice(0), 'the address a server redirected to saw a connection').toEqual([]),
);

/** Where an Oracle listener may send its client: the denied address, in each way a REDIRECT may name it. */
const ORACLE_REDIRECTS = [
  ['over TCP', `(ADDRESS=(PROTOCOL=TCP)(HOST=127.0.0.1)(PORT=${canary.port}))`],
  ['by a name', `(ADDRESS=(PROTOCOL=TCP)(HOST=localhost)(PORT=${canary.port}))`],
  ['over TCPS', `(ADDRESS=(PROTOCOL=TCPS)(HOST=127.0.0.1)(PORT=${canary.port}))`],
  [
    'over TCPS through a proxy it names',
    `(ADDRESS=(PROTOCOL=TCPS)(HOST=db.example.com)(PORT=2484)(HTTPS_PROXY=127.0.0.1)(HTTPS_PROXY_PORT=${canary.port}))`,
  ],
  [
    'in a whole descriptor',
    `(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=127.0.0.1)(PORT=${canary.port}))(CONNECT_DATA=(SERVICE_NAME=S)))`,
  ],
] as const;

describe.each(STORES)('a database server that sends its client elsewhere, on $name', (store) => {
  const fixture = useServiceFixture(store, GUARDED);
  const listeners: TnsListener[] = [];
  let mssql: Awaited<ReturnType<typeof startTdsSqlServer>>;
  const oracleUris: [string, string][] = [];

  beforeAll(async () => {
    for (const [how, address] of ORACLE_REDIRECTS) {
      const listener = await startTnsListener(ALLOWED_ADDRESS, address);
      listeners.push(listener);
      oracleUris.push([how, `oracle://scott:tiger@${ALLOWED_ADDRESS}:${listener.port}/?service_name=S`]);
    }
    mssql = await startTdsSqlServer(() => null, {
      listenOn: ALLOWED_ADDRESS,
      routeTo: { host: '127.0.0.1', port: canary.port },
    });
  });
  afterAll(async () => {
    await Promise.all([...listeners.map((listener) => listener.close()), mssql?.close()]);
  });

  const attacks = () => [
    ...oracleUris.map(([how, uri]) => [`Oracle: a REDIRECT ${how}`, uri] as const),
    ['SQL Server: routing', `mssql://sa:pw@${ALLOWED_ADDRESS}:${mssql.port}/master`] as const,
  ];
  const save = (connection_uri: string) => saveUntested(fixture.api, connection_uri);

  it.skipIf(store.skip)('refuses the address a server sends a URI’s test to, on REST and GraphQL', async () => {
    for (const [what, uri] of attacks()) {
      expectTargetRefused(await fixture.api.request('POST', `${PATH}/test`, { connection_uri: uri }), what);
      const { data } = await fixture.api.graphql(
        `mutation ($uri: String!) { testConnectionUri(uri: $uri) { ${TYPENAME} } }`,
        { uri },
      );
      expect(data.testConnectionUri, what).toEqual(REFUSED);
    }
    // The servers were reached, and answered: the refusal is of where they sent the driver.
    for (const listener of listeners) expect(listener.connects.length).toBeGreaterThanOrEqual(2);
    expect(mssql.logins()).toBeGreaterThanOrEqual(2);
  });

  it.skipIf(store.skip)(
    'refuses it for the tests and discovery of saved connections, and stores nothing that tests first',
    async () => {
      for (const [what, uri] of attacks()) {
        const id = await save(uri);
        expectTargetRefused(await fixture.api.request('POST', `${PATH}/${id}/test`), `test: ${what}`);
        expectTargetRefused(await fixture.api.request('GET', `${PATH}/${id}/schemas`), `schemas: ${what}`);
        const { data } = await fixture.api.graphql(
          `query ($id: ID!) { databaseConnection(id: $id) { introspection { ${TYPENAME} } } }`,
          { id },
        );
        expect(data.databaseConnection.introspection, what).toEqual(REFUSED);
        expectTargetRefused(
          await fixture.api.request('POST', `${PATH}?test=true`, { alias: 'tested-first', connection_uri: uri }),
          `create: ${what}`,
        );
        await fixture.api.request('DELETE', `${PATH}/${id}`);
      }
      expect((await fixture.api.request('GET', PATH)).body).toEqual([]);
    },
  );

  it.skipIf(store.skip)('refuses it at every scheduled health check', async () => {
    const ids = await Promise.all(attacks().map(([, uri]) => save(uri)));
    for (const id of ids) {
      const checked = await until(
        async () =>
          (
            await fixture.api.graphql(
              'query ($id: ID!) { databaseConnection(id: $id) { health { status error { message } } healthHistory { status } } }',
              { id },
            )
          ).data.databaseConnection,
        (connection) => connection.healthHistory.length >= 2,
        10_000,
      );
      expect(new Set(checked.healthHistory.map((check: { status: string }) => check.status))).toEqual(
        new Set(['FAILING']),
      );
      expect(checked.health.error.message).toMatch(/not allowed here/);
    }
  });
});

describe('a server that sends its client to an allowed address', () => {
  const fixture = useServiceFixture(STORES[0], { ...GUARDED, HEALTH_CHECK_INTERVAL_S: '0' });

  it('Oracle: the REDIRECT is followed, through the network', async () => {
    const node = await startTnsListener(ALLOWED_ADDRESS);
    const scan = await startTnsListener(
      ALLOWED_ADDRESS,
      `(ADDRESS=(PROTOCOL=TCP)(HOST=${ALLOWED_ADDRESS})(PORT=${node.port}))`,
    );
    try {
      const uri = `oracle://scott:tiger@${ALLOWED_ADDRESS}:${scan.port}/?service_name=SALES`;
      const reply = await fixture.api.request('POST', `${PATH}/test`, { connection_uri: uri });
      // The node's listener, a stand-in, answers nothing: the test times out there.
      expect(reply.body).toMatchObject({ ok: false, error: { code: 'timeout' } });
      expect(scan.connects).toHaveLength(1);
      expect(node.connects).toHaveLength(1);
      expect(node.connects[0]).toContain('(SERVICE_NAME=SALES)');
    } finally {
      await Promise.all([node.close(), scan.close()]);
    }
  });

  it('SQL Server: the routing is followed, through the network, and the test is answered there', async () => {
    const replica = await startTdsSqlServer(() => null, { listenOn: ALLOWED_ADDRESS });
    const gateway = await startTdsSqlServer(() => null, {
      listenOn: ALLOWED_ADDRESS,
      routeTo: { host: ALLOWED_ADDRESS, port: replica.port },
    });
    try {
      const uri = `mssql://sa:pw@${ALLOWED_ADDRESS}:${gateway.port}/master`;
      const reply = await fixture.api.request('POST', `${PATH}/test`, { connection_uri: uri });
      expect(reply.body).toMatchObject({ ok: true });
      expect([gateway.logins(), replica.logins()]).toEqual([1, 1]);
      // The version was asked of the server routed to, not of the one that routed.
      expect(gateway.batches).toEqual([]);
      expect(replica.batches).toContainEqual(expect.stringMatching(/ProductVersion/));
    } finally {
      await Promise.all([replica.close(), gateway.close()]);
    }
  });
});
