/**
 * The benchmark's baseline: the same Prisma client and the same response bodies
 * as the service, over plain node:http, with no REST adapter, Yoga, auth or
 * logging in between. GET (one and all), POST and PUT of /api/v1/database-connections[/id],
 * and POST /graphql for the bench's queries (bench/baseline-graphql.ts).
 *
 * A write makes the statements the service's must: the row, its audit event and, on PostgreSQL,
 * the change notification, in one transaction, as a server written by hand would, in as few
 * round trips as it can: on PostgreSQL one statement (the service's table modules' SQL, joined as
 * the service joins it), on SQLite one batch (in process). It reads nothing first: a PUT records
 * the fields its body names, where the service records those that changed. Its notifications go
 * where the service's do: the service, on the same database, hears of the rows it changes (as it
 * would of another instance's writes) and keeps no stale row of them.
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
import { recordedStatement } from '../src/db/recorded-statement.ts';
import { storeFromUrl } from '../src/db/store.ts';
import { auditEventStatement } from '../src/db/tables/audit-events.ts';
import { connectionStore, type RowWrite } from '../src/db/tables/connections.ts';
import { dialectOfUri } from '../src/dialects/registry.ts';
import { CHANNEL } from '../src/events/connection-events.ts';
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
const connections = connectionStore(prisma);

/** A write of one connection with its audit event and its notification, in one transaction. */
async function recorded(write: RowWrite, action: 'create' | 'update', id: string, document: Record<string, unknown>) {
  const at = new Date();
  const audit = {
    at,
    actor: 'bench',
    action,
    workspace: (document.workspace as string | undefined) ?? null,
    connectionId: id,
    alias: (document.alias as string | undefined) ?? null,
    fields: JSON.stringify(Object.keys(document)),
    outcome: 'ok',
  };
  if (store.provider === 'sqlite') {
    const [row] = await prisma.$transaction([write.query(), prisma.auditEvent.create({ data: audit })]);
    return row;
  }
  const payload = JSON.stringify({ action: `${action}d`, connectionId: id, at: at.toISOString() });
  const statement = recordedStatement(write.statement(), (source) => auditEventStatement(source, audit), {
    channel: CHANNEL,
    payload,
  });
  const [row] = await prisma.$queryRaw<ConnectionRow[]>(statement);
  if (!row) throw new Error(`no connection ${id}`);
  return row;
}
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
      const json = await readJson(request);
      const document = documentOf(json);
      const dialect = dialectOfUri(document.connectionUri)?.name ?? 'postgresql';
      const data = newRow(document, dialect, secrets);
      const row = await recorded(connections.insertRow(data), 'create', data.id, json);
      return send(201, body(row), row.version);
    }
    if (request.method === 'PUT' && id) {
      const json = await readJson(request);
      const document = documentOf(json);
      const data = changedColumns(id, document, dialectOfUri(document.connectionUri)?.name, secrets, []);
      const row = await recorded(connections.updateRow({ id }, data), 'update', id, json);
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
