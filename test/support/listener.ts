/** A loopback listener that counts the connections it is offered: where a refused request must never lead. */
import net from 'node:net';

export async function countingListener() {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    /** How many connections it was offered so far. */
    connections: () => connections,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
