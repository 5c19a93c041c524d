/**
 * How a driver reaches a host: every connection it opens, to the URI's host or to one the driver
 * derives itself (a Snowflake account's, a cloud API's), is made here, through the network guard
 * and, when the connection has one, the SSH bastion.
 */
import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { NetworkGuard } from './network-guard.ts';
import type { Bastion } from './ssh-tunnel.ts';
import { authorityOf } from './target.ts';

export interface Network {
  /** A stream connected to host:port, checked by the guard (or forwarded by the bastion). */
  connect(host: string, port: number): Promise<Duplex>;
  /**
   * A listener on a loopback port that forwards the one connection it accepts to host:port, for
   * drivers that open their own sockets to an address and port; closed with the network.
   */
  forward(host: string, port: number): Promise<number>;
  /**
   * An HTTP CONNECT proxy on a loopback port that opens one tunnel, to host:port only, for drivers
   * that take a proxy and then check TLS against the host they asked for (Oracle's); closed with the network.
   */
  proxy(host: string, port: number): Promise<number>;
  /** Why a forwarded connection failed, if one did: the driver behind the forward sees only a closed socket. */
  forwardFailure(): Error | undefined;
  close(): void;
}

/** A TCP connection to an address the guard checked, within `timeoutMs`. */
function connectTcp(address: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port });
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () =>
      fail(Object.assign(new Error(`connecting to port ${port} timed out`), { code: 'ETIMEDOUT' })),
    );
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.off('error', fail);
      // Drivers given a stream (pg) call connect() on it and wait for 'connect': it is connected already.
      resolve(
        Object.assign(socket, {
          connect: () => {
            process.nextTick(() => socket.emit('connect'));
            return socket;
          },
        }),
      );
    });
  });
}

/** Pipes two streams into each other until either ends. */
function splice(incoming: Duplex, outgoing: Duplex): void {
  outgoing.on('error', () => incoming.destroy());
  incoming.on('close', () => outgoing.destroy());
  outgoing.on('close', () => incoming.destroy());
  incoming.pipe(outgoing).pipe(incoming);
}

/** A server that splices each connection it takes to a stream `connect` opens; `failed` is told why one could not be. */
function forwardingServer(connect: () => Promise<Duplex>, failed: (error: Error) => void): Server {
  return createServer((incoming) => {
    incoming.on('error', () => {});
    connect().then(
      (outgoing) => splice(incoming, outgoing),
      (error: Error) => {
        failed(error);
        incoming.destroy();
      },
    );
  });
}

/**
 * An HTTP proxy that takes a CONNECT to `authority` only, and splices it to a stream `connect`
 * opens; `failed` is told why one could not be.
 */
function proxyServer(authority: string, connect: () => Promise<Duplex>, failed: (error: Error) => void): HttpServer {
  const server = createHttpServer((_request, response) => response.writeHead(405).end());
  server.on('connect', (request: IncomingMessage, incoming: Duplex) => {
    incoming.on('error', () => {});
    if (request.url !== authority) {
      incoming.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    connect().then(
      (outgoing) => {
        incoming.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        splice(incoming, outgoing);
      },
      (error: Error) => {
        failed(error);
        incoming.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      },
    );
  });
  return server;
}

export function openNetwork(guard: NetworkGuard, bastion: Bastion | undefined, timeoutMs: number): Network {
  const servers: (Server | HttpServer)[] = [];
  // A loopback listener serves the driver's one connection, then stops listening: no other local
  // process can ride it to the database.
  const listen = async (server: Server | HttpServer) => {
    servers.push(server);
    server.once('connection', () => server.close());
    await new Promise<void>((resolve, reject) => server.listen(0, '127.0.0.1', resolve).once('error', reject));
    return (server.address() as { port: number }).port;
  };
  const streams = new Set<Duplex>();
  let forwardFailure: Error | undefined;
  const failed = (error: Error) => {
    forwardFailure ??= error;
  };
  const network: Network = {
    async connect(host, port) {
      // Through a bastion, the bastion resolves and reaches the host: the guard checked the bastion.
      const stream = bastion
        ? await bastion.forward(host, port)
        : await connectTcp(await guard.resolve(host), port, timeoutMs);
      streams.add(stream);
      stream.once('close', () => streams.delete(stream));
      return stream;
    },
    forward: async (host, port) => listen(forwardingServer(() => network.connect(host, port), failed)),
    proxy: async (host, port) =>
      listen(proxyServer(authorityOf(host, port), () => network.connect(host, port), failed)),
    forwardFailure: () => forwardFailure,
    close() {
      for (const server of servers) server.close();
      for (const stream of streams) stream.destroy();
    },
  };
  return network;
}
