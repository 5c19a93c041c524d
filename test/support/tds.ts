/**
 * The start of SQL Server's TDS protocol, enough for a client that asks for encryption: the
 * PRELOGIN answer (version, ENCRYPT_ON), then the TLS handshake carried in PRELOGIN packets, as
 * SQL Server does, with a certificate of the test's own. What follows the handshake is never reached.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { createSecureContext, TLSSocket } from 'node:tls';
import type { Issued } from './certificates.ts';

export const PRELOGIN = 0x12;
export const TABULAR_RESULT = 0x04;
/** ENCRYPTION in PRELOGIN: the server will use TLS, or it supports none. */
export const ENCRYPT_ON = 0x01;
export const ENCRYPT_NOT_SUP = 0x02;

/** One TDS packet: type, status "end of message", length, SPID 0, packet id, window. */
export function packet(type: number, payload: Buffer, id = 1): Buffer {
  const header = Buffer.from([type, 0x01, 0, 0, 0, 0, id & 0xff, 0]);
  header.writeUInt16BE(payload.length + 8, 2);
  return Buffer.concat([header, payload]);
}

/** PRELOGIN's answer: VERSION (15.0.2000) and ENCRYPTION, then the terminator. */
export function preloginAnswer(encryption = ENCRYPT_ON): Buffer {
  const options = [
    [0x00, Buffer.from([0x0f, 0x00, 0x07, 0xd0, 0x00, 0x00])],
    [0x01, Buffer.from([encryption])],
  ] as const;
  let offset = options.length * 5 + 1;
  const tokens: Buffer[] = [];
  for (const [token, data] of options) {
    const entry = Buffer.alloc(5);
    entry.writeUInt8(token, 0);
    entry.writeUInt16BE(offset, 1);
    entry.writeUInt16BE(data.length, 3);
    tokens.push(entry);
    offset += data.length;
  }
  return Buffer.concat([...tokens, Buffer.from([0xff]), ...options.map(([, data]) => data)]);
}

/** Splits what a socket receives into TDS packets, calling `each` with their type, payload and status. */
export function readPackets(socket: Socket, each: (type: number, payload: Buffer, status: number) => void): void {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 8 && pending.length >= pending.readUInt16BE(2)) {
      const length = pending.readUInt16BE(2);
      each(pending[0] as number, pending.subarray(8, length), pending[1] as number);
      pending = pending.subarray(length);
    }
  });
}

export async function startTdsServer(certificate: Issued): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    // The TLS server's records go out in PRELOGIN packets; those the client sends come back in.
    const carrier = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, done) {
        socket.write(packet(PRELOGIN, chunk));
        done();
      },
    });
    const secure = new TLSSocket(carrier, {
      isServer: true,
      secureContext: createSecureContext({ cert: certificate.certificate, key: certificate.key }),
    });
    secure.on('error', () => socket.destroy());
    let answered = false;
    readPackets(socket, (type, payload) => {
      if (!answered && type === PRELOGIN) {
        answered = true;
        socket.write(packet(TABULAR_RESULT, preloginAnswer()));
      } else carrier.push(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
