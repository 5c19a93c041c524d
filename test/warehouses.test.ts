/**
 * What the warehouses' drivers share, through the service: schema names written as one literal
 * where a vendor's literals take backslash escapes, and answers too large to read (each vendor's
 * own protocol: test/vendors/<vendor>.test.ts). Then the binary protocols (SQL Server, Oracle)
 * against refused ports, silent servers and names that do not resolve.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../src/service.ts';
import { createCertificateAuthority } from './support/certificates.ts';
import { createSqliteDatabase, type TestDatabase } from './support/databases.ts';
import { type Client, clientFor, startTestService } from './support/service.ts';
import { closedPort, startSilentServer } from './support/targets.ts';
import { startTdsServer } from './support/tds.ts';
import { type Received, startVendorServer, type VendorServer } from './support/vendors/server.ts';

const PATH = '/api/v1/database-connections';
const TIMEOUT_MS = 1_500;

/** The SQL a stand-in was sent: Snowflake's sqlText, Databricks' statement, ClickHouse's body. */
const statementOf = (request: Received): string => {
  if (!request.body.startsWith('{')) return request.body;
  const body = JSON.parse(request.body);
  return body.sqlText ?? body.statement ?? '';
};

/** A statement read as a vendor whose string literals take backslash escapes reads it: the literals' values, and the rest. */
function backslashLiterals(sql: string): { literals: string[]; rest: string } {
  const literals: string[] = [];
  let rest = '';
  for (let i = 0; i < sql.length; ) {
    if (sql[i] !== "'") {
      rest += sql[i++];
      continue;
    }
    let value = '';
    for (i++; ; ) {
      if (i >= sql.length) return { literals, rest: `${rest}<unterminated>` };
      const char = sql[i++] as string;
      if (char === '\\') value += sql[i++] ?? '';
      else if (char === "'" && sql[i] === "'") value += sql[i++];
      else if (char === "'") break;
      else value += char;
    }
    literals.push(value);
    rest += "'…'";
  }
  return { literals, rest };
}

describe('warehouses over their vendors’ HTTP APIs', () => {
  let database: TestDatabase;
  let service: RunningService;
  let api: Client;

  beforeAll(async () => {
    database = createSqliteDatabase();
    service = await startTestService(database.url, {
      CONNECTION_TEST_TIMEOUT_MS: String(TIMEOUT_MS),
      INTROSPECTION_CACHE_MS: '0',
    });
    api = clientFor(service.url);
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });

  const testUri = (connection_uri: string, extra: Record<string, unknown> = {}) =>
    api.request('POST', `${PATH}/test`, { connection_uri, ...extra });
  const discover = async (alias: string, connection_uri: string, extra: Record<string, unknown> = {}) => {
    const created = await api.request('POST', PATH, { alias, connection_uri, ...extra });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return api.request('GET', `${PATH}/${created.body.id}/schemas`);
  };

  it('writes a schema name as one string literal, as vendors whose literals take backslash escapes read it', async () => {
    // With quotes only doubled, `\'` ends the literal and the rest of the name is read as SQL.
    const hostile = "sales\\') OR 1=1 OR table_schema IN ('";
    const clickhouse = await startVendorServer(() => ({ body: { data: [] } }));
    const statementsOf = async (make: (name: string) => Promise<unknown>, server: VendorServer | undefined) => {
      const before = server?.received.length ?? 0;
      await make('sales');
      const plain = server?.received.slice(before).map(statementOf) ?? [];
      await make(hostile);
      return { plain, hostile: server?.received.slice(before + plain.length).map(statementOf) ?? [] };
    };
    try {
      const cases = [
        [
          (name: string) =>
            discover(`ch-${name}`, `clickhouse://u@127.0.0.1:${clickhouse.port}/${encodeURIComponent(name)}`),
          clickhouse,
        ],
      ] as const;
      for (const [make, server] of cases) {
        const { plain, hostile: sent } = await statementsOf(make, server);
        const read = sent.map(backslashLiterals);
        // The same statements, the name where "sales" was, read as one literal.
        expect(read.map((statement) => statement.rest)).toEqual(
          plain.map((statement) => backslashLiterals(statement).rest),
        );
        expect(read.flatMap((statement) => statement.literals)).toContain(hostile);
        expect(read.flatMap((statement) => statement.literals)).not.toContain('sales');
      }
    } finally {
      await clickhouse.close();
    }
  });

  it('stops reading an answer over 64 MiB', async () => {
    const flood = await startVendorServer(() => ({ body: `{"data": "${'x'.repeat(65 * 2 ** 20)}"}` }));
    try {
      const result = await testUri(`trino://ana@127.0.0.1:${flood.port}/hive`);
      expect(result.body.error).toEqual({ code: 'connection_failed', message: expect.stringMatching(/over 64 MiB/) });
    } finally {
      await flood.close();
    }
  });
});

describe('SQL Server and Oracle: their drivers against what fails', () => {
  let database: TestDatabase;
  let service: RunningService;
  let api: Client;
  let silent: Awaited<ReturnType<typeof startSilentServer>>;
  let closed: number;
  beforeAll(async () => {
    database = createSqliteDatabase();
    service = await startTestService(database.url, { CONNECTION_TEST_TIMEOUT_MS: '1000' });
    api = clientFor(service.url);
    silent = await startSilentServer();
    closed = await closedPort();
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
    await silent?.close();
  });
  const code = async (uri: string, extra: Record<string, unknown> = {}) => {
    const result = await api.request('POST', `${PATH}/test`, { connection_uri: uri, ...extra });
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body.ok).toBe(false);
    return result.body.error.code;
  };

  it.each([
    ['mssql+pyodbc', 'sa:pw@HOST/master'],
    ['oracle+oracledb', 'scott:tiger@HOST/?service_name=FREEPDB1'],
  ])('%s: refused, silent, and unresolvable hosts each have their code', async (scheme, rest) => {
    expect(await code(`${scheme}://${rest.replace('HOST', `127.0.0.1:${closed}`)}`)).toBe('connection_refused');
    const started = Date.now();
    expect(await code(`${scheme}://${rest.replace('HOST', `127.0.0.1:${silent.port}`)}`)).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2_900);
    expect(await code(`${scheme}://${rest.replace('HOST', 'db.dcapi-test.invalid')}`)).toBe('host_not_found');
  });

  it('Oracle over TLS (protocol=tcps): a server whose certificate no CA vouches for is tls_error', async () => {
    const ca = createCertificateAuthority();
    const server = await startVendorServer(
      () => ({ body: '' }),
      ca.server({ dns: ['db.example.test'], ip: ['127.0.0.1'] }),
    );
    try {
      expect(await code(`oracle://scott:tiger@127.0.0.1:${server.port}/?service_name=X&protocol=tcps`)).toBe(
        'tls_error',
      );
    } finally {
      await server.close();
    }
  });

  it('Oracle takes a CA only as a wallet, with the client certificate and key; SQL Server asks a silent server for TLS in vain', async () => {
    const ca = createCertificateAuthority();
    const client = ca.client('scott');
    const create = (tls_settings: Record<string, string>) =>
      api.request('POST', PATH, {
        alias: 'ora',
        connection_uri: 'oracle://scott:tiger@db.example.com/?service_name=X&protocol=tcps',
        tls_settings,
      });
    const caOnly = await create({ ca_certificate: ca.certificate });
    expect(caOnly.status).toBe(400);
    expect(caOnly.body.errors).toEqual([
      { field: 'tls_settings', message: expect.stringMatching(/only with a client certificate and key/) },
    ]);
    const wallet = await create({
      ca_certificate: ca.certificate,
      client_certificate: client.certificate,
      client_key: client.key,
    });
    expect(wallet.status).toBe(201);
    expect(await code(`mssql://sa:pw@127.0.0.1:${silent.port}/master?encrypt=yes`)).toBe('timeout');
  });

  it('SQL Server over TLS (encrypt=yes): the certificate is checked against the CA and the URI’s host', async () => {
    const ca = createCertificateAuthority();
    const tds = await startTdsServer(ca.server({ ip: ['127.0.0.1'] }));
    const elsewhere = await startTdsServer(ca.server({ dns: ['elsewhere.test'] }));
    try {
      const test = (port: number, extra: Record<string, unknown> = {}) =>
        api.request('POST', `${PATH}/test`, {
          connection_uri: `mssql+pyodbc://sa:pw@127.0.0.1:${port}/master?encrypt=yes`,
          ...extra,
        });
      const tls_settings = { ca_certificate: ca.certificate };
      expect((await test(tds.port)).body.error).toEqual({
        code: 'tls_error',
        message: expect.stringMatching(/unable to verify/),
      });
      expect((await test(elsewhere.port, { tls_settings })).body.error).toEqual({
        code: 'tls_error',
        message: expect.stringMatching(/does not match/),
      });
      // Trusted, the handshake completes; the stand-in, which knows no more of TDS, then goes silent.
      expect((await test(tds.port, { tls_settings })).body.error.code).toBe('timeout');
    } finally {
      await tds.close();
      await elsewhere.close();
    }
  });
});
