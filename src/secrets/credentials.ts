/**
 * Checks that the keys and certificates a client sends are what they claim to
 * be, before anything is stored. Each check answers what is wrong in words that
 * never quote the value.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createRequire } from 'node:module';

type Ssh2 = typeof import('ssh2');
let loaded: Ssh2 | undefined;
/** The ssh2 library, loaded on first use (SSH keys and tunnels): a service that never meets one spares its memory. */
export function ssh2Library(): Ssh2 {
  loaded ??= createRequire(import.meta.url)('ssh2') as Ssh2;
  return loaded;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates of a PEM text (one, or a chain or bundle); throws when there is none or one does not parse. */
export function parseCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new Error('must hold a PEM certificate (-----BEGIN CERTIFICATE-----)');
  return blocks.map((block) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw new Error('holds a certificate that does not parse');
    }
  });
}

/** What is wrong with a PEM certificate text, or undefined. */
export function certificateProblem(pem: string): string | undefined {
  try {
    parseCertificates(pem);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** What is wrong with an unencrypted PEM private key (a TLS client key), or undefined. */
export function tlsPrivateKeyProblem(pem: string): string | undefined {
  if (/ENCRYPTED/.test(pem)) return 'is encrypted: send it decrypted (it is encrypted at rest here)';
  try {
    createPrivateKey(pem);
    return undefined;
  } catch {
    return 'must be a PEM private key that parses';
  }
}

/** Whether the client certificate (the first of its chain) was made for this private key. */
export function certificateMatchesKey(certificatePem: string, keyPem: string): boolean {
  try {
    const [certificate] = parseCertificates(certificatePem);
    return certificate?.checkPrivateKey(createPrivateKey(keyPem)) === true;
  } catch {
    return false;
  }
}

/**
 * What is wrong with an SSH private key (PEM or OpenSSH text) and its passphrase, or undefined;
 * `field` says which of the two is at fault.
 */
export function sshPrivateKeyProblem(
  key: string,
  passphrase: string | undefined,
): { field: 'key' | 'passphrase'; message: string } | undefined {
  const parsed = ssh2Library().utils.parseKey(key, passphrase);
  if (!(parsed instanceof Error)) {
    const first = Array.isArray(parsed) ? parsed[0] : parsed;
    return first?.isPrivateKey() ? undefined : { field: 'key', message: 'is a public key: send the private key' };
  }
  if (/no passphrase/i.test(parsed.message)) {
    return { field: 'passphrase', message: 'is required: the private key is encrypted' };
  }
  if (/passphrase|integrity/i.test(parsed.message) && passphrase !== undefined) {
    return { field: 'passphrase', message: 'does not decrypt the private key' };
  }
  return { field: 'key', message: 'must be an SSH private key (PEM or OpenSSH text) that parses' };
}
