/**
 * A tunnel through an SSH bastion: one SSH connection, and a forwarded channel
 * for each connection a driver opens, as the bastion resolves and reaches the
 * host. Closing it ends them all; a failure to open it is classified here.
 */
import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { Client, ClientChannel } from 'ssh2';
import { ssh2Library } from '../secrets/credentials.ts';
import type { SshTunnelSettings } from './route.ts';

export type SshFailureCode =
  | 'ssh_host_not_found'
  | 'ssh_authentication_failed'
  | 'ssh_host_key_mismatch'
  | 'ssh_connection_failed';

/** The bastion refused us, presented another key, or could not be reached. */
export class SshFailure extends Error {
  constructor(
    readonly failure: SshFailureCode,
    message: string,
  ) {
    super(message);
  }
}

/** An SSH connection to a bastion, through which each connection to the database is a channel. */
export interface Bastion {
  /** A socket-like stream to host:port, as the bastion resolves and reaches them. */
  forward(host: string, port: number): Promise<Duplex>;
  close(): void;
}

/** The `SHA256:…` fingerprint of a host key, as ssh-keygen -lf prints it. */
export const fingerprintOf = (key: Buffer) =>
  `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;

/**
 * Drivers written for TCP sockets call these on their stream; a channel has none, and is
 * connected already.
 */
function socketLike(channel: ClientChannel): Duplex {
  // A channel's destroy() drops the error a driver passes (pg's connection timeout): emit it, as a socket does.
  const destroy = channel.destroy.bind(channel);
  return Object.assign(channel, {
    destroy: (error?: Error) => {
      if (error) channel.emit('error', error);
      return destroy();
    },
    setNoDelay: () => channel,
    setKeepAlive: () => channel,
    setTimeout: () => channel,
    ref: () => channel,
    unref: () => channel,
    connect: () => {
      process.nextTick(() => channel.emit('connect'));
      return channel;
    },
  });
}

/** An error from behind the bastion, with the code a direct connection would have given. */
function channelFailure(error: Error): Error {
  const reason = error.message;
  const code = /refused/i.test(reason)
    ? 'ECONNREFUSED'
    : /not known|resolve|no address|ENOTFOUND/i.test(reason)
      ? 'ENOTFOUND'
      : /timed out/i.test(reason)
        ? 'ETIMEDOUT'
        : 'EHOSTUNREACH';
  return Object.assign(new Error(`through the SSH bastion: ${reason}`), { code });
}

/** Why the SSH connection failed: the code says all there is to say of a host key mismatch or a refused login. */
function sshFailure(error: Error & { level?: string }, presentedOtherKey: boolean): SshFailure {
  if (presentedOtherKey) return new SshFailure('ssh_host_key_mismatch', '');
  if (error.level === 'client-authentication') return new SshFailure('ssh_authentication_failed', '');
  return new SshFailure('ssh_connection_failed', error.message);
}

/** The bastion `client` is connected to: channels to the hosts behind it. */
function bastionOver(client: Client, close: () => void): Bastion {
  return {
    forward: (host, port) =>
      new Promise((resolve, reject) => {
        client.forwardOut('127.0.0.1', 0, host, port, (error, channel) =>
          error ? reject(channelFailure(error)) : resolve(socketLike(channel)),
        );
      }),
    close,
  };
}

/**
 * Connects to the bastion at `address` (checked by the network guard), within `timeoutMs`. Rejects
 * with SshFailure; a channel that cannot be opened rejects with an Error with the socket code a
 * direct connection would have given.
 */
export function openBastion(settings: SshTunnelSettings, address: string, timeoutMs: number): Promise<Bastion> {
  const client = new (ssh2Library().Client)();
  let presentedOtherKey = false;
  let settled = false;
  const close = () => {
    client.end();
    client.destroy();
  };
  const bastion = bastionOver(client, close);
  return new Promise<Bastion>((resolve, reject) => {
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      close();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new SshFailure('ssh_connection_failed', 'the bastion did not complete the SSH connection in time')),
      timeoutMs,
    );
    client.on('error', (error: Error & { level?: string }) => fail(sshFailure(error, presentedOtherKey)));
    client.on('ready', () => {
      if (settled) return close();
      settled = true;
      clearTimeout(timer);
      resolve(bastion);
    });
    client.connect({
      host: address,
      port: settings.port,
      username: settings.username,
      password: settings.password ?? undefined,
      privateKey: settings.privateKey ?? undefined,
      passphrase: settings.privateKeyPassword ?? undefined,
      readyTimeout: timeoutMs,
      // Keyboard-interactive would wait for answers nobody gives.
      tryKeyboard: false,
      hostVerifier: (key: Buffer) => {
        if (settings.hostKeyFingerprint === null) return true;
        presentedOtherKey = fingerprintOf(key) !== settings.hostKeyFingerprint;
        return !presentedOtherKey;
      },
    });
  });
}
