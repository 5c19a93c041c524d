/**
 * Compressed answers, read as raw bytes over HTTP: the GraphiQL page, the console's files and a
 * large list come gzip- or brotli-encoded when the client accepts it, and decode to the answer
 * itself; event streams come event by event, uncompressed; an answer that may reveal a secret is
 * never compressed (BREACH); a compressed request body is not inflated.
 */

import { readdirSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../src/service.ts';
import { createSqliteDatabase, type TestDatabase } from './support/databases.ts';
import { type Client, clientFor, startTestService } from './support/service.ts';
import { subscribe } from './support/sse.ts';

const PATH = '/api/v1/database-connections';

interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as sent, still encoded. */
  body: Buffer;
}

/** A request as any HTTP client sends it, its answer's bytes as they came. */
function raw(url: string, headers: Record<string, string>, method = 'GET', body?: Buffer): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const sent = httpRequest(url, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

const DECODERS: Record<string, (body: Buffer) => Buffer> = { gzip: gunzipSync, br: brotliDecompressSync };

/** The body decoded as its Content-Encoding says. */
const decoded = ({ headers, body }: RawReply) => {
  const encoding = headers['content-encoding'];
  return encoding ? (DECODERS[encoding] as (body: Buffer) => Buffer)(body) : body;
};

describe('compressed answers', { timeout: 60_000 }, () => {
  let database: TestDatabase;
  let service: RunningService;
  let api: Client;

  beforeAll(async () => {
    database = createSqliteDatabase();
    service = await startTestService(database.url);
    api = clientFor(service.url);
    // A list worth compressing: 40 connections with some metadata each.
    for (let i = 0; i < 40; i++) {
      const body = { alias: `db-${i}`, connection_uri: `postgresql://u:Secret-${i}@h${i}/d`, metadata: { team: 'bi' } };
      expect((await api.request('POST', PATH, body)).status).toBe(201);
    }
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });

  it.each([
    ['the GraphiQL page', '/graphql', { accept: 'text/html' }],
    ['the API reference’s script', '/api/v1/docs/swagger-ui-bundle.js', {}],
    ['a large list', PATH, {}],
  ])('sends %s compressed as the client accepts, decoding to the answer itself', async (_, path, headers) => {
    const plain = await raw(`${service.url}${path}`, headers);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    for (const [accepted, encoding] of [
      ['gzip', 'gzip'],
      ['gzip, deflate, br', 'br'],
      ['br;q=0, gzip', 'gzip'],
    ]) {
      const reply = await raw(`${service.url}${path}`, { ...headers, 'accept-encoding': accepted as string });
      expect(reply.headers['content-encoding'], accepted).toBe(encoding);
      expect(reply.headers.vary).toMatch(/accept-encoding/i);
      expect(reply.body.length).toBeLessThan(plain.body.length / 2);
      expect(decoded(reply).equals(plain.body), accepted).toBe(true);
    }
  });

  it('sends the console’s files compressed', async () => {
    const [script] = readdirSync('dist/console/assets').filter((name) => name.endsWith('.js'));
    const reply = await raw(`${service.url}/console/assets/${script}`, { 'accept-encoding': 'gzip' });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-encoding']).toBe('gzip');
    expect(decoded(reply).toString()).toContain('function');
  });

  it('streams events uncompressed, each as it happens', async () => {
    const subscriber = await subscribe(
      service.url,
      'subscription { databaseConnectionEvents { action } }',
      {},
      { 'accept-encoding': 'gzip, br' },
    );
    try {
      await api.request('POST', PATH, { alias: 'evented', connection_uri: 'postgresql://u:p@h/d' });
      // A compressor would hold a small event back; it comes at once.
      expect((await subscriber.next(5_000)).data?.databaseConnectionEvents).toEqual({ action: 'CREATED' });
    } finally {
      subscriber.close();
    }
    const stream = await new Promise<IncomingHttpHeaders>((resolve, reject) => {
      const sent = httpRequest(`${service.url}/graphql`, {
        method: 'POST',
        headers: { accept: 'text/event-stream', 'content-type': 'application/json', 'accept-encoding': 'gzip' },
      });
      sent.on('response', (response) => {
        resolve(response.headers);
        response.destroy();
      });
      sent.on('error', reject);
      sent.end(JSON.stringify({ query: 'subscription { databaseConnectionEvents { action } }' }));
    });
    expect(stream['content-type']).toMatch(/^text\/event-stream/);
    expect(stream['content-encoding']).not.toMatch(/gzip|br/);
  });

  it('never compresses an answer that may reveal a secret, on either interface', async () => {
    // Large enough to be compressed otherwise: text a caller chose, beside the secret.
    const large = await api.request('POST', PATH, {
      alias: 'large',
      connection_uri: 'postgresql://u:Secret-1@h/d',
      metadata: { notes: 'chosen text '.repeat(200) },
    });
    const masked = await raw(`${service.url}${PATH}/${large.body.id}`, { 'accept-encoding': 'gzip' });
    expect(masked.headers['content-encoding']).toBe('gzip');
    const query = '{ databaseConnections(first: 50) { edges { node { connectionUri(reveal: true) } } } }';
    const graphql = (body: string) =>
      raw(
        `${service.url}/graphql`,
        { 'accept-encoding': 'gzip', 'content-type': 'application/json' },
        'POST',
        Buffer.from(body),
      );
    const revealing = [
      raw(`${service.url}${PATH}/${large.body.id}?reveal=true`, { 'accept-encoding': 'gzip' }),
      graphql(JSON.stringify({ query })),
      // The word spelled as the reader decodes it: percent-encoded in a URL, a \u escape in JSON.
      raw(`${service.url}${PATH}/${large.body.id}?%72eveal=true`, { 'accept-encoding': 'gzip' }),
      raw(`${service.url}/graphql?query=${encodeURIComponent(query).replace('reveal', '%72%65veal')}`, {
        'accept-encoding': 'gzip',
        'x-graphql-yoga-csrf': '1',
      }),
      graphql(JSON.stringify({ query }).replace('reveal', '\\u0072eveal')),
    ];
    for (const reply of await Promise.all(revealing)) {
      expect(reply.status).toBe(200);
      expect(reply.body.toString()).toContain('Secret-1');
      expect(reply.headers['content-encoding']).toBeUndefined();
    }
  });

  it('does not inflate a compressed request body: refused, nothing written', async () => {
    const before = (await api.request('GET', PATH)).body.length;
    const body = gzipSync(JSON.stringify({ alias: 'zipped', connection_uri: 'postgresql://u:p@h/d' }));
    const reply = await raw(
      `${service.url}${PATH}`,
      { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      'POST',
      body,
    );
    expect(reply.status).toBe(400);
    expect((await api.request('GET', PATH)).body.length).toBe(before);
  });
});
