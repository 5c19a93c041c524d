/**
 * An OpenSSH server of the test's own: `/usr/sbin/sshd -D` on a free loopback
 * port, with a host key, an authorized_keys file and a config the test makes,
 * logging in a dedicated user that may only forward ports. As root, the user is
 * created once (no home, no shell); its password is set anew for each server.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedPort } from './targets.ts';

const SSHD = '/usr/sbin/sshd';
export const TUNNEL_USER = 'dcapi_tunnel';

/** Whether this machine can run the test's own sshd (CI installs openssh-server and runs as root). */
export const sshdAvailable: boolean = (() => {
  const available = existsSync(SSHD) && process.getuid?.() === 0;
  if (!available && process.env.CI) throw new Error(`${SSHD} (openssh-server) and root are required under CI`);
  if (!available) console.warn('SKIPPED: the SSH tunnel tests, because sshd is not installed or this is not root.');
  return available;
})();

export interface KeyPair {
  privateKey: string;
  publicKey: string;
}

/** A new ed25519 key pair from ssh-keygen, encrypted with `passphrase` when one is given. */
export function generateKeyPair(passphrase = ''): KeyPair {
  const folder = mkdtempSync(join(tmpdir(), 'dcapi-key-'));
  try {
    const file = join(folder, 'key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'dcapi-test', '-f', file]);
    return { privateKey: readFileSync(file, 'utf8'), publicKey: readFileSync(`${file}.pub`, 'utf8') };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

export interface Sshd {
  host: '127.0.0.1';
  port: number;
  user: string;
  password: string;
  /** The host key's fingerprint, as ssh-keygen -lf prints it. */
  fingerprint: string;
  /** Connections the server is serving now: one child process each. */
  sessions(): number;
  stop(): void;
}

function ensureTunnelUser(password: string) {
  try {
    execFileSync('id', [TUNNEL_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', TUNNEL_USER]);
  }
  execFileSync('chpasswd', { input: `${TUNNEL_USER}:${password}\n` });
}

export async function startSshd(authorizedKeys: string[]): Promise<Sshd> {
  const folder = mkdtempSync(join(tmpdir(), 'dcapi-sshd-'));
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  ensureTunnelUser(password);
  mkdirSync('/run/sshd', { recursive: true });
  const hostKey = join(folder, 'host_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  const fingerprint = execFileSync('ssh-keygen', ['-lf', `${hostKey}.pub`])
    .toString()
    .split(' ')[1] as string;
  // sshd reads authorized_keys as the user logging in: the folder must let it through.
  chmodSync(folder, 0o755);
  writeFileSync(join(folder, 'authorized_keys'), authorizedKeys.join(''), { mode: 0o644 });
  const port = await closedPort();
  const config = join(folder, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(folder, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(folder, 'authorized_keys')}`,
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'StrictModes no',
      'UsePAM no',
      'AllowTcpForwarding yes',
      `AllowUsers ${TUNNEL_USER}`,
      'PermitTTY no',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  const server: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr?.on('data', (chunk) => {
    log += chunk;
  });
  // Listening once a TCP connection is accepted.
  const { createConnection } = await import('node:net');
  for (let attempt = 0; ; attempt++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      }).on('error', () => resolve(false));
    });
    if (up) break;
    if (attempt > 100 || server.exitCode !== null) throw new Error(`sshd did not start: ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    host: '127.0.0.1',
    port,
    user: TUNNEL_USER,
    password,
    fingerprint,
    sessions: () => {
      try {
        return execFileSync('pgrep', ['-P', String(server.pid)])
          .toString()
          .trim()
          .split('\n').length;
      } catch {
        return 0;
      }
    },
    stop: () => {
      server.kill();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
