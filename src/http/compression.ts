/**
 * Compressed answers for clients that accept them (Accept-Encoding: br, gzip), above 1 KB.
 *
 * - Answers as they are made (lists, GraphQL results, the OpenAPI document) are compressed per
 *   response by @fastify/compress. Event streams are not (text/event-stream, multipart/mixed): a
 *   compressor would hold each event back until it had enough to send. Request bodies are never
 *   decompressed: a small gzip body must not become a large one.
 * - A request that may reveal a secret gets its answer uncompressed: the size of an answer that
 *   compresses a secret beside text an attacker chose (an alias, metadata) would tell the secret,
 *   a byte at a time (BREACH).
 * - Fixed bodies (the explorers' pages and assets, the console's build: the GraphiQL page alone is
 *   9 MB, a second of CPU to compress) are compressed once per encoding and kept.
 */
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import negotiate from '@fastify/accept-negotiator';
import fastifyCompress from '@fastify/compress';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HttpApp } from './fastify.ts';

const ENCODINGS = ['br', 'gzip'] as const;
type Encoding = (typeof ENCODINGS)[number];

/** Smaller bodies gain less than the encoding costs. */
const THRESHOLD_BYTES = 1024;

/** Text as its reader takes it: percent-encoding (a URL's query) and JSON's \u escapes (a body's strings) decoded. */
const decoded = (text: string) =>
  text
    .replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
    .replace(/\\u([0-9a-f]{4})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));

/**
 * Whether a request may ask for a secret: `reveal` anywhere in its URL, or in a GraphQL body (a
 * field's argument), however it is spelled there (`?%72eveal=true`, `\u0072eveal`).
 */
const mayReveal = (request: FastifyRequest) =>
  /reveal/i.test(decoded(request.url)) ||
  (Buffer.isBuffer(request.body) && /reveal/i.test(decoded(request.body.toString('latin1'))));

/** Registers the compression of answers; before the routes, whose answers it then compresses. */
export function compressAnswers(app: HttpApp) {
  app.register(fastifyCompress, { encodings: [...ENCODINGS], threshold: THRESHOLD_BYTES, globalDecompression: false });
  // The plugin leaves alone the answers of requests with this header: set once the body is read.
  app.addHook('preHandler', async (request) => {
    if (mayReveal(request)) request.headers['x-no-compression'] = 'may reveal a secret';
  });
}

const compressors: Record<Encoding, (body: Buffer) => Promise<Buffer>> = {
  // The highest settings that take seconds, not minutes, on the 9 MB page: paid once.
  br: (body) =>
    promisify(brotliCompress)(body, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
    }),
  gzip: (body) => promisify(gzip)(body, { level: 9 }),
};

/** The compressed forms of each fixed body, by the body itself: a fixed set of strings and kept buffers. */
const compressedForms = new Map<string | Buffer, Partial<Record<Encoding, Promise<Buffer>>>>();

/** Sends a body that never changes, compressed as the client accepts it (once per encoding), or as it is. */
export async function sendFixedBody(reply: FastifyReply, body: string | Buffer) {
  const vary = reply.getHeader('vary');
  reply.header('vary', vary ? `${vary}, Accept-Encoding` : 'Accept-Encoding');
  const encoding = negotiate(reply.request.headers['accept-encoding'] ?? '', [...ENCODINGS]);
  if (!encoding || Buffer.byteLength(body) < THRESHOLD_BYTES) return reply.send(body);
  const forms = compressedForms.get(body) ?? {};
  compressedForms.set(body, forms);
  forms[encoding] ??= compressors[encoding](Buffer.from(body));
  return reply.header('content-encoding', encoding).send(await forms[encoding]);
}
