/**
 * Secret references belong to workspaces. An administrator of workspace A names the variables and
 * files of workspace B's connections, on both interfaces and both stores: every attempt answers,
 * byte for byte, what a name that is not set answers (so names cannot be listed), no connection is
 * attempted (a loopback listener sees none), nothing is written, and B's secret shows in no answer
 * and no log line. A connection moved or renamed out of B reads them no more; the provisioning file
 * gives a workspace its references, and takes them back.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../src/auth/api-keys.ts';
import { runSql, STORES, type TestDatabase } from './support/databases.ts';
import { countingListener } from './support/listener.ts';
import { runCli, type ServerProcess, startServerProcess } from './support/process.ts';
import { type Client, clientFor, TEST_ENCRYPTION_KEY } from './support/service.ts';
import { createMariadbTarget, mariadbAvailable } from './support/targets.ts';
import { until } from './support/until.ts';

const PATH = '/api/v1/database-connections';
const OPERATOR = generateApiKey();
const API_KEYS = JSON.stringify([
  {
    name: 'operator',
    hash: hashApiKey(OPERATOR),
    scopes: ['connections:read', 'connections:write', 'connections:reveal', 'audit:read', 'access:admin'],
  },
]);
// `default` keeps every name, as a single team's set-up expects; A and B each their own.
const SECRET_REFERENCES = JSON.stringify({
  default: ['env:*', 'file:*'],
  a: ['env:DCAPI_SECRET_A_*', 'file:a-*'],
  b: ['env:DCAPI_SECRET_B_*', 'file:b-*'],
});
const A_ADMIN_SCOPES = ['access:admin', 'connections:read', 'connections:write', 'connections:reveal'];

const CREATE = `mutation ($input: CreateDatabaseConnectionInput!, $test: Boolean) {
  result: createDatabaseConnection(input: $input, testConnection: $test) {
    __typename
    ... on Error { code message }
    ... on ValidationError { fieldErrors { field message } }
    ... on CreateDatabaseConnectionSuccess { databaseConnection { id } }
  }
}`;
const UPDATE = `mutation ($id: ID!, $input: UpdateDatabaseConnectionInput!) {
  result: updateDatabaseConnection(id: $id, input: $input) {
    __typename
    ... on Error { code message }
    ... on ValidationError { fieldErrors { field message } }
  }
}`;
const TEST_DRAFT = `mutation ($uri: String, $workspace: String) {
  result: testConnectionUri(uri: $uri, workspace: $workspace) {
    __typename
    ... on Error { code message }
    ... on ValidationError { fieldErrors { field message } }
    ... on ConnectionTestResult { ok error { code } }
  }
}`;
const READ = `query ($id: ID!) {
  databaseConnection(id: $id) {
    workspace
    connectionUri(reveal: true)
    introspection { __typename ... on ConnectionFailedError { reason { code } } }
  }
}`;

describe.each(STORES)('secret references across workspaces on $name', (store) => {
  const skip = store.skip || !mariadbAvailable;
  let database: TestDatabase;
  let server: ServerProcess;
  let secretsDir: string;
  let listener: Awaited<ReturnType<typeof countingListener>>;
  let target: Awaited<ReturnType<typeof createMariadbTarget>>;
  let env: Record<string, string>;
  const keys = { aAdmin: '', bWriter: '' };
  const ids = { a: '', b: '' };
  const as = (key: string): Client['request'] => {
    return (method, path, body, headers = {}) =>
      clientFor(server.url).request(method, path, body, { ...headers, authorization: `Bearer ${key}` });
  };
  const gql = async (key: string, query: string, variables: Record<string, unknown>) =>
    (await as(key)('POST', '/graphql', { query, variables })).text;
  const operator = as(OPERATOR);
  /** An attack URI: a MariaDB URI whose password is `reference`, to the listener. */
  const toListener = (reference: string) => `mysql://${target.user}:${reference}@127.0.0.1:${listener.port}/x`;
  /** B's database, its password `reference`. */
  const bUri = (reference: string) => `mysql://${target.user}:${reference}@127.0.0.1:3306/${target.database}`;
  const rows = async () =>
    (await runSql(
      database,
      'SELECT id, workspace, alias, version, connection_uri_encrypted FROM database_connections ORDER BY id',
    )) as { id: string; workspace: string }[];

  /** What every answer must never hold: B's password, as it is and as a URI encodes it. */
  const expectNoSecret = (...texts: string[]) => {
    for (const text of [...texts, server.output()]) {
      expect(text).not.toContain(target.password);
      expect(text).not.toContain(encodeURIComponent(target.password));
    }
  };

  beforeAll(async () => {
    if (skip) return;
    [database, target, listener] = await Promise.all([store.create(), createMariadbTarget(), countingListener()]);
    secretsDir = mkdtempSync(join(tmpdir(), 'dcapi-workspace-secrets-'));
    writeFileSync(join(secretsDir, 'b-password'), target.password);
    writeFileSync(join(secretsDir, 'a-password'), 'A-Own-Password-1');
    env = {
      DATABASE_URL: database.url,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      API_KEYS,
      SECRET_FILES_DIR: secretsDir,
      SECRET_REFERENCES,
      DCAPI_SECRET_A_PASSWORD: 'A-Own-Password-2',
      DCAPI_SECRET_B_PASSWORD: target.password,
      // Read only once the provisioning file gives it to workspace x.
      DCAPI_SECRET_X_PASSWORD: 'X-Password-From-The-File',
      // Scheduled checks read the references too: often, to see them refused once B's connection moves.
      HEALTH_CHECK_INTERVAL_S: '1',
    };
    server = await startServerProcess(env);
    for (const name of ['a', 'b']) expect((await operator('POST', '/api/v1/workspaces', { name })).status).toBe(201);
    const makeKey = async (name: string, workspace: string, scopes: string[]) =>
      (await operator('POST', '/api/v1/api-keys', { name, grants: [{ workspace, scopes }] })).body.key as string;
    keys.aAdmin = await makeKey('a-admin', 'a', A_ADMIN_SCOPES);
    keys.bWriter = await makeKey('b-writer', 'b', ['connections:read', 'connections:write']);
    // A's own connection, to a port where nothing listens; B's, its password by reference, tested.
    const own = await as(keys.aAdmin)('POST', PATH, {
      alias: 'own',
      workspace: 'a',
      connection_uri: 'mysql://u:p@127.0.0.1:1/x',
    });
    ids.a = own.body.id;
    const theirs = await as(keys.bWriter)('POST', `${PATH}?test=true`, {
      alias: 'billing',
      workspace: 'b',
      connection_uri: bUri('${env:DCAPI_SECRET_B_PASSWORD}'),
    });
    expect(theirs.status, theirs.text).toBe(201);
    ids.b = theirs.body.id;
  });
  afterAll(async () => {
    server?.child.kill();
    await server?.exited;
    await Promise.all([database?.drop(), target?.drop(), listener?.close()]);
    if (secretsDir) rmSync(secretsDir, { recursive: true, force: true });
  });

  /** Pairs of references: B's (set, allowed to B only) and one that is not there, which must answer alike. */
  const PAIRS = [
    ['${env:DCAPI_SECRET_B_PASSWORD}', '${env:DCAPI_SECRET_A_NOT_SET}'],
    ['${env:DCAPI_SECRET_B_PASSWORD}', '${env:DCAPI_SECRET_NOBODY}'],
    ['${file:b-password}', '${file:a-not-there}'],
    ['${env:ENCRYPTION_KEY}', '${env:DCAPI_SECRET_A_NOT_SET}'],
  ];

  it.skipIf(skip)('answers A’s writer for B’s names as for names not set, over REST, reaching nothing', async () => {
    const before = await rows();
    const aAdmin = as(keys.aAdmin);
    const attempts = (reference: string) => [
      () => aAdmin('POST', PATH, { alias: 'stolen', workspace: 'a', connection_uri: toListener(reference) }),
      () =>
        aAdmin('POST', `${PATH}?test=true`, { alias: 'stolen', workspace: 'a', connection_uri: toListener(reference) }),
      () => aAdmin('PUT', `${PATH}/${ids.a}`, { alias: 'own', workspace: 'a', connection_uri: toListener(reference) }),
      () => aAdmin('POST', `${PATH}/test`, { connection_uri: toListener(reference), workspace: 'a' }),
      // Drafts in B, or in default (which may use every name), are not A's writer's to test.
      () => aAdmin('POST', `${PATH}/test`, { connection_uri: toListener(reference), workspace: 'b' }),
      () => aAdmin('POST', `${PATH}/test`, { connection_uri: toListener(reference) }),
      () =>
        aAdmin('POST', PATH, {
          alias: 'stolen',
          workspace: 'a',
          connection_uri: 'mysql://u:p@127.0.0.1:1/x',
          use_ssh: true,
          ssh_settings: { host: '127.0.0.1', port: listener.port, username: 'tunnel', password: reference },
        }),
    ];
    for (const [forbidden, unset] of PAIRS as [string, string][]) {
      const refused = attempts(forbidden);
      const notSet = attempts(unset);
      for (const [index, attempt] of refused.entries()) {
        const [answer, expected] = [await attempt(), await (notSet[index] as () => ReturnType<typeof attempt>)()];
        expect(answer.status, `${forbidden} #${index}`).toBe(400);
        expect(answer.body.code, answer.text).toBe('invalid_secret_reference');
        expect(answer.text, `${forbidden} #${index}`).toBe(expected.text);
        expectNoSecret(answer.text);
      }
    }
    expect(listener.connections()).toBe(0);
    expect(await rows()).toEqual(before);
  });

  it.skipIf(skip)('answers the same over GraphQL, reaching nothing and writing nothing', async () => {
    const before = await rows();
    const attempts = (reference: string): [string, Record<string, unknown>][] => [
      [CREATE, { input: { alias: 'stolen', workspace: 'a', connectionUri: toListener(reference) }, test: true }],
      [UPDATE, { id: ids.a, input: { connectionUri: toListener(reference) } }],
      [TEST_DRAFT, { uri: toListener(reference), workspace: 'a' }],
      [TEST_DRAFT, { uri: toListener(reference), workspace: 'b' }],
      [TEST_DRAFT, { uri: toListener(reference) }],
    ];
    for (const [forbidden, unset] of PAIRS as [string, string][]) {
      const expected = attempts(unset);
      for (const [index, [query, variables]] of attempts(forbidden).entries()) {
        const answer = await gql(keys.aAdmin, query, variables);
        const [otherQuery, otherVariables] = expected[index] as [string, Record<string, unknown>];
        expect(JSON.parse(answer).data.result, answer).toMatchObject({
          __typename: 'ValidationError',
          code: 'invalid_secret_reference',
        });
        expect(answer, `${forbidden} #${index}`).toBe(await gql(keys.aAdmin, otherQuery, otherVariables));
        expectNoSecret(answer);
      }
    }
    expect(listener.connections()).toBe(0);
    expect(await rows()).toEqual(before);
  });

  it.skipIf(skip)('lets B’s writers use B’s names: a draft in B, a test of the connection', async () => {
    const draft = await as(keys.bWriter)('POST', `${PATH}/test`, {
      connection_uri: bUri('${file:b-password}'),
      workspace: 'b',
    });
    expect(draft.body, draft.text).toMatchObject({ ok: true });
    const tested = await as(keys.bWriter)('POST', `${PATH}/${ids.b}/test`);
    expect(tested.body, tested.text).toMatchObject({ ok: true });
    const revealed = JSON.parse(await gql(OPERATOR, READ, { id: ids.b })).data.databaseConnection;
    expect(revealed.connectionUri).toBe(target.uri());
  });

  it.skipIf(skip)(
    'refuses to move B’s connection to A, and once B is renamed its references are read no more',
    async () => {
      // The operator writes both workspaces: the move is checked against the references of A.
      const moved = await operator('PUT', `${PATH}/${ids.b}`, {
        alias: 'billing',
        workspace: 'a',
        connection_uri: bUri('${env:DCAPI_SECRET_B_PASSWORD}'),
      });
      expect(moved.status).toBe(400);
      expect(moved.body).toMatchObject({ code: 'invalid_secret_reference', errors: [{ field: 'connection_uri' }] });
      const movedOverGraphQL = JSON.parse(await gql(OPERATOR, UPDATE, { id: ids.b, input: { workspace: 'a' } }));
      expect(movedOverGraphQL.data.result).toMatchObject({ code: 'invalid_secret_reference' });
      expect((await rows()).find((row) => row.id === ids.b)).toMatchObject({ workspace: 'b' });

      // A rename moves every connection of B past the writes' checks: reads check again.
      expect((await operator('PUT', '/api/v1/workspaces/b', { name: 'c' })).status).toBe(200);
      const tested = await operator('POST', `${PATH}/${ids.b}/test`);
      expect(tested.body).toMatchObject({ ok: false, error: { code: 'secret_unavailable' } });
      const schemas = await operator('GET', `${PATH}/${ids.b}/schemas`);
      expect(schemas.status).toBe(422);
      expect(schemas.body.reason.code).toBe('secret_unavailable');
      const revealed = await operator('GET', `${PATH}/${ids.b}?reveal=true`);
      expect(revealed.body.connection_uri).toContain('${env:DCAPI_SECRET_B_PASSWORD}');
      const read = JSON.parse(await gql(OPERATOR, READ, { id: ids.b })).data.databaseConnection;
      expect(read).toMatchObject({ workspace: 'c', introspection: { reason: { code: 'secret_unavailable' } } });
      expect(read.connectionUri).toContain('${env:DCAPI_SECRET_B_PASSWORD}');
      // The scheduled checks, too.
      const health = await until(
        async () => (await operator('GET', `${PATH}/${ids.b}`)).body.health,
        (value) => value.error?.code === 'secret_unavailable',
        10_000,
      );
      expect(health).toMatchObject({ status: 'failing', error: { code: 'secret_unavailable' } });
      expectNoSecret(tested.text, schemas.text, revealed.text, JSON.stringify(read), JSON.stringify(health));
      expect(listener.connections()).toBe(0);
    },
  );

  it.skipIf(skip)(
    'takes from the provisioning file the references it gives a workspace, and takes them back',
    async () => {
      const file = join(secretsDir, '..', `provisioning-${store.name}-${process.pid}.yaml`);
      const apply = async (text: string) => {
        writeFileSync(file, text);
        return runCli('apply', [file], env);
      };
      const entry = (workspace: string) =>
        `  - alias: warehouse\n    workspace: ${workspace}\n    connection_uri: mysql://u:\${env:DCAPI_SECRET_X_PASSWORD}@127.0.0.1:1/x\n`;
      try {
        const given = await apply(`secret_references:\n  x: ["env:DCAPI_SECRET_X_*"]\nconnections:\n${entry('x')}`);
        expect(given.code, given.stderr).toBe(0);
        const id = (await rows()).find((row) => row.workspace === 'x')?.id as string;
        const revealed = await operator('GET', `${PATH}/${id}?reveal=true`);
        expect(revealed.body.connection_uri).toContain('X-Password-From-The-File');
        // Another workspace of the file may not use X's names: refused with its line, nothing written.
        const other = await apply(`secret_references:\n  x: ["env:DCAPI_SECRET_X_*"]\nconnections:\n${entry('y')}`);
        expect(other.code).toBe(1);
        expect(other.stderr).toMatch(
          /line 6: connections\[0\]\.connection_uri names no secret this workspace may read/,
        );
        expect((await rows()).filter((row) => row.workspace === 'y')).toEqual([]);
        // A bad list is refused with its line.
        const bad = await apply(`secret_references:\n  x: ["DCAPI_SECRET_X_*"]\nconnections: []\n`);
        expect(bad.code).toBe(1);
        expect(bad.stderr).toContain('line 2: secret_references.x[0] must be env:NAME or file:NAME');
        // A file that no longer gives them takes them back: the connection, kept, reads them no more.
        const taken = await apply('connections: []\n');
        expect(taken.code, taken.stderr).toBe(0);
        const after = await operator('GET', `${PATH}/${id}?reveal=true`);
        expect(after.body.connection_uri).toContain('${env:DCAPI_SECRET_X_PASSWORD}');
        expect(after.text).not.toContain('X-Password-From-The-File');
      } finally {
        rmSync(file, { force: true });
      }
    },
  );
});
