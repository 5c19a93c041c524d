/**
 * The encryption keys: ENCRYPTION_KEY encrypts, ENCRYPTION_KEYS_PREVIOUS still
 * decrypt. On the embedded SQLite store with no key set, a key is made once and
 * kept beside the database file.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from '../config-error.ts';
import type { Store } from '../db/store.ts';
import type { Logger } from '../logger.ts';
import { decrypt, type EncryptionKey, encryptionKey, keyIdOf } from './cipher.ts';

export interface Keyring {
  current: EncryptionKey;
  /** Every configured key by id, the current one included. */
  all: Map<string, EncryptionKey>;
}

export interface KeySettings {
  ENCRYPTION_KEY?: string | undefined;
  ENCRYPTION_KEYS_PREVIOUS: string[];
}

function parseKey(value: string, setting: string): EncryptionKey {
  const bytes = Buffer.from(value.trim(), 'base64');
  if (bytes.length !== 32 || bytes.toString('base64') !== value.trim()) {
    // Never echo the value: it is a secret even when malformed.
    throw new ConfigError(
      `${setting} must be 32 random bytes, base64-encoded (make one with: openssl rand -base64 32)`,
    );
  }
  return encryptionKey(bytes);
}

function keyringOf(current: EncryptionKey, previous: EncryptionKey[]): Keyring {
  return { current, all: new Map([...previous, current].map((key) => [key.id, key])) };
}

/** Reads the key file beside the SQLite database, creating it (mode 0600) the first time. */
function localKey(file: string, logger: Logger): EncryptionKey {
  try {
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    logger.warn(
      { file },
      'ENCRYPTION_KEY is not set: generated a new encryption key and wrote it to this file. ' +
        'Back it up with the database: without it the stored connection URIs cannot be read.',
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return parseKey(readFileSync(file, 'utf8'), file);
}

export function loadKeyring(settings: KeySettings, store: Store, logger: Logger): Keyring {
  const previous = settings.ENCRYPTION_KEYS_PREVIOUS.map((key, index) =>
    parseKey(key, `ENCRYPTION_KEYS_PREVIOUS[${index}]`),
  );
  if (settings.ENCRYPTION_KEY) return keyringOf(parseKey(settings.ENCRYPTION_KEY, 'ENCRYPTION_KEY'), previous);
  if (store.provider === 'sqlite')
    return keyringOf(localKey(join(dirname(store.file), 'encryption.key'), logger), previous);
  throw new ConfigError(
    'ENCRYPTION_KEY is required with PostgreSQL: every instance must encrypt with the same key. ' +
      'Make one with: openssl rand -base64 32',
  );
}

/**
 * Refuses a keyring that cannot read what is stored: every key id the rows name
 * must be configured, and one row per key must decrypt. Better a clear refusal
 * at start-up than failures, or garbage, on every read.
 */
export function checkKeyringAgainstStore(
  rows: { id: string; connectionUriEncrypted: string }[],
  keyring: Keyring,
): void {
  const checked = new Set<string>();
  for (const row of rows) {
    const keyId = keyIdOf(row.connectionUriEncrypted) ?? 'unknown';
    if (checked.has(keyId)) continue;
    if (!keyring.all.has(keyId)) {
      throw new ConfigError(
        `Stored connection URIs are encrypted with key ${keyId}, which is not configured. Set ENCRYPTION_KEY to ` +
          'that key, or list it in ENCRYPTION_KEYS_PREVIOUS (then npm run rotate-keys re-encrypts under the new key).',
      );
    }
    try {
      decrypt(row.connectionUriEncrypted, keyring.all, row.id);
    } catch (error) {
      throw new ConfigError(`Connection ${row.id} ${(error as Error).message}.`);
    }
    checked.add(keyId);
  }
}
