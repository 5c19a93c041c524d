/**
 * The one place a connection's secret fields are sealed for storage and opened
 * for output. Each secret field `x` is kept in two columns: `xEncrypted` (the
 * whole value, encrypted) and `xMasked` (the value with its secrets masked, made
 * at write time), so reading and listing never need to decrypt. What a value's
 * secrets are is the caller's to say: this module sees text only.
 */
import { decrypt, encrypt } from './cipher.ts';
import type { Keyring } from './keyring.ts';

/** A row as far as its sealed fields go. */
export type SealedRow = { id: string } & Record<string, unknown>;

export interface ConnectionSecrets {
  keyring: Keyring;
  /** The columns of a field: its plaintext encrypted, and its masked text (both null for no value). */
  seal(
    connectionId: string,
    field: string,
    plaintext: string | null,
    masked: string | null,
  ): Record<string, string | null>;
  /** A field's plaintext, or null. */
  open(row: SealedRow, field: string): string | null;
  /** What output shows of a field: its masked text, unless revealing on purpose or masking is turned off. */
  present(row: SealedRow, field: string, reveal: boolean): string | null;
  /** A ciphertext of this row's field under the current key (key rotation). */
  reencrypt(row: SealedRow, field: string): string | null;
}

export const encryptedColumn = (field: string) => `${field}Encrypted`;
export const maskedColumn = (field: string) => `${field}Masked`;

/**
 * What a ciphertext is bound to: its row and its field, so that one copied to another row or
 * field does not decrypt. The URI, sealed before there were other secret fields, is bound to its
 * row alone, as it always was.
 */
const associatedData = (connectionId: string, field: string) =>
  field === 'connectionUri' ? connectionId : `${connectionId}:${field}`;

export function connectionSecrets(keyring: Keyring, maskSecrets: boolean): ConnectionSecrets {
  const encryptText = (id: string, field: string, plaintext: string) =>
    encrypt(plaintext, keyring.current, associatedData(id, field));
  const open = (row: SealedRow, field: string) => {
    const ciphertext = row[encryptedColumn(field)];
    return typeof ciphertext === 'string' ? decrypt(ciphertext, keyring.all, associatedData(row.id, field)) : null;
  };
  return {
    keyring,
    seal: (id, field, plaintext, masked) => ({
      [encryptedColumn(field)]: plaintext === null ? null : encryptText(id, field, plaintext),
      [maskedColumn(field)]: masked,
    }),
    open,
    present: (row, field, reveal) =>
      reveal || !maskSecrets ? open(row, field) : ((row[maskedColumn(field)] as string | null) ?? null),
    reencrypt: (row, field) => {
      const plaintext = open(row, field);
      return plaintext === null ? null : encryptText(row.id, field, plaintext);
    },
  };
}
