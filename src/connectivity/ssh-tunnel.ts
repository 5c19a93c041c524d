/**
 * A tunnel through an SSH bastion: one SSH connection and one forwarded channel
 * to the database's host and port, as the bastion resolves and reaches them.
 * Closing it ends both; a failure to open it is classified here.
 */
import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { Client, type ClientChannel } from 'ssh2';
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

export interface Tunnel {
  /** A socket-like stream to the database, through the bastion. */
  stream: Duplex;
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

/**
 * Connects to the bastion at `address` (checked by the network guard) and opens a channel to
 * `host`:`port`. Rejects with SshFailure for the bastion, or an Error with a socket code for
 * what lies behind it; within `timeoutMs`.
 */
export function openTunnel(
  settings: SshTunnelSettings,
  address: string,
  destination: { host: string; port: number },
  timeoutMs: number,
): Promise<Tunnel> {
  const client = new Client();
  let presentedOtherKey = false;
  let settled = false;
  return new Promise<Tunnel>((resolve, reject) => {
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.end();
      client.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new SshFailure('ssh_connection_failed', 'the bastion did not complete the SSH connection in time')),
      timeoutMs,
    );
    client.on('error', (error: Error & { level?: string }) => {
      // The code says all there is to say of these two: no detail.
      if (presentedOtherKey) {
        fail(new SshFailure('ssh_host_key_mismatch', ''));
      } else if (error.level === 'client-authentication') {
        fail(new SshFailure('ssh_authentication_failed', ''));
      } else {
        fail(new SshFailure('ssh_connection_failed', error.message));
      }
    });
    client.on('ready', () => {
      client.forwardOut('127.0.0.1', 0, destination.host, destination.port, (error, channel) => {
        if (error) return fail(channelFailure(error));
        if (settled) return channel.destroy();
        settled = true;
        clearTimeout(timer);
        // The channel ends the SSH connection with it, however the driver leaves.
        channel.on('close', () => client.end());
        resolve({
          stream: socketLike(channel),
          close: () => {
            channel.destroy();
            client.end();
            client.destroy();
          },
        });
      });
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
