/**
 * Connections written as a dialect and its parameters, in place of a URI, on both interfaces and
 * both stores: answered with both forms, secrets masked; a masked secret sent back keeps the stored
 * one; every mistake a 400 at the parameter at fault, nothing written.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uriOf } from '../src/dialects/parameters.ts';
import { dialectNamed } from '../src/dialects/registry.ts';
import { STORES } from './support/databases.ts';
import { useServiceFixture } from './support/service.ts';

const PATH = '/api/v1/database-connections';
const AUDIT = '/api/v1/audit-events';

const SALES = {
  alias: 'sales',
  dialect: 'postgresql',
  parameters: { host: 'db.example.com', port: 5432, database: 'sales', username: 'ana', password: 'p@ss:w/rd?' },
};

/** Text URIs must escape in user names, passwords and database names. */
const awkward = fc.stringMatching(/^[a-zA-Z0-9@:/?#%&=+ "'é€_.~-]{1,16}$/);

describe.each(STORES)('parameters on $name', (store) => {
  const fixture = useServiceFixture(store);
  const count = async () => (await fixture.api.request('GET', PATH)).body.length;

  describe.skipIf(store.skip)('REST', () => {
    it('creates from parameters, answers both forms with the secrets masked, and reveals both', async () => {
      const created = await fixture.api.request('POST', PATH, SALES);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        alias: 'sales',
        dialect: 'postgresql',
        connection_uri: 'postgresql://ana:****@db.example.com:5432/sales',
        parameters: { ...SALES.parameters, password: '****' },
      });
      const revealed = await fixture.api.request('GET', `${PATH}/${created.body.id}?reveal=true`);
      expect(revealed.body.parameters).toEqual(SALES.parameters);
      expect(revealed.body.connection_uri).toBe(uriOf(dialectNamed('postgresql'), SALES.parameters));
      // Shown twice, revealed once: one reveal in the audit trail.
      const reveals = await fixture.api.request('GET', `${AUDIT}?action=reveal`);
      expect(reveals.body.map((event: { fields: string[] }) => event.fields)).toEqual([['connection_uri']]);
    });

    it('replaces from parameters: a secret sent back as **** keeps the stored one', async () => {
      const { body } = await fixture.api.request('POST', PATH, SALES);
      const { parameters } = body;
      const replace = (changed: Record<string, unknown>) =>
        fixture.api.request('PUT', `${PATH}/${body.id}`, {
          alias: 'sales',
          dialect: 'postgresql',
          parameters: { ...parameters, ...changed },
        });
      const replaced = await replace({ sslmode: 'require' });
      expect(replaced.status).toBe(200);
      expect(replaced.body.parameters).toEqual({ ...SALES.parameters, sslmode: 'require', password: '****' });
      const revealed = await fixture.api.request('GET', `${PATH}/${body.id}?reveal=true`);
      expect(revealed.body.parameters.password).toBe(SALES.parameters.password);
      // The mask stands for the stored password only where the URI still leads to the same database.
      const elsewhere = await replace({ database: 'other' });
      expect(elsewhere.status).toBe(400);
      expect(elsewhere.body.errors).toEqual([
        { field: 'parameters', message: expect.stringMatching(/^holds \*\*\*\*/) },
      ]);
      expect((await fixture.api.request('GET', `${PATH}/${body.id}`)).body.parameters.database).toBe('sales');
    });

    it.each([
      [
        'both forms',
        { ...SALES, connection_uri: 'postgresql://a@b/c' },
        [{ field: 'parameters', message: 'must not be sent with connectionUri: send one of the two forms' }],
      ],
      [
        'neither form',
        { alias: 'sales' },
        [{ field: 'connection_uri', message: 'is required, or dialect and parameters in its place' }],
      ],
      [
        'parameters without a dialect',
        { alias: 'x', parameters: SALES.parameters },
        [{ field: 'dialect', message: 'is required with parameters' }],
      ],
      [
        'a dialect without parameters',
        { alias: 'x', dialect: 'postgresql' },
        [{ field: 'parameters', message: 'is required with dialect' }],
      ],
      [
        'an unknown parameter and a missing host',
        { alias: 'x', dialect: 'postgresql', parameters: { colour: 'blue', port: 'five' } },
        [
          { field: 'parameters.colour', message: 'is not a parameter of postgresql' },
          { field: 'parameters.port', message: 'must be an integer from 1 to 65535' },
          { field: 'parameters.host', message: 'is required' },
        ],
      ],
      [
        'bad parameters beside another field at fault',
        { alias: '', dialect: 'mysql', parameters: {} },
        [
          { field: 'parameters.host', message: 'is required' },
          { field: 'alias', message: 'must not be empty or only spaces' },
        ],
      ],
    ])('refuses %s: 400 naming the fields, nothing written', async (_case, body, errors) => {
      const reply = await fixture.api.request('POST', PATH, body);
      expect(reply.status).toBe(400);
      expect(reply.body.code).toBe('validation_failed');
      expect(reply.body.errors).toEqual(errors);
      expect(await count()).toBe(0);
    });

    it('refuses a dialect it does not know', async () => {
      const reply = await fixture.api.request('POST', PATH, { ...SALES, dialect: 'dbase' });
      expect(reply.status).toBe(400);
      expect(reply.body.errors).toEqual([
        { field: 'dialect', message: expect.stringMatching(/^must be one of postgresql/) },
      ]);
      expect(await count()).toBe(0);
    });

    it('tests parameters before saving: a refused connection is a result, a bad parameter a 400', async () => {
      const closed = { ...SALES.parameters, host: '127.0.0.1', port: 1 };
      const tested = await fixture.api.request('POST', `${PATH}/test`, { dialect: 'postgresql', parameters: closed });
      expect(tested.status).toBe(200);
      expect(tested.body).toMatchObject({ ok: false, error: { code: expect.any(String) } });
      const bad = await fixture.api.request('POST', `${PATH}/test`, { dialect: 'postgresql', parameters: { port: 1 } });
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([{ field: 'parameters.host', message: 'is required' }]);
    });
  });

  describe.skipIf(store.skip)('GraphQL', () => {
    const CREATE = `mutation ($input: CreateDatabaseConnectionInput!) {
      createDatabaseConnection(input: $input) {
        __typename
        ... on CreateDatabaseConnectionSuccess { databaseConnection { id dialect parameters plain: parameters(reveal: true) connectionUri(reveal: true) } }
        ... on ValidationError { fieldErrors { field message } }
      }
    }`;

    it('round-trips parameters with characters URIs must escape, for a server and a warehouse', async () => {
      const server = fc.record({
        host: fc.constant('db.internal'),
        username: awkward,
        password: awkward,
        database: awkward,
      });
      const warehouse = fc.record({
        account: fc.constant('acme-eu'),
        username: awkward,
        password: awkward,
        warehouse: awkward,
      });
      let n = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            server.map((p) => ['POSTGRESQL', p] as const),
            warehouse.map((p) => ['SNOWFLAKE', p] as const),
          ),
          async ([dialect, parameters]) => {
            const input = { alias: `c${n++}`, dialect, parameters };
            const reply = await fixture.api.graphql(CREATE, { input });
            const connection = reply.data.createDatabaseConnection.databaseConnection;
            expect(connection.dialect).toBe(dialect);
            expect(connection.plain).toEqual(parameters);
            expect(connection.parameters).toEqual({ ...parameters, password: '****' });
            expect(connection.connectionUri).toBe(
              uriOf(dialectNamed(dialect.toLowerCase() as 'postgresql'), parameters),
            );
          },
        ),
        { numRuns: 15 },
      );
    });

    it('names the parameter at fault, nothing written', async () => {
      const reply = await fixture.api.graphql(CREATE, {
        input: { alias: 'x', dialect: 'BIGQUERY', parameters: { project: 'p', dataset: 3 } },
      });
      expect(reply.data.createDatabaseConnection).toEqual({
        __typename: 'ValidationError',
        fieldErrors: [
          { field: 'parameters.dataset', message: 'must be a string' },
          { field: 'parameters.credentials_base64', message: 'is required' },
        ],
      });
      expect(await count()).toBe(0);
    });
  });
});
