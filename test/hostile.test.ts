/**
 * Hostile input through both interfaces: each gets a 4xx or a typed error and
 * nothing is stored, or, where the input is valid, it is stored as plain data
 * and nothing else changes.
 */
import net from 'node:net';
import { type GraphQLInputType, getNamedType, isEnumType, isInputObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createCertificateAuthority } from './support/certificates.ts';
import { STORES } from './support/databases.ts';
import { useServiceFixture } from './support/service.ts';
import { generateKeyPair } from './support/sshd.ts';

const PATH = '/api/v1/database-connections';
const VALID = { alias: 'valid', connection_uri: 'postgresql://u:p@h/db' };
const CREATE = `mutation ($input: CreateDatabaseConnectionInput!) {
  createDatabaseConnection(input: $input) {
    __typename
    ... on CreateDatabaseConnectionSuccess { databaseConnection { id alias connectionUri schemas metadata } }
    ... on Error { code }
  }
}`;

const nested = (levels: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
};

/** Bodies REST must refuse with 400, the same shapes GraphQL must refuse one way or another. */
const INVALID: [string, Record<string, unknown>][] = [
  ['a NUL byte in the alias', { ...VALID, alias: 'a\u0000b' }],
  ['an alias of control characters', { ...VALID, alias: '\u0007\u0008' }],
  ['an alias of 10,000 characters', { ...VALID, alias: 'x'.repeat(10_000) }],
  ['a NUL byte in the URI', { ...VALID, connection_uri: 'postgresql://u:p@h/d\u0000b' }],
  ['a line break in the URI', { ...VALID, connection_uri: 'postgresql://h/db\r\nX-Injected: 1' }],
  ['a URI of 100,000 characters', { ...VALID, connection_uri: `postgresql://h/${'d'.repeat(100_000)}` }],
  ['a URI that is javascript:', { ...VALID, connection_uri: 'javascript:alert(1)' }],
  ['metadata of 70 KiB', { ...VALID, metadata: { blob: 'x'.repeat(70 * 1024) } }],
  ['metadata nested 33 levels', { ...VALID, metadata: nested(33) as object }],
  ['metadata nested 1,000 levels', { ...VALID, metadata: nested(1_000) as object }],
  ['an object for the alias', { ...VALID, alias: { $ne: null } }],
  ['a number for the URI', { ...VALID, connection_uri: 1 }],
  ['an object for schemas', { ...VALID, schemas: { 0: 'public' } }],
  ['an array for metadata', { ...VALID, metadata: [] }],
  ['a boolean for metadata', { ...VALID, metadata: true }],
  ['a number for schemas', { ...VALID, schemas: 5 }],
  ['a number in schemas', { ...VALID, schemas: [1] }],
  ['null for schemas', { ...VALID, schemas: null }],
  ['null for the URI', { ...VALID, connection_uri: null }],
  ['no URI', { alias: 'valid' }],
  ['a private key in the metadata’s place', { ...VALID, metadata: '-----BEGIN PRIVATE KEY-----\nMIIE\n' }],
];

// Keys and certificates of the test's own, for the SSH and TLS settings.
const KEY = generateKeyPair();
const LOCKED_KEY = generateKeyPair('Locked-Key-Passphrase');
const CA = createCertificateAuthority();
const CLIENT = CA.client('analyst');
const OTHER_CLIENT = CA.client('someone-else');
const VALID_SSH = { host: 'bastion.internal', username: 'tunnel', password: 'ssh-secret' };
const TLS_URI = 'postgresql://u:p@h/db?sslmode=verify-full';
const withSsh = (settings: Record<string, unknown>) => ({ ...VALID, use_ssh: true, ssh_settings: settings });
const withTls = (settings: Record<string, unknown>, uri = TLS_URI) => ({
  ...VALID,
  connection_uri: uri,
  tls_settings: settings,
});
const BINARY_GARBAGE = String.fromCharCode(...Array.from({ length: 512 }, (_, i) => (i * 37 + 11) % 256));

INVALID.push(
  ['use_ssh without ssh_settings', { ...VALID, use_ssh: true }],
  ['a string for use_ssh', { ...VALID, use_ssh: 'yes' }],
  ['ssh_settings as a string', withSsh('bastion' as never)],
  ['ssh_settings without a password or a private key', withSsh({ host: 'b', username: 'u' })],
  ['ssh_settings without a host', withSsh({ username: 'u', password: 'p' })],
  ['an unknown member of ssh_settings', withSsh({ ...VALID_SSH, shell: '/bin/sh' })],
  ['an SSH port of 70,000', withSsh({ ...VALID_SSH, port: 70_000 })],
  ['a bastion host with a slash', withSsh({ ...VALID_SSH, host: 'bastion/../etc' })],
  ['an unreadable private key', withSsh({ ...VALID_SSH, private_key: 'not a key' })],
  ['binary garbage as the private key', withSsh({ ...VALID_SSH, private_key: BINARY_GARBAGE })],
  [
    'a private key of 100 KiB',
    withSsh({ ...VALID_SSH, private_key: `-----BEGIN OPENSSH PRIVATE KEY-----\n${'A'.repeat(100 * 1024)}` }),
  ],
  ['a public key for the private key', withSsh({ ...VALID_SSH, private_key: KEY.publicKey })],
  ['an encrypted key without its passphrase', withSsh({ ...VALID_SSH, private_key: LOCKED_KEY.privateKey })],
  [
    'an encrypted key with another passphrase',
    withSsh({ ...VALID_SSH, private_key: LOCKED_KEY.privateKey, private_key_password: 'wrong' }),
  ],
  ['a passphrase without a private key', withSsh({ ...VALID_SSH, private_key_password: 'lonely' })],
  [
    'a host key fingerprint in MD5',
    withSsh({ ...VALID_SSH, host_key_fingerprint: 'MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48' }),
  ],
  ['a private key in the SSH user name', withSsh({ ...VALID_SSH, username: KEY.privateKey })],
  ['a private key as the bastion host', withSsh({ ...VALID_SSH, host: KEY.privateKey })],
  ['**** as the SSH password on create', withSsh({ ...VALID_SSH, password: '****' })],
  ['**** as the private key on create', withSsh({ ...VALID_SSH, password: null, private_key: '****' })],
  ['tls_settings with nothing in them', withTls({})],
  [
    'tls_settings with a URI that asks for no TLS',
    withTls({ ca_certificate: CA.certificate }, 'postgresql://u:p@h/db'),
  ],
  ['a private key as the CA certificate', withTls({ ca_certificate: CLIENT.key })],
  [
    'a certificate that does not parse',
    withTls({ ca_certificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' }),
  ],
  ['binary garbage as the client certificate', withTls({ client_certificate: BINARY_GARBAGE, client_key: CLIENT.key })],
  ['a client certificate without its key', withTls({ client_certificate: CLIENT.certificate })],
  ['a client key without its certificate', withTls({ client_key: CLIENT.key })],
  [
    'a client key that is not the certificate’s',
    withTls({ client_certificate: CLIENT.certificate, client_key: OTHER_CLIENT.key }),
  ],
  ['an SSH key as the TLS client key', withTls({ client_certificate: CLIENT.certificate, client_key: KEY.privateKey })],
  ['**** as the TLS client key on create', withTls({ client_certificate: CLIENT.certificate, client_key: '****' })],
  ['a secret reference as the CA certificate, which is no secret', withTls({ ca_certificate: '${file:ca.pem}' })],
  ['a CA certificate of 100 KiB', withTls({ ca_certificate: CA.certificate.repeat(70) })],
  [
    'a URI naming a CA file',
    { ...VALID, connection_uri: 'postgresql://u:p@h/db?sslmode=verify-full&sslrootcert=/etc/ssl/ca.pem' },
  ],
  ['a URI naming a client key file', { ...VALID, connection_uri: 'postgresql://u:p@h/db?sslkey=/root/.ssh/id_rsa' }],
  [
    'a MySQL URI naming a CA file',
    { ...VALID, connection_uri: 'mysql://u:p@h/db?ssl-mode=VERIFY_CA&ssl-ca=/etc/ssl/ca.pem' },
  ],
);

/** What a refusal must never repeat: the private keys the bodies above carry. */
const NEVER_ECHOED = [KEY.privateKey, LOCKED_KEY.privateKey, CLIENT.key, OTHER_CLIENT.key].map(
  (key) => key.split('\n')[1] as string,
);

describe.each(STORES)('hostile input on $name', (store) => {
  const fixture = useServiceFixture(store);
  const api = () => fixture.api;
  const count = async () => (await api().request('GET', PATH)).body.length;
  /** A REST body in GraphQL's names: fields and the members of settings in camelCase (metadata as it is). */
  const camel = (name: string) => name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
  const toGraphQL = (body: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(body).map(([name, value]) => [
        camel(name),
        name.endsWith('_settings') && typeof value === 'object' && value !== null
          ? Object.fromEntries(Object.entries(value).map(([member, inner]) => [camel(member), inner]))
          : value,
      ]),
    );

  describe.skipIf(store.skip)('refused', () => {
    it.each(INVALID)('%s: REST 400, GraphQL an error, nothing stored', async (_name, body) => {
      const rest = await api().request('POST', PATH, body);
      expect(rest.status, rest.text.slice(0, 300)).toBe(400);
      expect(rest.body.code).toBe('validation_failed');
      const graphql = await api().graphql(CREATE, { input: toGraphQL(body) });
      const refused =
        graphql.errors !== undefined || graphql.data?.createDatabaseConnection?.__typename === 'ValidationError';
      expect(refused, JSON.stringify(graphql).slice(0, 300)).toBe(true);
      for (const secret of NEVER_ECHOED) {
        expect(rest.text).not.toContain(secret);
        expect(JSON.stringify(graphql)).not.toContain(secret);
      }
      expect(await count()).toBe(0);
    });

    it.each(INVALID)('%s: 400 from the replace and the URI test too, nothing changed', async (_name, body) => {
      const stored = (await api().request('POST', PATH, VALID)).body;
      const replaced = await api().request('PUT', `${PATH}/${stored.id}`, body);
      expect(replaced.status).toBe(400);
      expect(replaced.body.code).toBe('validation_failed');
      // A URI test takes connection_uri and schemas: the other fields of a connection are unknown to it.
      const tested = await api().request('POST', `${PATH}/test`, body);
      expect(tested.status).toBe(400);
      expect(tested.body.code).toBe('validation_failed');
      expect((await api().request('GET', PATH)).body).toEqual([stored]);
    });

    it('refuses GraphQL variables of the wrong type for every argument of every operation, never 5xx', async () => {
      const { schema } = await import('../src/schema/index.ts');
      const wrongValue = (type: GraphQLInputType): unknown => {
        const named = getNamedType(type);
        if (isInputObjectType(named)) return 5;
        if (isEnumType(named)) return 'NOT_A_VALUE';
        return { Boolean: 'yes', Int: 'x', JSONObject: 5 }[named.name] ?? { not: 'a scalar' };
      };
      let calls = 0;
      for (const root of [schema.getQueryType(), schema.getMutationType()]) {
        for (const field of Object.values(root?.getFields() ?? {})) {
          for (const argument of field.args) {
            const declared = field.args.map((arg) => `$${arg.name}: ${arg.type}`).join(', ');
            const passed = field.args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
            const keyword = root === schema.getQueryType() ? 'query' : 'mutation';
            const query = `${keyword} (${declared}) { ${field.name}(${passed}) { __typename } }`;
            const reply = await api().request('POST', '/graphql', {
              query,
              variables: { [argument.name]: wrongValue(argument.type) },
            });
            expect(reply.status, `${field.name}(${argument.name})`).toBeLessThan(500);
            expect(reply.body.errors?.length, `${field.name}(${argument.name})`).toBeGreaterThan(0);
            calls++;
          }
        }
      }
      expect(calls).toBeGreaterThan(10);
      expect(await count()).toBe(0);
    });

    it('refuses metadata nested 100,000 levels deep, sent as raw JSON, on both interfaces', async () => {
      const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      const rest = await api().request(
        'POST',
        PATH,
        `{"alias": "deep", "connection_uri": "postgresql://h/db", "metadata": {"a": ${deep}}}`,
      );
      expect(rest.status).toBe(400);
      const graphql = await api().request(
        'POST',
        '/graphql',
        `{"query": ${JSON.stringify(CREATE)}, "variables": {"input": {"alias": "deep", "connectionUri": "postgresql://h/db", "metadata": {"a": ${deep}}}}}`,
      );
      expect(graphql.status).toBeLessThan(500);
      expect(graphql.body.data?.createDatabaseConnection?.__typename ?? graphql.body.errors).toBeTruthy();
      expect(graphql.body.data?.createDatabaseConnection?.__typename).not.toBe('CreateDatabaseConnectionSuccess');
      expect(await count()).toBe(0);
    });

    it('refuses __proto__ as a top-level REST field', async () => {
      const reply = await api().request(
        'POST',
        PATH,
        `{"__proto__": {"admin": true}, "alias": "a", "connection_uri": "postgresql://h/db"}`,
      );
      expect(reply.status).toBe(400);
      expect(reply.body.errors).toEqual([{ field: '__proto__', message: 'is not a field of a database connection' }]);
      expect(await count()).toBe(0);
    });

    it('refuses bodies over 1 MiB on both interfaces', async () => {
      const huge = { ...VALID, metadata: { blob: 'x'.repeat(1_100_000) } };
      expect((await api().request('POST', PATH, huge)).status).toBe(413);
      const graphql = await api().request('POST', '/graphql', { query: CREATE, variables: { input: toGraphQL(huge) } });
      expect(graphql.status).toBe(413);
      expect(graphql.body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
      expect(await count()).toBe(0);
    });

    it('refuses wrong content types on both interfaces', async () => {
      for (const type of [
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
      ]) {
        const body = JSON.stringify(VALID);
        expect((await api().request('POST', PATH, body, { 'content-type': type })).status).toBe(415);
        const graphql = await api().request('POST', '/graphql', JSON.stringify({ query: CREATE }), {
          'content-type': type,
        });
        expect(graphql.status).toBeGreaterThanOrEqual(400);
        expect(graphql.status).toBeLessThan(500);
      }
      expect(await count()).toBe(0);
    });

    it('stores nothing from a truncated body', async () => {
      const { hostname, port } = new URL(fixture.service.url);
      const body = JSON.stringify(VALID);
      await new Promise<void>((resolve) => {
        const socket = net.connect(Number(port), hostname, () => {
          socket.write(
            `POST ${PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length + 50}\r\n\r\n${body}`,
          );
          setTimeout(() => socket.destroy(), 100);
        });
        socket.on('close', () => resolve());
      });
      expect(await count()).toBe(0);
      expect((await api().request('GET', '/health')).status).toBe(200);
    });

    it.each([
      ['SQL', "1' OR '1'='1"],
      ['a path', '..%2F..%2Fetc%2Fpasswd'],
      ['a long id', 'a'.repeat(5_000)],
      ['a UUID in capitals', '3F0B1A52-6F7E-4A53-9B4C-2D1F6F0E9A11'],
      ['a NUL byte', 'abc%00def'],
      ['a base64 Relay id', Buffer.from('DatabaseConnection:1').toString('base64')],
    ])('answers 404 or null for an id that is %s', async (_name, id) => {
      const created = (await api().request('POST', PATH, VALID)).body;
      expect((await api().request('GET', `${PATH}/${id}`)).status).toBe(404);
      expect((await api().request('PUT', `${PATH}/${id}`, VALID)).status).toBe(404);
      expect((await api().request('DELETE', `${PATH}/${id}`)).status).toBe(404);
      const decoded = decodeURIComponent(id);
      const node = await api().graphql('query ($id: ID!) { node(id: $id) { id } }', { id: decoded });
      expect(node.data.node).toBeNull();
      const update = await api().graphql('mutation ($id: ID!) { deleteDatabaseConnection(id: $id) { __typename } }', {
        id: decoded,
      });
      expect(update.data.deleteDatabaseConnection.__typename).toBe('NotFoundError');
      expect((await api().request('GET', PATH)).body).toEqual([created]);
    });
  });

  describe.skipIf(store.skip)('stored as plain data', () => {
    it.each([
      ['an alias that looks like SQL', "'; DROP TABLE database_connections; --"],
      ['an alias with emoji', 'sales 📈 dashboard'],
      ['a right-to-left alias', 'قاعدة البيانات'],
      ['an alias with combining characters', 'Zalgo̸̢͎'],
      ['a CJK alias', '数据库连接'],
      ['an alias with quotes and backslashes', `"a" 'b' \\c\\`],
    ])('%s round-trips on both interfaces', async (_name, alias) => {
      const rest = await api().request('POST', PATH, { ...VALID, alias });
      expect(rest.status).toBe(201);
      expect(rest.body.alias).toBe(alias);
      const graphql = await api().graphql(CREATE, { input: { alias: `${alias} 2`, connectionUri: 'mysql://h/d' } });
      expect(graphql.data.createDatabaseConnection.databaseConnection.alias).toBe(`${alias} 2`);
      const listed = (await api().request('GET', PATH)).body.map((connection: any) => connection.alias);
      expect(listed).toEqual([alias, `${alias} 2`]);
    });

    it('compares non-ASCII aliases ignoring case too', async () => {
      expect((await api().request('POST', PATH, { ...VALID, alias: 'Ärger-ÉTÉ' })).status).toBe(201);
      expect((await api().request('POST', PATH, { ...VALID, alias: 'ärger-été' })).status).toBe(409);
    });

    it('keeps prototype-pollution keys and NUL characters in metadata as data, polluting nothing', async () => {
      const text =
        '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "nul": "a\\u0000b"}';
      const reply = await api().request(
        'POST',
        PATH,
        `{"alias": "proto", "connection_uri": "postgresql://h/db", "metadata": ${text}}`,
      );
      expect(reply.status).toBe(201);
      const fetched = await api().request('GET', `${PATH}/${reply.body.id}`);
      expect(fetched.text).toContain('"__proto__":{"polluted":true}');
      expect(fetched.body.metadata.nul).toBe('a\u0000b');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      const graphql = await api().graphql('query ($id: ID!) { databaseConnection(id: $id) { metadata } }', {
        id: reply.body.id,
      });
      expect(Object.keys(graphql.data.databaseConnection.metadata)).toEqual(['__proto__', 'constructor', 'nul']);
    });
  });
});

describe('REST bodies and the types GraphQL takes', () => {
  // The adapter runs GraphQL with variables it made from bodies whose shape it checked: a body that
  // passes the check must be one GraphQL takes, or a caller's mistake would surface as a 500.
  const bodies: Record<string, unknown>[] = [
    VALID,
    { ...VALID, schemas: ['a', 'b'], metadata: { x: [1, { y: null }] }, use_ssh: false },
    { ...VALID, ssh_settings: { host: 'h', username: 'u', password: 'p', port: 22 } },
    { ...VALID, ssh_settings: { host: 'h', username: 'u', password: 'p', port: 2 ** 31 } },
    { ...VALID, ssh_settings: { host: 'h', username: 'u', password: 'p', port: -(2 ** 31) - 1 } },
    { ...VALID, ssh_settings: { host: 'h', username: 'u', password: 'p', port: 22.5 } },
    { ...VALID, ssh_settings: { host: 'h', username: 'u', password: null, private_key: null } },
    { ...VALID, ssh_settings: null, tls_settings: null },
    { ...VALID, tls_settings: { ca_certificate: 7 } },
    { ...VALID, schemas: ['a', null] },
    { ...VALID, schemas: null },
    { ...VALID, metadata: [] },
    { ...VALID, use_ssh: 'yes' },
    { alias: 'a' },
    { ...VALID, alias: 5 },
  ];

  it('takes only what GraphQL takes: every body that passes the shape check coerces without error', async () => {
    const { parse, getVariableValues } = await import('graphql');
    const { schema } = await import('../src/schema/index.ts');
    const { DOCUMENT_SHAPE, inputFromBody } = await import('../src/rest/connection-form.ts');
    const operation = parse(
      'mutation ($input: CreateDatabaseConnectionInput!) { createDatabaseConnection(input: $input) { __typename } }',
    ).definitions[0] as import('graphql').OperationDefinitionNode;
    let passed = 0;
    for (const body of bodies) {
      const checked = inputFromBody(body, DOCUMENT_SHAPE);
      if (!('input' in checked)) continue;
      passed++;
      const { errors } = getVariableValues(schema, operation.variableDefinitions ?? [], { input: checked.input });
      expect(errors, JSON.stringify(body)).toBeUndefined();
    }
    expect(passed).toBeGreaterThanOrEqual(4);
  });

  it.each([
    ['a port past 32 bits', { host: 'h', username: 'u', password: 'p', port: 2 ** 31 }],
    ['a port that is no whole number', { host: 'h', username: 'u', password: 'p', port: 22.5 }],
  ])('refuses %s with 400 naming ssh_settings.port', async (_name, settings) => {
    const { inputFromBody, DOCUMENT_SHAPE } = await import('../src/rest/connection-form.ts');
    const checked = inputFromBody({ ...VALID, use_ssh: true, ssh_settings: settings }, DOCUMENT_SHAPE);
    expect(checked).toEqual({ problems: [{ field: 'ssh_settings.port', message: 'must be an integer' }] });
  });
});
