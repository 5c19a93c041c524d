/** Every flow, with its logs captured: no secret may reach a log line or an error message. */
import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../src/auth/api-keys.ts';
import { createLogger } from '../src/logger.ts';
import { scrub } from '../src/secrets/scrub.ts';
import { createSqliteDatabase, dropTable } from './support/databases.ts';
import { clientFor, startTestService } from './support/service.ts';

const PATH = '/api/v1/database-connections';
const PASSWORD = 'Pa55-Log-Canary';
const TOKEN = 'Tok-Log-Canary';
const uri = (host: string) => `postgresql://etl:${PASSWORD}@${host}:5432/db?sslmode=require&token=${TOKEN}`;

describe('logs and error messages', () => {
  it('never contain a URI secret, an API key or a bearer token, whatever the flow', async () => {
    const admin = generateApiKey();
    const API_KEYS = JSON.stringify([
      {
        name: 'admin',
        hash: hashApiKey(admin),
        scopes: ['connections:read', 'connections:write', 'connections:reveal'],
      },
    ]);
    const logLines: string[] = [];
    const database = createSqliteDatabase();
    const service = await startTestService(database.url, { API_KEYS, LOG_LEVEL: 'debug' }, logLines);
    const headers = { authorization: `Bearer ${admin}` };
    const api = clientFor(service.url);
    const graphql = (query: string, variables?: object) =>
      api.request('POST', '/graphql', { query, variables }, headers).then((reply) => reply.text);
    const responses: string[] = [];
    try {
      const created = (await api.request('POST', PATH, { alias: 'canary', connection_uri: uri('db1') }, headers)).body;
      const item = `${PATH}/${created.id}`;
      for (const [method, path, body] of [
        ['GET', PATH],
        ['GET', item],
        ['GET', `${item}?reveal=true`],
        ['PUT', item, { alias: 'canary', connection_uri: created.connection_uri }],
        ['PUT', item, { alias: 'canary', connection_uri: created.connection_uri.replace('db1', 'elsewhere') }],
        ['PUT', item, { alias: 'canary', connection_uri: uri('db2') }],
        ['POST', PATH, { alias: 'canary', connection_uri: uri('db3') }],
        ['POST', PATH, { alias: '', connection_uri: `${uri('db4')} with spaces` }],
        ['POST', PATH, `{"alias": "x", "connection_uri": "${uri('db5')}", oops}`],
        ['GET', PATH, undefined],
      ] as [string, string, unknown][]) {
        responses.push((await api.request(method, path, body, headers)).text);
      }
      responses.push(
        await graphql(
          'mutation ($i: CreateDatabaseConnectionInput!) { createDatabaseConnection(input: $i) { __typename } }',
          {
            i: { alias: 7, connectionUri: uri('db6') },
          },
        ),
        // graphql-js quotes invalid values in its messages: the secrets in them must be masked.
        await graphql(
          'mutation ($i: CreateDatabaseConnectionInput!) { createDatabaseConnection(input: $i) { __typename } }',
          {
            i: uri('db9'),
          },
        ),
        await graphql(`{ databaseConnections(first: "${uri('db10')}") { totalCount } }`),
        await graphql(`{ databaseConnection(id: "${created.id}") { connectionUri(reveal: true) } }`),
        await graphql('{ databaseConnections { edges { node { connectionUri } } } }'),
      );
      // An unexpected failure, with a secret in the request.
      await dropTable(database, 'database_connections');
      responses.push(
        (await api.request('POST', PATH, { alias: 'boom', connection_uri: uri('db7') }, headers)).text,
        await graphql(
          `mutation { createDatabaseConnection(input: {alias: "b", connectionUri: "${uri('db8')}"}) { __typename } }`,
        ),
      );
      responses.push((await api.request('GET', PATH, undefined, { authorization: `Bearer ${admin}x` })).text);
    } finally {
      await service.stop();
      await database.drop();
    }
    const logs = logLines.join('\n');
    expect(logLines.length).toBeGreaterThan(15);
    expect(logs).toContain('"level":50'); // the failure was logged
    for (const secret of [PASSWORD, TOKEN, admin, admin.slice(6)]) expect(logs).not.toContain(secret);

    // Responses show the secret only where reveal was asked for.
    const revealedResponses = responses.filter((text) => text.includes(PASSWORD));
    expect(revealedResponses).toHaveLength(2);
    for (const text of responses.filter((text) => !revealedResponses.includes(text))) expect(text).not.toContain(TOKEN);
  });

  it('scrubs what any code logs: messages, fields, errors and authorization headers', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    logger.info(
      { target: 'postgresql://u:s3cret@h/db', headers: { authorization: 'Bearer dcapi_k3y' } },
      'to mysql://r:s3cret@h',
    );
    logger.error({ err: new Error('cannot reach oracle://sys:s3cret@h:1521') }, 'failed');
    expect(lines).toHaveLength(2);
    expect(lines.join('')).not.toMatch(/s3cret|k3y/);
    expect(lines.join('')).toContain('postgresql://u:****@h/db');
  });

  it('masks URI secrets, bearer tokens and API keys in any text', () => {
    expect(scrub('connect to mysql://root:toor@db:3306/x failed; auth Bearer abc.def and dcapi_XyZ-1')).toBe(
      'connect to mysql://root:****@db:3306/x failed; auth Bearer [redacted] and [redacted]',
    );
  });
});
