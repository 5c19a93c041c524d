/**
 * A SQL Server stand-in past the handshake, as TDS 7.4 describes it: PRELOGIN answered without
 * encryption, any LOGIN7 with a LOGINACK, and each SQL batch with the rows `answer` gives for it,
 * under the names its select list gives them and typed as SQL Server sends them (nvarchar, int,
 * bigint), or with DONE alone. It keeps every batch it was sent, for a test to read as SQL Server would.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { ENCRYPT_NOT_SUP, PRELOGIN, packet, preloginAnswer, readPackets, TABULAR_RESULT } from './tds.ts';

export type TdsType = 'nvarchar' | 'int' | 'bigint';
export type TdsValue = string | number | bigint | null;
export interface TdsResult {
  columns: [name: string, type: TdsType][];
  rows: TdsValue[][];
}

const SQL_BATCH = 0x01;
const RPC = 0x03;
const LOGIN7 = 0x10;
const END_OF_MESSAGE = 0x01;
/** Latin1_General_CI_AS: LCID 0x0409, its flags and sort id. */
const COLLATION = Buffer.from([0x09, 0x04, 0xd0, 0x00, 0x34]);

const uint16 = (value: number) => Buffer.from([value & 0xff, value >> 8]);
const uint32 = (value: number) => {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value);
  return buffer;
};
/** B_VARCHAR: its length in characters, then UCS-2. */
const bVarchar = (text: string) => Buffer.concat([Buffer.from([text.length]), Buffer.from(text, 'utf16le')]);

function loginAck(): Buffer {
  const body = Buffer.concat([
    Buffer.from([0x01]), // interface: T-SQL
    Buffer.from([0x74, 0x00, 0x00, 0x04]), // TDS 7.4, big-endian
    bVarchar('Microsoft SQL Server'),
    Buffer.from([16, 0, 0x10, 0x00]), // 16.0.4096
  ]);
  return Buffer.concat([Buffer.from([0xad]), uint16(body.length), body]);
}

/** DONE, with the count of rows when there were any. */
function done(rows: number | null): Buffer {
  const count = Buffer.alloc(8);
  count.writeBigUInt64LE(BigInt(rows ?? 0));
  return Buffer.concat([Buffer.from([0xfd]), uint16(rows === null ? 0 : 0x10), uint16(0xc1), count]);
}

function columnMetadata(columns: TdsResult['columns']): Buffer {
  const described = columns.map(([name, type]) => {
    const typeInfo =
      type === 'nvarchar'
        ? Buffer.concat([Buffer.from([0xe7]), uint16(8000), COLLATION])
        : Buffer.from([0x26, type === 'int' ? 4 : 8]);
    // User type 0, flags "nullable".
    return Buffer.concat([uint32(0), uint16(0x0001), typeInfo, bVarchar(name)]);
  });
  return Buffer.concat([Buffer.from([0x81]), uint16(columns.length), ...described]);
}

function value(type: TdsType, cell: TdsValue): Buffer {
  if (type === 'nvarchar') {
    if (cell === null) return uint16(0xffff);
    const text = Buffer.from(String(cell), 'utf16le');
    return Buffer.concat([uint16(text.length), text]);
  }
  if (cell === null) return Buffer.from([0]);
  const bytes = Buffer.alloc(type === 'int' ? 4 : 8);
  if (type === 'int') bytes.writeInt32LE(Number(cell));
  else bytes.writeBigInt64LE(BigInt(cell));
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

function encoded(result: TdsResult | null): Buffer {
  if (!result) return done(null);
  const rows = result.rows.map((row) =>
    Buffer.concat([
      Buffer.from([0xd1]),
      ...row.map((cell, i) => value((result.columns[i] as [string, TdsType])[1], cell)),
    ]),
  );
  return Buffer.concat([columnMetadata(result.columns), ...rows, done(result.rows.length)]);
}

/** Sends a message in packets of at most 4096 bytes, the size tedious asks for. */
function send(socket: Socket, payload: Buffer): void {
  const size = 4096 - 8;
  const count = Math.max(1, Math.ceil(payload.length / size));
  for (let i = 0; i < count; i++) {
    const chunk = packet(TABULAR_RESULT, payload.subarray(i * size, (i + 1) * size), i + 1);
    if (i < count - 1) chunk[1] = 0x00; // more of the message follows
    socket.write(chunk);
  }
}

/**
 * The names of the columns a SELECT gives, as SQL Server (or Oracle, for a quoted alias) names
 * them: each item of its first select list (up to its FROM), by its alias or, without one, by its last name.
 */
export function selectedNames(sql: string): string[] {
  const list = /^\s*SELECT\s+([\s\S]*?)\s+FROM\s/i.exec(sql)?.[1] ?? '';
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    if (list[i] === '(') depth++;
    else if (list[i] === ')') depth--;
    else if (list[i] === ',' && depth === 0) {
      items.push(list.slice(start, i));
      start = i + 1;
    }
  }
  items.push(list.slice(start));
  return items.map((item) => /(?:\bAS\s+)?["[]?(\w+)["\]]?\s*$/i.exec(item.trim())?.[1] ?? '');
}

/** The rows as SQL Server sends them for this statement: its columns in its order, typed by their values. */
function resultOf(sql: string, rows: Record<string, TdsValue>[]): TdsResult {
  const names = selectedNames(sql);
  const typeOf = (name: string): TdsType => {
    const sample = rows.map((row) => row[name]).find((cell) => cell !== null && cell !== undefined);
    return typeof sample === 'bigint' ? 'bigint' : typeof sample === 'number' ? 'int' : 'nvarchar';
  };
  return {
    columns: names.map((name) => [name, typeOf(name)]),
    rows: rows.map((row) => names.map((name) => row[name] ?? null)),
  };
}

/**
 * The statement of a request: a SQL batch's text, or the first parameter of an RPC call (tedious's
 * execSql calls sp_executesql), an nvarchar of up to 4000 characters or, longer, an nvarchar(max)
 * sent in chunks. Each after ALL_HEADERS, whose first 4 bytes are its length.
 */
function statementOf(type: number, message: Buffer): string {
  const body = message.subarray(message.readUInt32LE(0));
  if (type === SQL_BATCH) return body.toString('utf16le');
  // Procedure id (0xFFFF, 10), option flags, the parameter's name, status, type 0xE7, its size, collation.
  let offset = 4 + 2;
  offset += 1 + 2 * (body[offset] as number) + 1 + 1;
  const size = body.readUInt16LE(offset);
  offset += 2 + 5;
  if (size !== 0xffff) return body.toString('utf16le', offset + 2, offset + 2 + body.readUInt16LE(offset));
  const chunks: Buffer[] = [];
  for (offset += 8; body.readUInt32LE(offset) > 0; offset += 4 + body.readUInt32LE(offset))
    chunks.push(body.subarray(offset + 4, offset + 4 + body.readUInt32LE(offset)));
  return Buffer.concat(chunks).toString('utf16le');
}

/**
 * ENVCHANGE type 20, routing: the server sends the client on to another server (Azure SQL's
 * redirection, an availability group's read-only routing). Protocol 0 (TCP), the port, the server's name.
 */
function routing(host: string, port: number): Buffer {
  const value = Buffer.concat([Buffer.from([0]), uint16(port), uint16(host.length), Buffer.from(host, 'utf16le')]);
  const body = Buffer.concat([Buffer.from([20]), uint16(value.length), value, uint16(0)]);
  return Buffer.concat([Buffer.from([0xe3]), uint16(body.length), body]);
}

export interface TdsServerOptions {
  /** The loopback address to listen on (127.0.0.1). */
  listenOn?: string;
  /** Answer each LOGIN7 by routing the client there, as SQL Server's redirection does. */
  routeTo?: { host: string; port: number };
}

/**
 * `answer` gives the rows of a statement by its columns' names, or null for a statement with no
 * rows; `logins` counts the LOGIN7 messages it was sent.
 */
export async function startTdsSqlServer(
  answer: (sql: string) => Record<string, TdsValue>[] | null,
  { listenOn = '127.0.0.1', routeTo }: TdsServerOptions = {},
): Promise<{ port: number; batches: string[]; logins: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const batches: string[] = [];
  let logins = 0;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let message: Buffer[] = [];
    readPackets(socket, (type, payload, status) => {
      message.push(payload);
      if ((status & END_OF_MESSAGE) === 0) return;
      const whole = Buffer.concat(message);
      message = [];
      if (type === PRELOGIN) send(socket, preloginAnswer(ENCRYPT_NOT_SUP));
      else if (type === LOGIN7) {
        logins++;
        const route = routeTo ? [routing(routeTo.host, routeTo.port)] : [];
        send(socket, Buffer.concat([loginAck(), ...route, done(null)]));
      } else if (type === SQL_BATCH || type === RPC) {
        const sql = statementOf(type, whole);
        batches.push(sql);
        const rows = answer(sql);
        send(socket, encoded(rows && resultOf(sql, rows)));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, listenOn, resolve));
  return {
    port: (server.address() as { port: number }).port,
    batches,
    logins: () => logins,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
