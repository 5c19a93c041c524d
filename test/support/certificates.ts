/**
 * Certificates of the test's own, made with openssl: a CA, and certificates it
 * signs for a server (with the names it should be reached by) or a client (its
 * common name is the database user it logs in as).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Issued {
  certificate: string;
  /** Unencrypted PKCS#8 PEM. */
  key: string;
}

export interface CertificateAuthority extends Issued {
  /** A certificate for a server reachable under these DNS names and IP addresses. */
  server(names: { dns?: string[]; ip?: string[] }): Issued;
  /** A certificate for a client logging in as `commonName`. */
  client(commonName: string): Issued;
}

function inFolder<T>(work: (folder: string) => T): T {
  const folder = mkdtempSync(join(tmpdir(), 'dcapi-cert-'));
  try {
    return work(folder);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });

export function createCertificateAuthority(name = 'dcapi test CA'): CertificateAuthority {
  const ca = inFolder((folder) => {
    const key = join(folder, 'ca.key');
    const certificate = join(folder, 'ca.crt');
    openssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      certificate,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
    ]);
    return { key: readFileSync(key, 'utf8'), certificate: readFileSync(certificate, 'utf8') };
  });
  const sign = (subject: string, extensions: string): Issued =>
    inFolder((folder) => {
      const file = (name: string, content?: string) => {
        const path = join(folder, name);
        if (content !== undefined) writeFileSync(path, content);
        return path;
      };
      file('ca.key', ca.key);
      file('ca.crt', ca.certificate);
      file('ext.cnf', extensions);
      openssl([
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        file('leaf.key'),
        '-out',
        file('leaf.csr'),
        '-subj',
        subject,
      ]);
      openssl([
        'x509',
        '-req',
        '-in',
        file('leaf.csr'),
        '-CA',
        file('ca.crt'),
        '-CAkey',
        file('ca.key'),
        '-CAcreateserial',
        '-out',
        file('leaf.crt'),
        '-days',
        '2',
        '-extfile',
        file('ext.cnf'),
      ]);
      return { certificate: readFileSync(file('leaf.crt'), 'utf8'), key: readFileSync(file('leaf.key'), 'utf8') };
    });
  return {
    ...ca,
    server: ({ dns = [], ip = [] }) =>
      sign(
        `/CN=${dns[0] ?? ip[0]}`,
        `subjectAltName=${[...dns.map((n) => `DNS:${n}`), ...ip.map((n) => `IP:${n}`)].join(',')}\nextendedKeyUsage=serverAuth\n`,
      ),
    client: (commonName) => sign(`/CN=${commonName}`, 'extendedKeyUsage=clientAuth\n'),
  };
}
