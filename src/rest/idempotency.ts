/**
 * Idempotency-Key on POST (after the IETF draft "The Idempotency-Key HTTP
 * Header Field"): the first successful response to a key is kept 24 hours and
 * answered again for the same key and request, so a client may retry a create
 * whose answer it lost without creating a second connection. Keys belong to
 * the caller (the API key's name); the record lives in the database, so every
 * instance sees it.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { prismaCode } from '../connections/records.ts';
import type { Prisma } from '../db/client.ts';
import type { EncryptionKey } from '../secrets/cipher.ts';
import type { Keyring } from '../secrets/keyring.ts';
import type { RestRequest } from './body.ts';
import { ProblemResponse, problem } from './problem.ts';
import type { RestResponse } from './response.ts';

export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
/** A first request that has not finished after this long is taken to have died with its process. */
const ABANDONED_AFTER_MS = 60 * 1000;
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

/** The request's Idempotency-Key, if any; 400 when it is not 1 to 255 visible ASCII characters. */
export function idempotencyKeyOf(request: RestRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key === 'string' && KEY_FORMAT.test(key)) return key;
  const message = 'must be 1 to 255 visible ASCII characters, sent once';
  throw new ProblemResponse(
    problem('validation_failed', `The Idempotency-Key header ${message}.`, {
      errors: [{ field: 'Idempotency-Key', message }],
    }),
  );
}

const reused = () =>
  new ProblemResponse(
    problem(
      'idempotency_key_reused',
      'This Idempotency-Key was used with another request in the last 24 hours: use a new key for a new request.',
    ),
  );

const inProgress = () =>
  new ProblemResponse(
    problem('idempotency_key_in_use', 'A request with this Idempotency-Key is still being processed. Retry shortly.'),
    { 'retry-after': '1' },
  );

export type Idempotency = (
  owner: string,
  key: string,
  request: unknown,
  run: () => Promise<RestResponse>,
  /** What of the response is kept and replayed: it is stored in the database, so no secret may be in it. */
  keep: (response: RestResponse) => RestResponse,
) => Promise<RestResponse>;

/**
 * `secretKey`: the request is kept as a keyed hash (HMAC), not a plain one, because it holds the
 * connection URI's password: a plain hash would let whoever reads the database test guesses of it.
 */
export function createIdempotency(prisma: Prisma, keyring: Keyring): Idempotency {
  const records = prisma.idempotencyKey;
  const hashKey = (key: EncryptionKey) => Buffer.from(hkdfSync('sha256', key.key, '', 'idempotency request hash', 32));
  // Hashed under the current key; recognised under any configured key, so that a retry made
  // across a key rotation (the old key still in ENCRYPTION_KEYS_PREVIOUS) is still the same request.
  const current = hashKey(keyring.current);
  const all = [...keyring.all.values()].map(hashKey);
  const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest('hex');
  const sameRequest = (stored: string, text: string) => all.some((key) => hmac(key, text) === stored);
  let lastSweep = 0;

  /** Forgets records past the window, at most once an hour. */
  async function sweep(now: number) {
    if (now - lastSweep < 60 * 60 * 1000) return;
    lastSweep = now;
    await records.deleteMany({ where: { createdAt: { lt: new Date(now - IDEMPOTENCY_WINDOW_MS) } } });
  }

  return async (owner, key, request, run, keep) => {
    const requestText = JSON.stringify(request);
    const requestHash = hmac(current, requestText);
    const id = { principal_key: { principal: owner, key } };
    const now = Date.now();
    await sweep(now);
    const existing = await records.findUnique({ where: id });
    const age = existing ? now - existing.createdAt.getTime() : Number.POSITIVE_INFINITY;
    if (existing && age < IDEMPOTENCY_WINDOW_MS) {
      if (!sameRequest(existing.requestHash, requestText)) throw reused();
      if (existing.response !== null) {
        const kept = JSON.parse(existing.response) as RestResponse;
        return { ...kept, headers: { ...kept.headers, 'idempotent-replayed': 'true' } };
      }
      if (age < ABANDONED_AFTER_MS) throw inProgress();
    }

    // Claim the key: a new record, or one that expired or was abandoned, taken over only if
    // no other request took it first.
    const claim = { requestHash, response: null, createdAt: new Date(now) };
    if (existing) {
      const { count } = await records.updateMany({
        where: { principal: owner, key, createdAt: existing.createdAt },
        data: claim,
      });
      if (count === 0) throw inProgress();
    } else {
      try {
        await records.create({ data: { principal: owner, key, ...claim } });
      } catch (error) {
        if (prismaCode(error) === 'P2002') throw inProgress();
        throw error;
      }
    }

    // Only a success is kept: after a failure the client may correct the request and retry with the same key.
    let response: RestResponse | undefined;
    try {
      response = await run();
      return response;
    } finally {
      if (response && response.status < 300) {
        await records.update({ where: id, data: { response: JSON.stringify(keep(response)) } });
      } else {
        await records.delete({ where: id });
      }
    }
  };
}
