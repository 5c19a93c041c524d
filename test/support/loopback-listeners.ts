/**
 * A port listened on at both loopback addresses, 127.0.0.1 and ::1, counting the connections
 * each receives: what an attack on the network guard must never reach. It answers nothing and
 * closes every connection at once.
 */
import net from 'node:net';

export interface LoopbackListeners {
  port: number;
  /** Connections received so far, by the address listened on. */
  received: { '127.0.0.1': number; '::1': number };
  total(): number;
  close(): Promise<void>;
}

function listen(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function startLoopbackListeners(): Promise<LoopbackListeners> {
  const received = { '127.0.0.1': 0, '::1': 0 };
  const serverOn = (host: keyof typeof received) =>
    net.createServer((socket) => {
      received[host]++;
      socket.destroy();
    });
  // The same port on both: a free IPv4 port may be taken on ::1, so try again with another.
  for (let attempt = 0; ; attempt++) {
    const v4 = serverOn('127.0.0.1');
    await listen(v4, 0, '127.0.0.1');
    const { port } = v4.address() as net.AddressInfo;
    const v6 = serverOn('::1');
    try {
      await listen(v6, port, '::1');
    } catch (error) {
      v4.close();
      if (attempt < 5) continue;
      throw error;
    }
    const close = (server: net.Server) => new Promise<void>((resolve) => server.close(() => resolve()));
    return {
      port,
      received,
      total: () => received['127.0.0.1'] + received['::1'],
      close: async () => {
        await Promise.all([close(v4), close(v6)]);
      },
    };
  }
}
