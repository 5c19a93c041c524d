/** RS256 JSON Web Tokens signed with a private key, as Snowflake's key-pair login and Google's service accounts take them. */
import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';
import { DriverFailure } from './driver.ts';

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** The private key of a PEM text (or of base64 DER, as Snowflake's connectors take it); a key that does not parse is credentials_invalid. */
export function privateKeyOf(text: string, passphrase?: string): KeyObject {
  try {
    const pem = text.includes('-----BEGIN') ? text : undefined;
    return pem
      ? createPrivateKey({ key: pem, passphrase })
      : createPrivateKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'pkcs8' });
  } catch {
    throw new DriverFailure(
      'credentials_invalid',
      'the private key does not parse as an RSA key (PEM, or base64 DER PKCS#8)',
    );
  }
}

/** `SHA256:` and the base64 digest of the public key's DER, as Snowflake names a key. */
export const publicKeyFingerprint = (key: KeyObject) =>
  `SHA256:${createHash('sha256')
    .update(createPublicKey(key).export({ type: 'spki', format: 'der' }))
    .digest('base64')}`;

export function signJwt(claims: Record<string, unknown>, key: KeyObject): string {
  const input = `${base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`;
  return `${input}.${base64url(sign('RSA-SHA256', Buffer.from(input), key))}`;
}
