/**
 * The parameters of each dialect's URI: they convert to a URI and back without loss, for every
 * dialect, whatever characters user names, passwords and database names hold; and the dialects
 * are listed, with a JSON Schema of their parameters, on REST and GraphQL.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  describeDialect,
  OPTIONS_PARAMETER,
  type ParameterDeclaration,
  type Parameters,
  parameterProblems,
  parametersOf,
  parametersSchema,
  uriOf,
} from '../src/dialects/parameters.ts';
import { DIALECTS, dialectNamed, dialectOfUri } from '../src/dialects/registry.ts';
import { MASK, maskConnectionUri } from '../src/secrets/uri-secrets.ts';
import { STORES } from './support/databases.ts';
import { ajv } from './support/openapi.ts';
import { useServiceFixture } from './support/service.ts';

/** Text with what URIs must escape: @ : / ? # % & = + space, quotes, and letters beyond ASCII. */
const awkward = fc.stringMatching(/^[a-zA-Z0-9@:/?#%&=+ "'é€_.~-]{1,24}$/);
const hostName = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,10}){0,3}$/);
const filePath = fc.stringMatching(/^\/[a-zA-Z0-9_.-]{1,12}(\/[a-zA-Z0-9_.-]{1,12}){0,3}$/);
const optionName = fc.stringMatching(/^[a-z][a-z_]{0,10}$/);

/** Any value a parameter may take; the host, a name or an IPv6 address. */
function anyValueOf(parameter: ParameterDeclaration) {
  if (parameter.part === 'port') return fc.integer({ min: 1, max: 65535 });
  if (parameter.part === 'host') return fc.oneof(hostName, fc.constant('::1'), fc.constant('10.0.3.12'));
  if (parameter.part === 'file') return filePath;
  return awkward;
}

/** Parameters of this dialect: the required ones, any of the others, and other query parameters. */
function parametersArbitrary(declared: ParameterDeclaration[], fileBased: boolean) {
  const record = fc.record(Object.fromEntries(declared.map((parameter) => [parameter.name, anyValueOf(parameter)])), {
    requiredKeys: declared.filter((parameter) => parameter.required).map((parameter) => parameter.name),
  });
  if (fileBased) return record;
  const reserved = new Set(declared.map((parameter) => parameter.queryName ?? parameter.name));
  const options = fc.dictionary(
    optionName.filter((name) => !reserved.has(name)),
    awkward,
    { maxKeys: 3 },
  );
  return fc
    .tuple(record, options)
    .map(([given, extra]) =>
      Object.keys(extra).length > 0 ? { ...given, [OPTIONS_PARAMETER]: extra } : given,
    ) as fc.Arbitrary<Parameters>;
}

describe.each(DIALECTS.map((dialect) => ({ dialect, name: dialect.name })))(
  'the parameters of $name',
  ({ dialect }) => {
    const description = describeDialect(dialect);

    it('make a URI of the dialect and come back from it unchanged', () => {
      fc.assert(
        fc.property(parametersArbitrary(description.parameters, dialect.fileBased), (parameters) => {
          const uri = uriOf(dialect, parameters);
          expect(dialectOfUri(uri)?.name).toBe(dialect.name);
          expect(uri).not.toMatch(/\s/);
          expect(parametersOf(dialect, uri)).toEqual(parameters);
          // And the URI is the same when made again from what it read.
          expect(uriOf(dialect, parametersOf(dialect, uri))).toBe(uri);
        }),
        { numRuns: 200 },
      );
    });

    it('have a JSON Schema that takes them, and refuses unknown ones', () => {
      const validate = ajv.compile(parametersSchema(description));
      fc.assert(
        fc.property(parametersArbitrary(description.parameters, dialect.fileBased), (parameters) => {
          expect(validate(parameters), JSON.stringify(validate.errors)).toBe(true);
        }),
        { numRuns: 50 },
      );
      expect(validate({ no_such_parameter: 'x' })).toBe(false);
    });

    it('pass the checks of a write, and their URI masks exactly the parameters declared secret', () => {
      fc.assert(
        fc.property(parametersArbitrary(description.parameters, dialect.fileBased), (parameters) => {
          expect(parameterProblems(dialect, parameters)).toEqual([]);
          const masked = parametersOf(dialect, maskConnectionUri(uriOf(dialect, parameters)));
          for (const parameter of description.parameters) {
            if (parameters[parameter.name] === undefined) continue;
            const expected = parameter.secret ? MASK : parameters[parameter.name];
            expect(masked[parameter.name], parameter.name).toEqual(expected);
          }
        }),
        { numRuns: 100 },
      );
    });
  },
);

describe('parameterProblems', () => {
  const postgres = dialectNamed('postgresql');

  it('names each parameter at fault, under parameters', () => {
    expect(parameterProblems(postgres, { port: '5432', colour: 'blue', username: 7, options: { a: 1 } })).toEqual([
      { field: 'parameters.port', message: 'must be an integer from 1 to 65535' },
      { field: 'parameters.colour', message: 'is not a parameter of postgresql' },
      { field: 'parameters.username', message: 'must be a string' },
      { field: 'parameters.options', message: 'must be an object of strings' },
      { field: 'parameters.host', message: 'is required' },
    ]);
    expect(parameterProblems(postgres, { host: 'db', database: 'a\nb' })).toEqual([
      { field: 'parameters.database', message: 'must not contain control characters' },
    ]);
    expect(parameterProblems(dialectNamed('sqlite'), { file: '/data/a.db', options: {} })).toEqual([
      { field: 'parameters.options', message: 'is not a parameter of sqlite' },
    ]);
  });
});

describe('parametersOf', () => {
  it('reads the URIs of the documentation', () => {
    const postgres = DIALECTS.find((dialect) => dialect.name === 'postgresql');
    if (!postgres) throw new Error('no postgresql');
    expect(
      parametersOf(
        postgres,
        'postgresql://bi:s3cr%40t@warehouse.internal:5432/sales?sslmode=require&connect_timeout=5',
      ),
    ).toEqual({
      host: 'warehouse.internal',
      port: 5432,
      database: 'sales',
      username: 'bi',
      password: 's3cr@t',
      sslmode: 'require',
      options: { connect_timeout: '5' },
    });
  });
});

describe('the dialects', () => {
  const fixture = useServiceFixture(STORES[0]);

  it('are listed on REST with what each supports and the JSON Schema of its parameters', async () => {
    const reply = await fixture.api.request('GET', '/api/v1/dialects');
    expect(reply.status).toBe(200);
    expect(reply.body.map((dialect: { name: string }) => dialect.name)).toEqual(
      DIALECTS.map((dialect) => dialect.name),
    );
    const snowflake = reply.body.find((dialect: { name: string }) => dialect.name === 'snowflake');
    expect(snowflake).toMatchObject({
      label: 'Snowflake',
      default_port: 443,
      supports: { schemas: true, test: true, discovery: true, ssh: true, tls: true, file_database: false },
    });
    expect(snowflake.parameters.required).toEqual(['account', 'username']);
    expect(snowflake.parameters.properties.private_key).toMatchObject({ format: 'password', 'x-secret': true });
    const sqlite = reply.body.find((dialect: { name: string }) => dialect.name === 'sqlite');
    expect(sqlite.supports).toMatchObject({ ssh: false, tls: false, file_database: true });
  });

  it('are the same on GraphQL', async () => {
    const reply = await fixture.api.graphql(
      '{ dialects { name label defaultPort parameters { name required secret default } } }',
    );
    const postgres = reply.data.dialects.find((dialect: { name: string }) => dialect.name === 'POSTGRESQL');
    expect(postgres).toMatchObject({ label: 'PostgreSQL', defaultPort: 5432 });
    expect(postgres.parameters).toContainEqual({ name: 'password', required: false, secret: true, default: null });
    expect(postgres.parameters).toContainEqual({ name: 'port', required: false, secret: false, default: '5432' });
  });
});
