/**
 * Failed authentications (a missing, unknown, revoked or expired key or token), counted per client
 * in windows of a minute: past AUTH_FAILURES_PER_MINUTE, a failure is answered 429 instead of 401
 * until the window ends. Only failures count, so a valid key from the same address is never held
 * back: the key is checked first, and only a refused one meets the limit.
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

const WINDOW_MS = 60_000;
/** Clients followed at once; past it the oldest window is forgotten (memory stays bounded whatever the traffic). */
const MAX_CLIENTS = 10_000;

/**
 * Who a client is: an IPv4 address (mapped into IPv6 or not), or the /64 of an IPv6 address, the
 * block one host is given, whose 2^64 addresses it may use one after another.
 */
export function clientOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (isIP(address) !== 6) return address;
  // Its eight groups written out: `::` may stand for zeros on either side of the /64's end.
  const groups = ipaddr.IPv6.parse(address.split('%', 1)[0] ?? address).parts;
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

interface Window {
  startedAt: number;
  failures: number;
}

export interface FailureLimit {
  /** Counts a failure of this client address: the seconds to wait when it is past the limit, else undefined. */
  fail(address: string, now?: number): number | undefined;
}

/** `maxPerMinute` 0: no limit. */
export function createFailureLimit(maxPerMinute: number): FailureLimit {
  // In the order their windows started: expired ones first.
  const windows = new Map<string, Window>();
  const forgetExpired = (now: number) => {
    for (const [client, window] of windows) {
      if (now - window.startedAt < WINDOW_MS && windows.size < MAX_CLIENTS) return;
      windows.delete(client);
    }
  };
  return {
    fail(address, now = Date.now()) {
      if (maxPerMinute === 0) return undefined;
      const client = clientOf(address);
      let window = windows.get(client);
      if (!window || now - window.startedAt >= WINDOW_MS) {
        windows.delete(client);
        forgetExpired(now);
        window = { startedAt: now, failures: 0 };
        windows.set(client, window);
      }
      window.failures += 1;
      if (window.failures <= maxPerMinute) return undefined;
      return Math.max(1, Math.ceil((window.startedAt + WINDOW_MS - now) / 1_000));
    },
  };
}
