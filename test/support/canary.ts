/**
 * A loopback listener an attack points at: it records every connection made to it and the first
 * bytes of each, and answers nothing. An attack that is refused leaves it untouched.
 */
import net from 'node:net';

export interface Canary {
  port: number;
  /** The first bytes of each connection so far, as Latin-1 text (an Oracle connect packet, an HTTP request…). */
  connections: string[];
  close(): Promise<void>;
}

export async function startCanary(): Promise<Canary> {
  const connections: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    const index = connections.push('') - 1;
    sockets.add(socket);
    socket.on('data', (chunk: Buffer) => {
      connections[index] = (connections[index] + chunk.toString('latin1')).slice(0, 4096);
    });
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
