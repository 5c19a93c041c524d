/**
 * The one place connection URIs are sealed for storage and opened for output.
 * Rows keep the URI encrypted and, beside it, a masked copy made at write time,
 * so reading and listing never need to decrypt.
 */
import { decrypt, encrypt } from './cipher.ts';
import type { Keyring } from './keyring.ts';
import { maskConnectionUri } from './uri-secrets.ts';

export interface SealedUri {
  connectionUriEncrypted: string;
  connectionUriMasked: string;
}

export interface ConnectionSecrets {
  seal(connectionId: string, uri: string): SealedUri;
  /** The plaintext URI. */
  open(row: { id: string } & SealedUri): string;
  /** What a response shows: the masked copy, unless revealing on purpose or masking is turned off. */
  present(row: { id: string } & SealedUri, reveal: boolean): string;
  keyring: Keyring;
}

export function connectionSecrets(keyring: Keyring, maskSecrets: boolean): ConnectionSecrets {
  const open = (row: { id: string } & SealedUri) => decrypt(row.connectionUriEncrypted, keyring.all, row.id);
  return {
    keyring,
    seal: (connectionId, uri) => ({
      connectionUriEncrypted: encrypt(uri, keyring.current, connectionId),
      connectionUriMasked: maskConnectionUri(uri),
    }),
    open,
    present: (row, reveal) => (reveal || !maskSecrets ? open(row) : row.connectionUriMasked),
  };
}
