/**
 * AES-256-GCM for connection URIs at rest. A ciphertext reads
 * `v1.<key id>.<iv>.<auth tag>.<ciphertext>` (base64url parts): it names the
 * key that made it, so old keys can keep decrypting during a rotation. The row
 * id is bound in as associated data, so a ciphertext copied to another row
 * does not decrypt.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export interface EncryptionKey {
  /** Public: derived from the key by hashing, never the reverse. */
  id: string;
  key: Buffer;
}

export class DecryptionError extends Error {}

export function encryptionKey(key: Buffer): EncryptionKey {
  if (key.length !== 32) throw new Error('an encryption key must be 32 bytes');
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 16), key };
}

export function encrypt(plaintext: string, key: EncryptionKey, associatedData: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(Buffer.from(associatedData));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', key.id, iv, cipher.getAuthTag(), ciphertext]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/** The id of the key a ciphertext names. */
export function keyIdOf(ciphertext: string): string | undefined {
  const [version, keyId] = ciphertext.split('.');
  return version === 'v1' ? keyId : undefined;
}

export function decrypt(ciphertext: string, keys: Map<string, EncryptionKey>, associatedData: string): string {
  const [version, keyId = '', iv = '', tag = '', body = ''] = ciphertext.split('.');
  if (version !== 'v1') throw new DecryptionError('not a ciphertext this service wrote');
  const key = keys.get(keyId);
  if (!key) throw new DecryptionError(`encrypted with key ${keyId}, which is not configured`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new DecryptionError(`does not decrypt with key ${keyId}: the key or the data is not the one written`);
  }
}
