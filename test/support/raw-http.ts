/**
 * HTTP requests as an attacker sends them: any Host header (fetch always sends the URL's), from a
 * loopback address of the test's choosing (127.0.0.2, …), or as raw bytes.
 */
import http from 'node:http';
import net from 'node:net';
import type { Reply } from './service.ts';

export interface RawRequest {
  headers?: Record<string, string>;
  /** Sent as JSON with its content type, unless a string. */
  body?: unknown;
  /** The loopback address to send from (its own client, for limits per address). */
  localAddress?: string;
}

/** As fetch answers it (Reply), so that the OpenAPI checks apply. */
export function send(baseUrl: string, method: string, path: string, request: RawRequest = {}): Promise<Reply> {
  const { hostname, port } = new URL(baseUrl);
  const body =
    request.body === undefined || typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
  const headers = {
    ...(body !== undefined && {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
    }),
    ...request.headers,
  };
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      { hostname, port, method, path, headers, localAddress: request.localAddress, agent: false },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          const headers = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            for (const each of [value ?? []].flat()) headers.append(name, each);
          }
          resolve({ status: response.statusCode ?? 0, headers, text, body: parsed });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** Bytes written as they are, the answer read until the server closes. */
export function sendBytes(baseUrl: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = net.connect(Number(port), hostname, () => socket.write(bytes));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
  });
}

/** A TCP listener that counts the connections made to it (and closes each): what must see none. */
export async function startCountingListener() {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
