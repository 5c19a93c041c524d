/**
 * The benchmark's baseline: the same Prisma client and the same response bodies
 * as the service, over plain node:http, with no REST adapter, Yoga, auth or
 * logging in between. GET (one and all), POST and PUT of /api/v1/database-connections[/id],
 * and POST /graphql for the bench's queries (bench/baseline-graphql.ts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config.ts';
import {
  type ConnectionDocument,
  type FieldDeclaration,
  INPUT_FIELDS,
  REST_FIELDS,
} from '../src/connections/fields/fields.ts';
import { type ConnectionRow, changedColumns, newRow } from '../src/connections/stored/records.ts';
import { createPrismaClient } from '../src/db/client.ts';
import { storeFromUrl } from '../src/db/store.ts';
import { dialectOfUri } from '../src/dialects/registry.ts';
import { createLogger } from '../src/logger.ts';
import { renameMembers } from '../src/rest/connection-form.ts';
import { connectionSecrets, maskedColumn } from '../src/secrets/connection-secrets.ts';
import { loadKeyring } from '../src/secrets/keyring.ts';
import { graphqlBaseline } from './baseline-graphql.ts';

const config = loadConfig();
const store = storeFromUrl(config.DATABASE_URL);
const prisma = await createPrismaClient(store);
const secrets = connectionSecrets(loadKeyring(config, store, createLogger('silent')), true);
const graphql = graphqlBaseline(prisma);
/** A row's column as REST shows it: masked for secrets, parsed where stored as JSON text. */
function columnValue(row: ConnectionRow, name: string, field: FieldDeclaration): unknown {
  const record = row as unknown as Record<string, unknown>;
  const text = field.secret ? record[maskedColumn(name)] : record[name];
  if (field.value.derive) return field.value.derive(record);
  // Read from another field (the parameters, from the masked URI).
  if (field.derivedFrom) {
    const source = record[maskedColumn(field.derivedFrom.field)] as string;
    return field.derivedFrom.derive(source, row.dialect as Parameters<typeof field.derivedFrom.derive>[1]);
  }
  if (text instanceof Date) return text.toISOString();
  return field.value.stored === 'json' && typeof text === 'string' ? JSON.parse(text) : text;
}

/** The REST body of a row, field by field as the declarations say (src/connections/fields/fields.ts). */
const body = (row: ConnectionRow) =>
  Object.fromEntries(
    REST_FIELDS.map(([name, field]) => {
      const value = columnValue(row, name, field);
      const { group, toRest } = field.value;
      return [field.rest, group ? renameMembers(value as never, group, true) : toRest ? toRest(value) : value];
    }),
  );

/** The document of a REST body: its fields renamed, the declared defaults where it leaves one out. */
const documentOf = (body: Record<string, unknown>) =>
  Object.fromEntries(
    INPUT_FIELDS.map(([name, field]) => [
      name,
      body[field.rest ?? name] ?? (field.input?.required === false ? field.input.default : undefined),
    ]),
  ) as ConnectionDocument;

async function readJson(request: import('node:http').IncomingMessage) {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString());
}

const server = createServer(async (request, response) => {
  // With the row's version as its ETag, as the service gives it (the mixed scenario compares them).
  const send = (status: number, value: unknown, version?: number) => {
    const json = JSON.stringify(value);
    response.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(json),
      ...(version !== undefined && { etag: `"${version}"` }),
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
      return row ? send(200, body(row), row.version) : send(404, {});
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
      return send(201, body(row), row.version);
    }
    if (request.method === 'PUT' && id) {
      const document = documentOf(await readJson(request));
      const row = await prisma.databaseConnection.update({
        where: { id },
        data: changedColumns(id, document, dialectOfUri(document.connectionUri)?.name, secrets, []),
      });
      return send(200, body(row), row.version);
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
