/** The TLS options of a driver connection, from the mode the URI asks for and the certificates given. */

import { isIP } from 'node:net';
import { type ConnectionOptions, checkServerIdentity } from 'node:tls';
import type { TlsMode } from '../../dialects/registry.ts';
import type { TlsMaterial } from '../route.ts';

export type Verification = 'none' | 'ca' | 'full';

/** How far the server's certificate is checked. As in libpq, `require` with a CA given verifies the CA. */
export function verificationOf(mode: TlsMode, material: TlsMaterial | null): Verification {
  if (mode === 'verify-full') return 'full';
  return mode === 'verify-ca' || (mode === 'require' && material?.caCertificate) ? 'ca' : 'none';
}

/**
 * Node TLS options, or undefined for no TLS. The identity is checked against the host name of
 * the URI, never the address connected to (nor the bastion, through a tunnel).
 */
export function tlsOptions(mode: TlsMode, material: TlsMaterial | null, host: string): ConnectionOptions | undefined {
  if (mode === 'off') return undefined;
  const verification = verificationOf(mode, material);
  return {
    ca: material?.caCertificate ?? undefined,
    cert: material?.clientCertificate ?? undefined,
    key: material?.clientKey ?? undefined,
    rejectUnauthorized: verification !== 'none',
    // RFC 6066: no server name indication for an IP address.
    ...(isIP(host) === 0 && { servername: host }),
    checkServerIdentity: (_name, certificate) =>
      verification === 'full' ? checkServerIdentity(host, certificate) : undefined,
  };
}
