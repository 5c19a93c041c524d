/**
 * The start of Oracle's TNS protocol, as a listener speaks it before a session: it reads a CONNECT
 * packet and answers with a REDIRECT naming another address, as a RAC SCAN listener sends a client
 * on to a node's listener; or, with nowhere to send it, answers nothing. Each connect's data (the
 * descriptor the client sent) is kept.
 */
import { createServer, type Server, type Socket } from 'node:net';

const CONNECT = 1;
const REDIRECT = 5;

/** A REDIRECT packet: the header (2-byte length before a session), then the address's length and the address. */
function redirect(address: string): Buffer {
  const data = Buffer.from(address, 'ascii');
  const header = Buffer.alloc(10);
  header.writeUInt16BE(header.length + data.length, 0);
  header.writeUInt8(REDIRECT, 4);
  header.writeUInt16BE(data.length, 8);
  return Buffer.concat([header, data]);
}

export interface TnsListener {
  port: number;
  /** What each connection sent: its CONNECT packet, the descriptor among it. */
  connects: string[];
  close(): Promise<void>;
}

/** A listener on `listenOn` that answers every CONNECT with a REDIRECT to `redirectTo` (an ADDRESS), or with nothing. */
export async function startTnsListener(listenOn: string, redirectTo?: string): Promise<TnsListener> {
  const connects: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    // A long connect data follows its CONNECT packet in packets of its own: all of it is kept.
    let index: number | undefined;
    socket.on('data', (chunk: Buffer) => {
      if (index === undefined) {
        if (chunk.length < 5 || chunk.readUInt8(4) !== CONNECT) return void socket.destroy();
        index = connects.push('') - 1;
        if (redirectTo) socket.write(redirect(redirectTo));
      }
      connects[index] = (connects[index] + chunk.toString('latin1')).slice(0, 4096);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, listenOn, resolve));
  return {
    port: (server.address() as { port: number }).port,
    connects,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
