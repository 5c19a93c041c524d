/**
 * Bad input is a 4xx, always: NUL and other control characters, as written or percent-encoded, in
 * URIs (a file database's path among them), schemas, filters, names, ids and headers, on both
 * interfaces and both stores. Each answers 400 (or 404 for an id or a name nothing can have)
 * naming what is wrong, nothing is opened, reached or written, and the service logs no error. A
 * database error that does reach the log carries its reason, never the values of the failing call.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { maxHeaderSize } from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPrismaClient } from '../src/db/client.ts';
import { storeFromUrl } from '../src/db/store.ts';
import { createLogger } from '../src/logger.ts';
import type { RunningService } from '../src/service.ts';
import { createSqliteDatabase, runSql, STORES, type TestDatabase } from './support/databases.ts';
import { countingListener } from './support/listener.ts';
import { type Client, clientFor, startTestService } from './support/service.ts';

const PATH = '/api/v1/database-connections';
const CREATE = `mutation ($input: CreateDatabaseConnectionInput!) {
  result: createDatabaseConnection(input: $input, testConnection: true) {
    __typename
    ... on Error { code }
    ... on ValidationError { fieldErrors { field message } }
  }
}`;
const TEST_DRAFT = `mutation ($uri: String, $schemas: [String!]) {
  result: testConnectionUri(uri: $uri, schemas: $schemas) {
    __typename
    ... on ValidationError { code fieldErrors { field message } }
  }
}`;

/** Sends a request as written, byte for byte (fetch refuses control characters in headers): the answer. */
function rawRequest(url: string, text: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.end(text));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe.each(STORES)('bad input on $name', (store) => {
  let database: TestDatabase;
  let service: RunningService;
  let api: Client;
  let files: string;
  let listener: Awaited<ReturnType<typeof countingListener>>;
  const log: string[] = [];
  const rowCount = async () => (await runSql(database, 'SELECT id FROM database_connections')).length;
  const toListener = (rest: string) => `postgresql://u:p@127.0.0.1:${listener.port}${rest}`;

  beforeAll(async () => {
    if (store.skip) return;
    [database, listener] = await Promise.all([store.create(), countingListener()]);
    files = mkdtempSync(join(tmpdir(), 'dcapi-file-databases-'));
    writeFileSync(join(files, 'inside.db'), '');
    service = await startTestService(
      database.url,
      { ALLOW_FILE_DATABASES: 'true', FILE_DATABASES_DIR: files, READ_CACHE_ENTRIES: '0' },
      log,
    );
    api = clientFor(service.url);
  });
  afterAll(async () => {
    await service?.stop();
    await Promise.all([database?.drop(), listener?.close()]);
    if (files) rmSync(files, { recursive: true, force: true });
  });
  beforeEach(async () => {
    if (!store.skip) await runSql(database, 'DELETE FROM database_connections');
  });

  /**
   * URIs with a control character, as written or percent-encoded, where a driver or a file path would
   * read it, and the field each answer names: the part that holds it (percent-encoded, read by the
   * dialect's rules), or the whole URI (as written, a file database's path, or a host that is none).
   */
  const BAD_URIS = (): [string, string, string][] => [
    ['a NUL in a file database’s path', `sqlite:///${files}/inside.db%00.txt`, ''],
    ['a NUL in the database', toListener('/d%00b'), '.database'],
    ['a NUL in the user', `postgresql://u%00:p@127.0.0.1:${listener.port}/db`, '.username'],
    ['a NUL in the password', `postgresql://u:p%00@127.0.0.1:${listener.port}/db`, '.password'],
    ['a NUL in the host', 'postgresql://u:p@127.0.0.1%00.example/db', ''],
    ['a line break in a parameter', toListener('/db?application_name=a%0D%0Aoptions=-c'), '.options.application_name'],
    ['an escape in a parameter', toListener('/db?application_name=%1B[31m'), '.options.application_name'],
    ['a DEL, encoded', toListener('/db?application_name=%7F'), '.options.application_name'],
    ['a DEL, as written', toListener('/db?application_name=\u007F'), ''],
    ['a bell, as written', toListener('/d\u0007b'), ''],
  ];

  it.skipIf(store.skip)('refuses a URI holding a control character with 400 naming it, reaching nothing', async () => {
    for (const [what, uri, part] of BAD_URIS()) {
      const attempts = [
        await api.request('POST', `${PATH}?test=true`, { alias: 'bad', connection_uri: uri }),
        await api.request('POST', `${PATH}/test`, { connection_uri: uri }),
      ];
      // A host holding one does not read as host:port; everywhere else, the control character is named.
      const message = what.includes('host') ? /^must name its host/ : /^must not (contain|hold) control characters/;
      for (const answer of attempts) {
        expect(answer.status, `${what}: ${answer.text}`).toBe(400);
        expect(answer.body, what).toMatchObject({
          code: 'validation_failed',
          errors: [{ field: `connection_uri${part}`, message: expect.stringMatching(message) }],
        });
      }
      const created = (await api.graphql(CREATE, { input: { alias: 'bad', connectionUri: uri } })).data.result;
      expect(created, what).toMatchObject({
        __typename: 'ValidationError',
        fieldErrors: [{ field: `connectionUri${part}` }],
      });
      const drafted = (await api.graphql(TEST_DRAFT, { uri })).data.result;
      expect(drafted, what).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ field: `uri${part}` }] });
    }
    const stored = (await api.request('POST', PATH, { alias: 'kept', connection_uri: toListener('/db') })).body;
    const replaced = await api.request('PUT', `${PATH}/${stored.id}`, {
      alias: 'kept',
      connection_uri: toListener('/d%00b'),
    });
    expect(replaced.status).toBe(400);
    expect((await api.request('GET', `${PATH}/${stored.id}`)).body).toEqual(stored);
    expect(await rowCount()).toBe(1);
    expect(listener.connections()).toBe(0);
  });

  it.skipIf(store.skip)('keeps line breaks in a secret parameter, where a PEM key holds them', async () => {
    const key = encodeURIComponent('-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n');
    const created = await api.request('POST', PATH, {
      alias: 'key-pair',
      connection_uri: `snowflake://ana@xy12345/SALES?private_key=${key}`,
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body.connection_uri).toBe('snowflake://ana@xy12345/SALES?private_key=****');
  });

  it.skipIf(store.skip)('refuses a schema holding a control character, naming it', async () => {
    const rest = await api.request('POST', `${PATH}/test`, {
      connection_uri: toListener('/db'),
      schemas: ['a\u0000b'],
    });
    expect(rest.status).toBe(400);
    expect(rest.body.errors).toEqual([{ field: 'schemas[0]', message: 'must not contain control characters' }]);
    const graphql = (await api.graphql(TEST_DRAFT, { uri: toListener('/db'), schemas: ['ok', 'a\u0001b'] })).data;
    expect(graphql.result.fieldErrors).toEqual([
      { field: 'schemas[1]', message: 'must not contain control characters' },
    ]);
    expect(listener.connections()).toBe(0);
  });

  it.skipIf(store.skip)('refuses a filter holding a control character, naming it, on both interfaces', async () => {
    for (const path of [`${PATH}?workspace=a%00b`, '/api/v1/audit-events?connection_id=a%00b']) {
      const answer = await api.request('GET', path);
      expect(answer.status, path).toBe(400);
      expect(answer.body.errors[0], path).toMatchObject({ message: 'must not contain control characters' });
    }
    for (const [query, argument] of [
      ['{ databaseConnections(filter: {workspace: "a\\u0000b"}) { totalCount } }', 'filter.workspace'],
      ['{ databaseConnections(filter: {alias: "a\\u0000b"}) { totalCount } }', 'filter.alias'],
      ['{ auditEvents(filter: {connectionId: "a\\u0000b"}) { edges { cursor } } }', 'filter.connectionId'],
    ]) {
      const { errors } = await api.graphql(query as string);
      expect(errors?.[0], query).toMatchObject({
        message: `${argument} must not contain control characters.`,
        extensions: { code: 'BAD_USER_INPUT', argument },
      });
    }
  });

  it.skipIf(store.skip)(
    'answers a workspace or a key no one can name as not found, and refuses such a key name',
    async () => {
      for (const [method, path, body] of [
        ['PUT', '/api/v1/workspaces/a%00b', { name: 'c' }],
        ['DELETE', '/api/v1/workspaces/a%00b', undefined],
        ['DELETE', '/api/v1/api-keys/a%00b', undefined],
      ] as const) {
        const answer = await api.request(method, path, body);
        expect(answer.status, `${method} ${path}: ${answer.text}`).toBe(404);
      }
      const named = await api.request('POST', '/api/v1/api-keys', {
        name: 'a\u0000b',
        grants: [{ workspace: 'default', scopes: ['connections:read'] }],
      });
      expect(named.status).toBe(400);
      expect(named.body.errors).toEqual([{ field: 'name', message: 'must not contain control characters' }]);
      const { data } = await api.graphql(`mutation {
      renamed: renameWorkspace(name: "a\\u0000b", newName: "c") { __typename }
      deleted: deleteWorkspace(name: "a\\u0000b") { __typename }
      revoked: revokeApiKey(id: "a\\u0000b") { __typename }
    }`);
      expect(data).toEqual({
        renamed: { __typename: 'WorkspaceNotFoundError' },
        deleted: { __typename: 'WorkspaceNotFoundError' },
        revoked: { __typename: 'ApiKeyNotFoundError' },
      });
      expect((await api.request('GET', '/api/v1/api-keys')).body).toEqual([]);
    },
  );

  it.skipIf(store.skip)(
    'refuses a control character in a header with 400 naming the header, writing nothing',
    async () => {
      const body = JSON.stringify({ alias: 'x', connection_uri: 'postgresql://u:p@db.example/x' });
      const post = (path: string, header: string) =>
        rawRequest(
          service.url,
          `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\n${header}\r\nConnection: close\r\n\r\n${body}`,
        );
      for (const [header, field] of [
        ['X-Request-Id: a\u0000b', 'X-Request-Id'],
        ['Idempotency-Key: k\u0001', 'Idempotency-Key'],
        ['If-Match: "\u0000"', 'If-Match'],
        ['Authorization: Bearer a\u0000', 'Authorization'],
        ['X-Note: \u007F', 'X-Note'],
        ['X\u0000Y: v', 'a header name'],
      ]) {
        const answer = await post(PATH, header as string);
        const [head = '', json = ''] = answer.split('\r\n\r\n');
        expect(head, header).toMatch(/^HTTP\/1\.1 400 /);
        expect(head).toContain('Content-Type: application/problem+json');
        expect(JSON.parse(json), header).toMatchObject({
          status: 400,
          code: 'validation_failed',
          errors: [{ field, message: 'must not contain control characters' }],
          instance: PATH,
        });
        const graphql = JSON.parse((await post('/graphql', header as string)).split('\r\n\r\n')[1] ?? '');
        expect(graphql.errors[0].extensions, header).toMatchObject({ code: 'VALIDATION_FAILED', field });
      }
      expect(await rowCount()).toBe(0);
    },
  );

  it.skipIf(store.skip)(
    'refuses a query string or headers over the size Node reads with 431 problem+json',
    async () => {
      const long = 'a'.repeat(maxHeaderSize + 1);
      for (const [request, path] of [
        [`GET ${PATH}?alias=${long} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, PATH],
        [`GET /api/v1/audit-events HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Note: ${long}\r\n\r\n`, '/api/v1/audit-events'],
      ] as const) {
        const [head = '', json = ''] = (await rawRequest(service.url, request)).split('\r\n\r\n');
        expect(head, path).toMatch(/^HTTP\/1\.1 431 /);
        expect(head).toContain('Content-Type: application/problem+json');
        expect(JSON.parse(json), path).toEqual({
          type: 'about:blank',
          title: 'Request Header Fields Too Large',
          status: 431,
          code: 'headers_too_large',
          detail: `The request line and headers are over ${maxHeaderSize} bytes, the most this service reads.`,
          instance: path,
        });
      }
    },
  );

  it.skipIf(store.skip)('logged no error for any of it', () => {
    expect(log.filter((line) => JSON.parse(line).level >= 50)).toEqual([]);
  });
});

describe('a database error in the log', () => {
  it('carries its reason and where it was thrown, never the values of the failing call', async () => {
    const database = createSqliteDatabase();
    // The service makes the tables; a client of our own then makes a call Prisma refuses.
    const service = await startTestService(database.url);
    await service.stop();
    const prisma = await createPrismaClient(storeFromUrl(database.url));
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    try {
      const row = { id: 'row-id-marker', alias: 'alias-marker', connectionUriEncrypted: 'v1.ciphertext-marker' };
      await prisma.databaseConnection
        .create({ data: { ...row, version: 'not a number' } as never })
        .catch((error: Error) => {
          // As Prisma renders it: the call with its arguments.
          expect(error.message).toContain('ciphertext-marker');
          logger.error({ err: error }, 'request failed');
          logger.error({ err: new Error('the write failed', { cause: error }) }, 'request failed');
        });
    } finally {
      await prisma.$disconnect();
      await database.drop();
    }
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      for (const value of ['row-id-marker', 'alias-marker', 'ciphertext-marker', 'not a number']) {
        expect(line).not.toContain(value);
      }
      // The reason, Prisma's last line: which argument is wrong (its value never).
      expect(line).toMatch(/"message":"Argument `\w+`/);
      expect(line).toContain('PrismaClientValidationError');
      expect(line).toContain('    at ');
    }
  });
});
