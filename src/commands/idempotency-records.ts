/**
 * The Idempotency-Key records (after the IETF draft "The Idempotency-Key HTTP Header Field"): a
 * request claims its key, the first successful response to it is kept 24 hours and answered again
 * for the same key and request. Keys belong to the caller (the API key's name); the records live
 * in the database, so every instance sees them. The REST adapter says what each outcome answers.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { prismaCode } from '../connections/stored/records.ts';
import type { Prisma } from '../db/client.ts';
import { idempotencyKeyStore } from '../db/tables/idempotency-keys.ts';
import type { EncryptionKey } from '../secrets/cipher.ts';
import type { Keyring } from '../secrets/keyring.ts';

export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
/** A first request that has not finished after this long is taken to have died with its process. */
const ABANDONED_AFTER_MS = 60 * 1000;
/** How often, at most, records past the window are forgotten. */
const SWEEP_EVERY_MS = 60 * 60 * 1000;

/** What claiming a key found: it is the request's now, a kept response (JSON text) to answer again, or a refusal. */
export type ClaimOutcome = { claimed: true } | { replay: string } | { refused: 'reused' | 'in_use' };

/**
 * The request is kept as a keyed hash (HMAC), not a plain one, because it holds the connection
 * URI's password: a plain hash would let whoever reads the database test guesses of it.
 */
export function idempotencyRecords(prisma: Prisma, keyring: Keyring) {
  const store = idempotencyKeyStore(prisma);
  const hashKey = (key: EncryptionKey) => Buffer.from(hkdfSync('sha256', key.key, '', 'idempotency request hash', 32));
  // Hashed under the current key; recognised under any configured key, so that a retry made
  // across a key rotation (the old key still in ENCRYPTION_KEYS_PREVIOUS) is still the same request.
  const current = hashKey(keyring.current);
  const all = [...keyring.all.values()].map(hashKey);
  const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest('hex');
  const sameRequest = (stored: string, text: string) => all.some((key) => hmac(key, text) === stored);
  let lastSweep = 0;

  async function sweep(now: number) {
    if (now - lastSweep < SWEEP_EVERY_MS) return;
    lastSweep = now;
    await store.deleteBefore(new Date(now - IDEMPOTENCY_WINDOW_MS));
  }

  /** Takes the key: a new record, or one that expired or was abandoned, only if no other request took it first. */
  async function take(owner: string, key: string, requestText: string, now: number, existing: Date | undefined) {
    const claim = { requestHash: hmac(current, requestText), response: null, createdAt: new Date(now) };
    if (existing) return (await store.takeOver(owner, key, existing, claim)).count > 0;
    try {
      await store.insert(owner, key, claim);
      return true;
    } catch (error) {
      if (prismaCode(error) === 'P2002') return false;
      throw error;
    }
  }

  return {
    /** Claims the key for this request, unless it holds a response to answer again or another request's. */
    async claim(owner: string, key: string, request: unknown): Promise<ClaimOutcome> {
      const requestText = JSON.stringify(request);
      const now = Date.now();
      await sweep(now);
      const existing = await store.find(owner, key);
      const age = existing ? now - existing.createdAt.getTime() : Number.POSITIVE_INFINITY;
      if (existing && age < IDEMPOTENCY_WINDOW_MS) {
        if (!sameRequest(existing.requestHash, requestText)) return { refused: 'reused' };
        if (existing.response !== null) return { replay: existing.response };
        if (age < ABANDONED_AFTER_MS) return { refused: 'in_use' };
      }
      return (await take(owner, key, requestText, now, existing?.createdAt))
        ? { claimed: true }
        : { refused: 'in_use' };
    },

    /** Keeps the response to a claimed key (JSON text: it is stored, so it must hold no secret). */
    keep: async (owner: string, key: string, response: string) => {
      await store.keepResponse(owner, key, response);
    },

    /** Lets a claimed key go: the request failed, and the client may correct it and retry with the same key. */
    release: async (owner: string, key: string) => {
      await store.delete(owner, key);
    },
  };
}

export type IdempotencyRecords = ReturnType<typeof idempotencyRecords>;
