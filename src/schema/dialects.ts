/** The dialects query: every kind of database, what it supports, and the parameters of its URI. */
import { builder } from '../builder.ts';
import { type DialectDescription, describeDialect, parametersSchema } from '../dialects/parameters.ts';
import { DIALECTS, type Dialect } from '../dialects/registry.ts';
import { DialectEnum } from './connection-fields.ts';

type Described = Dialect & { description: DialectDescription };

const DialectParameter = builder.objectRef<DialectDescription['parameters'][number]>('DialectParameter').implement({
  description: 'A part of the connection URI, by name.',
  fields: (t) => ({
    name: t.exposeString('name'),
    type: t.exposeString('type', { description: '`string` or `integer`.' }),
    required: t.exposeBoolean('required'),
    secret: t.exposeBoolean('secret', { description: 'Shown as **** unless revealed, as the URI’s secrets.' }),
    default: t.string({
      nullable: true,
      description: 'What a form may start with.',
      resolve: (parameter) => (parameter.default === undefined ? null : String(parameter.default)),
    }),
    description: t.exposeString('description'),
  }),
});

const DatabaseDialect = builder.objectRef<Described>('DatabaseDialect').implement({
  description: 'A kind of database the service connects to.',
  fields: (t) => ({
    name: t.field({ type: DialectEnum, resolve: (dialect) => dialect.name }),
    label: t.string({ resolve: (dialect) => dialect.description.label }),
    defaultPort: t.int({ nullable: true, resolve: (dialect) => dialect.defaultPort ?? null }),
    schemes: t.stringList({
      description: 'The URI schemes it accepts, SQLAlchemy’s driver suffixes included.',
      resolve: (dialect) => [...dialect.schemes],
    }),
    supportsSchemas: t.boolean({ resolve: (dialect) => dialect.supportsSchemas }),
    supportsTest: t.boolean({ description: 'Every dialect has a driver that tests.', resolve: () => true }),
    supportsDiscovery: t.boolean({ description: 'Every dialect’s driver lists schemas.', resolve: () => true }),
    supportsSsh: t.boolean({
      description: 'Whether an SSH bastion can lead to it.',
      resolve: (dialect) => !dialect.fileBased,
    }),
    supportsTls: t.boolean({ resolve: (dialect) => dialect.tls !== undefined }),
    fileDatabase: t.boolean({
      description: 'A database in a file: tested and discovered only with ALLOW_FILE_DATABASES=true.',
      resolve: (dialect) => dialect.fileBased,
    }),
    parameters: t.field({ type: [DialectParameter], resolve: (dialect) => dialect.description.parameters }),
    parametersSchema: t.field({
      type: 'JSONObject',
      description: 'A JSON Schema of the parameters: secrets have `format: password` and `x-secret: true`.',
      resolve: (dialect) => parametersSchema(dialect.description),
    }),
  }),
});

builder.queryField('dialects', (t) =>
  t.field({
    type: [DatabaseDialect],
    description: 'Every kind of database: what it supports, and the parameters of its URI.',
    resolve: () => DIALECTS.map((dialect) => ({ ...dialect, description: describeDialect(dialect) })),
  }),
);
