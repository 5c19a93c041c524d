/**
 * HTTP requests of the drivers that speak a vendor's HTTP API, over the connection's network
 * (the guard, the bastion): one connection per request, TLS verified with the connection's CA
 * when it gives one, against the host name of the URL.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex, Readable } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { createGunzip } from 'node:zlib';
import type { TlsMode } from '../../dialects/registry.ts';
import type { Network } from '../network.ts';
import type { TlsMaterial } from '../route.ts';
import { DriverFailure } from './driver.ts';
import { tlsOptions } from './tls.ts';

export interface HttpOptions {
  network: Network;
  timeoutMs: number;
  tls: TlsMaterial | null;
  /** For https URLs: how far the certificate is checked (verified in full unless the URI asks less). */
  tlsMode?: TlsMode;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** A non-2xx answer, with the vendor's body for the driver to classify. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`HTTP ${status}: ${body.slice(0, 300)}`);
  }

  /** The body as JSON, or undefined. */
  json<T>(): T | undefined {
    try {
      return JSON.parse(this.body) as T;
    } catch {
      return undefined;
    }
  }
}

function secure(socket: Duplex, host: string, options: HttpOptions): Promise<Duplex> {
  const tls = tlsOptions(options.tlsMode ?? 'verify-full', options.tls, host);
  return new Promise((resolve, reject) => {
    const secured = tlsConnect({ ...tls, socket });
    secured.once('secureConnect', () => resolve(secured));
    secured.once('error', reject);
  });
}

/** An answer larger than this is refused: a catalog of 100,000 columns comes to about 20 MiB. */
export const MAX_ANSWER_BYTES = 64 * 2 ** 20;

/**
 * The body of an answer, refused past MAX_ANSWER_BYTES; one stored gzipped (Snowflake's result
 * chunks on cloud storage) read unzipped, and bounded as unzipped.
 */
function readBody(response: IncomingMessage, abort: () => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const gzipped = /^gzip$/i.test(String(response.headers['content-encoding'] ?? ''));
    const body: Readable = gzipped ? response.pipe(createGunzip()) : response;
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (error: Error) => {
      reject(error);
      body.destroy();
      abort();
    };
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
      if (size > MAX_ANSWER_BYTES)
        fail(new DriverFailure('connection_failed', `the server's answer is over ${MAX_ANSWER_BYTES / 2 ** 20} MiB`));
    });
    body.on('error', fail);
    response.on('error', fail);
    body.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** Sends one request; resolves for 2xx answers, rejects with HttpError for others. */
export async function request(url: string, options: HttpOptions): Promise<HttpAnswer> {
  const target = new URL(url);
  const https = target.protocol === 'https:';
  const port = Number(target.port) || (https ? 443 : 80);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const socket = await options.network.connect(host, port);
  const stream = https ? await secure(socket, host, options) : socket;
  return new Promise((resolve, reject) => {
    const send = https ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: options.method ?? 'GET',
        // With a socket of our own and no agent, Node knows no default port and writes `Host: name:80`
        // even over HTTPS on 443; the scheme's default port keeps the Host header the bare name, as
        // every vendor's own client sends it (test/vendors/harness.test.ts).
        defaultPort: https ? 443 : 80,
        headers: {
          ...options.headers,
          ...(options.body !== undefined && { 'content-length': Buffer.byteLength(options.body) }),
        },
        createConnection: () => stream as never,
        timeout: options.timeoutMs,
      },
      (response) => {
        readBody(response, () => req.destroy()).then((body) => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve({ status, body });
          else reject(new HttpError(status, body));
        }, reject);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('the HTTP request timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Sends a request and parses the JSON answer; an answer that is no JSON is a failed connection. */
export async function requestJson<T>(url: string, options: HttpOptions): Promise<T> {
  const answer = await request(url, {
    ...options,
    headers: {
      accept: 'application/json',
      ...(options.body !== undefined && { 'content-type': 'application/json' }),
      ...options.headers,
    },
  });
  try {
    return JSON.parse(answer.body) as T;
  } catch {
    throw new DriverFailure('connection_failed', `the server at ${new URL(url).host} did not answer with JSON`);
  }
}
