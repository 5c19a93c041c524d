/**
 * HTTP(S) servers of the tests' own that stand in for vendors' APIs no server of which can run on
 * this machine: each answers as the vendor documents, and records what it was sent.
 */
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Issued } from '../certificates.ts';
import { untold } from '../discovery.ts';

export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (
  request: Received,
) => { status?: number; body: unknown; type?: string } | Promise<{ status?: number; body: unknown; type?: string }>;

export interface VendorServer {
  url: string;
  port: number;
  received: Received[];
  close(): Promise<void>;
}

export async function startVendorServer(handler: Handler, tls?: Issued): Promise<VendorServer> {
  const received: Received[] = [];
  const listener = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const entry = {
      method: request.method ?? '',
      path: request.url ?? '',
      headers: request.headers,
      body: Buffer.concat(chunks).toString(),
    };
    received.push(entry);
    const answer = await handler(entry);
    const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    response.writeHead(answer.status ?? 200, { 'content-type': answer.type ?? 'application/json' });
    response.end(body);
  };
  const server = tls ? createHttps({ cert: tls.certificate, key: tls.key }, listener) : createHttp(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The one small warehouse every stand-in holds: schema "sales" with a table "orders" (id not
 * null, note nullable) and a view "recent"; and the answers to the statements the drivers send,
 * recognised by what they read.
 */
export const WAREHOUSE = {
  schemas: ['sales', 'information_schema'],
  tables: [
    ['sales', 'orders', 'BASE TABLE'],
    ['sales', 'recent', 'VIEW'],
  ],
  columns: [
    ['sales', 'orders', 'id', 'NUMBER', 'NO'],
    ['sales', 'orders', 'note', 'TEXT', 'YES'],
    ['sales', 'recent', 'id', 'NUMBER', 'YES'],
  ],
};

export interface SqlAnswer {
  columns: string[];
  rows: unknown[][];
}

/** The rows a vendor's catalog gives for these statements; undefined for any other. */
export function answerSql(sql: string, version: string): SqlAnswer | undefined {
  const text = sql.toLowerCase();
  const inSales = (rows: unknown[][]) => rows.filter((row) => text.includes(`'${row[0]}'`));
  if (/^select 1\b/.test(text)) return { columns: ['1'], rows: [[1]] };
  if (text.includes('version()')) return { columns: ['V'], rows: [[version]] };
  if (text.includes('information_schema.schemata'))
    return { columns: ['NAME'], rows: WAREHOUSE.schemas.filter((s) => !text.includes(`<> '${s}'`)).map((s) => [s]) };
  if (text.includes('information_schema.tables'))
    return { columns: ['SCHEMA', 'TABLE', 'TYPE'], rows: inSales(WAREHOUSE.tables) };
  if (text.includes('information_schema.columns'))
    return { columns: ['SCHEMA', 'TABLE', 'COLUMN', 'TYPE', 'NULLABLE'], rows: inSales(WAREHOUSE.columns) };
  return undefined;
}

/** What discovery must find in that warehouse, in the API's shape. */
export const DISCOVERED_SALES = untold({
  name: 'sales',
  tables: [
    {
      name: 'orders',
      type: 'table',
      columns: [
        { name: 'id', type: 'NUMBER', nullable: false },
        { name: 'note', type: 'TEXT', nullable: true },
      ],
    },
    { name: 'recent', type: 'view', columns: [{ name: 'id', type: 'NUMBER', nullable: true }] },
  ],
});
