/** The real server process, started as `npm start` starts it, driven over HTTP. */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSql } from './support/databases.ts';
import { runServerProcess, type ServerProcess, startServerProcess } from './support/process.ts';
import { clientFor } from './support/service.ts';

describe('the server process', () => {
  let folder: string;
  let server: ServerProcess;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'dcapi-e2e-'));
    // No DATABASE_URL: the embedded default, ./data/connections.db under the working folder.
    server = await startServerProcess({}, folder);
  });
  afterAll(() => {
    server?.child.kill('SIGKILL');
    rmSync(folder, { recursive: true, force: true });
  });

  it('creates its SQLite database under ./data and prints where to find it', () => {
    expect(existsSync(join(folder, 'data', 'connections.db'))).toBe(true);
    expect(server.output()).toMatch(/GraphiQL:\s+http:\/\/127\.0\.0\.1:\d+\/graphql/);
    expect(server.output()).toMatch(/API docs:\s+http:\/\/127\.0\.0\.1:\d+\/api\/v1\/docs/);
  });

  it('with no ENCRYPTION_KEY, writes a new key to ./data/encryption.key, readable by its owner only, and warns', () => {
    const keyFile = join(folder, 'data', 'encryption.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64')).toHaveLength(32);
    expect(server.output()).toMatch(/"level":40,.*ENCRYPTION_KEY is not set: generated a new encryption key/);
  });

  it('answers /health and /ready', async () => {
    const api = clientFor(server.url);
    expect(await api.request('GET', '/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await api.request('GET', '/ready')).toMatchObject({ status: 200, body: { status: 'ready' } });
  });

  it('serves the REST calls and GraphQL over HTTP', async () => {
    const api = clientFor(server.url);
    const created = await api.request('POST', '/api/v1/database-connections', {
      alias: 'e2e',
      connection_uri: 'postgresql://user:password@localhost/dbname',
      schemas: ['public'],
      metadata: { type: 'postgres' },
    });
    expect(created.status).toBe(201);
    const { data } = await api.graphql(
      'query ($id: ID!) { node(id: $id) { id ... on DatabaseConnection { alias } } }',
      {
        id: created.body.id,
      },
    );
    expect(data.node).toEqual({ id: created.body.id, alias: 'e2e' });
    const path = `/api/v1/database-connections/${created.body.id}`;
    expect((await api.request('PUT', path, { alias: 'e2e-2', connection_uri: 'mysql://h/db' })).status).toBe(200);
    expect((await api.request('DELETE', path)).status).toBe(200);
    expect((await api.request('GET', path)).status).toBe(404);
  });

  it('on SIGTERM stops accepting connections, finishes the request in flight, then exits 0', async () => {
    // A request whose body is still arriving when the signal comes.
    const body = JSON.stringify({ alias: 'in-flight', connection_uri: 'postgresql://h/db' });
    const { hostname, port } = new URL(server.url);
    const request = http.request({
      hostname,
      port,
      method: 'POST',
      path: '/api/v1/database-connections',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    const reply = new Promise<{ status?: number; text: string }>((resolve, reject) => {
      request.on('response', (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode, text }));
      });
      request.on('error', reject);
    });
    request.write(body.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 200));
    server.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // No new connection is accepted any more, while the one in flight is still served.
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    request.end(body.slice(10));
    expect((await reply).status).toBe(201);
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('"msg":"stopped"');
  });

  it('refuses to start on a database whose migration history it does not know, saying what to do', async () => {
    const url = `file:${join(folder, 'data', 'connections.db')}`;
    await runSql({ name: 'sqlite', url, drop: async () => {} }, `UPDATE "_prisma_migrations" SET checksum = 'x'`);
    const { code, output } = await runServerProcess({ DATABASE_URL: url });
    expect(code).toBe(1);
    expect(output).toMatch(/Cannot start: Migration .*\(checksum mismatch\)/);
  });

  it('refuses a FILE_DATABASES_DIR that is no folder, or that holds its own database and key', async () => {
    const url = `file:${join(folder, 'files-check', 'connections.db')}`;
    const missing = await runServerProcess({ DATABASE_URL: url, FILE_DATABASES_DIR: join(folder, 'nowhere') });
    expect(missing.code).toBe(1);
    expect(missing.output).toMatch(/FILE_DATABASES_DIR must name an existing folder/);
    const own = await runServerProcess({ DATABASE_URL: url, ALLOW_FILE_DATABASES: 'true', FILE_DATABASES_DIR: folder });
    expect(own.code).toBe(1);
    expect(own.output).toMatch(/FILE_DATABASES_DIR must not hold the service's own SQLite database/);
  });

  it('refuses a DATABASE_URL it cannot use without echoing it', async () => {
    const { code, output } = await runServerProcess({ DATABASE_URL: 'mysql://root:hunter2@db/x' });
    expect(code).toBe(1);
    expect(output).toMatch(/DATABASE_URL must be a file: URL \(SQLite\) or a postgres/);
    expect(output).not.toContain('hunter2');
  });
});
