/**
 * The benchmark's baseline: the same Prisma client and the same response bodies
 * as the service, over plain node:http, with no REST adapter, Yoga, auth or
 * logging in between. GET (one and all), POST and PUT of /api/v1/database-connections[/id],
 * and POST /graphql for the bench's queries (bench/baseline-graphql.ts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config.ts';
import { CONNECTION_FIELDS, type ConnectionDocument } from '../src/connections/fields.ts';
import { type ConnectionRow, changedColumns, newRow, rowMetadata, rowSchemas } from '../src/connections/records.ts';
import { createPrismaClient } from '../src/db/client.ts';
import { storeFromUrl } from '../src/db/store.ts';
import { dialectOfUri } from '../src/dialects/registry.ts';
import { createLogger } from '../src/logger.ts';
import { connectionSecrets } from '../src/secrets/connection-secrets.ts';
import { loadKeyring } from '../src/secrets/keyring.ts';
import { graphqlBaseline } from './baseline-graphql.ts';

const config = loadConfig();
const store = storeFromUrl(config.DATABASE_URL);
const prisma = createPrismaClient(store);
const secrets = connectionSecrets(loadKeyring(config, store, createLogger('silent')), true);
const graphql = graphqlBaseline(prisma);
const health = CONNECTION_FIELDS.health.value;

const body = (row: ConnectionRow) => ({
  id: row.id,
  alias: row.alias,
  connection_uri: row.connectionUriMasked,
  dialect: row.dialect,
  use_ssh: row.useSsh,
  ssh_settings: row.sshSettingsMasked === null ? null : JSON.parse(row.sshSettingsMasked),
  tls_settings: row.tlsSettingsMasked === null ? null : JSON.parse(row.tlsSettingsMasked),
  schemas: rowSchemas(row),
  metadata: rowMetadata(row),
  health: health.toRest?.(health.derive?.(row)),
  managed: row.managed,
  created_at: row.createdAt.toISOString(),
  updated_at: row.updatedAt.toISOString(),
});

/** The document of a REST body; the bench sends no SSH or TLS settings. */
const documentOf = (body: Record<string, unknown>): ConnectionDocument => ({
  alias: body.alias as string,
  connectionUri: body.connection_uri as string,
  schemas: (body.schemas as string[] | undefined) ?? [],
  metadata: (body.metadata as Record<string, unknown> | undefined) ?? {},
  useSsh: false,
  sshSettings: null,
  tlsSettings: null,
});

async function readJson(request: import('node:http').IncomingMessage) {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString());
}

const server = createServer(async (request, response) => {
  const send = (status: number, value: unknown) => {
    const json = JSON.stringify(value);
    response.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(json),
    });
    response.end(json);
  };
  try {
    if (request.method === 'POST' && request.url === '/graphql') {
      const json = await graphql(await readJson(request));
      response.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(json),
      });
      return response.end(json);
    }
    const id = /^\/api\/v1\/database-connections\/([^/?]+)/.exec(request.url ?? '')?.[1];
    if (request.method === 'GET' && id) {
      const row = await prisma.databaseConnection.findUnique({ where: { id } });
      return row ? send(200, body(row)) : send(404, {});
    }
    if (request.method === 'GET' && request.url === '/api/v1/database-connections') {
      // The floor of the REST list: the same rows in the same order, in one query.
      const rows = await prisma.databaseConnection.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
      return send(200, rows.map(body));
    }
    if (request.method === 'POST') {
      const document = documentOf(await readJson(request));
      const dialect = dialectOfUri(document.connectionUri)?.name ?? 'postgresql';
      const row = await prisma.databaseConnection.create({ data: newRow(document, dialect, secrets) });
      return send(201, body(row));
    }
    if (request.method === 'PUT' && id) {
      const document = documentOf(await readJson(request));
      const row = await prisma.databaseConnection.update({
        where: { id },
        data: changedColumns(id, document, dialectOfUri(document.connectionUri)?.name, secrets, []),
      });
      return send(200, body(row));
    }
    send(404, {});
  } catch (error) {
    send(500, { error: String(error) });
  }
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`BASELINE http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => server.close(() => prisma.$disconnect().then(() => process.exit(0))));
