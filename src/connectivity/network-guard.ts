/**
 * Keeps connection tests from probing where they should not: the host is
 * resolved first, every address it resolves to is checked against the
 * deny-list (and the allow-list, when one is set), and the driver then
 * connects to the checked address, so a DNS answer that changes in between
 * cannot redirect it.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { ErrorCode } from '../error-codes.ts';

export class TargetNotAllowedError extends Error {
  readonly code = 'target_not_allowed' satisfies ErrorCode;
}

/** Link-local (cloud metadata at 169.254.169.254 included), "this network", and multicast. */
export const DEFAULT_DENIED_CIDRS = ['169.254.0.0/16', '0.0.0.0/8', '224.0.0.0/4', 'fe80::/10', 'ff00::/8'];

export interface NetworkRules {
  denied: string[];
  /** When not empty, only these ranges may be reached. */
  allowed: string[];
}

function blockList(cidrs: string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefix = ''] = cidr.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix) list.addSubnet(address, Number(prefix), family);
    else list.addAddress(address, family);
  }
  return list;
}

export interface NetworkGuard {
  /** The address to connect to for this host, once every address it resolves to is allowed. */
  resolve(host: string): Promise<string>;
}

export function networkGuard(rules: NetworkRules): NetworkGuard {
  const denied = blockList(rules.denied);
  const allowed = rules.allowed.length > 0 ? blockList(rules.allowed) : undefined;
  const permitted = (address: string) => {
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    return !denied.check(address, family) && (allowed === undefined || allowed.check(address, family));
  };
  return {
    async resolve(host) {
      const addresses = isIP(host) ? [host] : (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
      const refused = addresses.find((address) => !permitted(address));
      if (refused !== undefined || addresses.length === 0) {
        throw new TargetNotAllowedError(`Connections to ${host} (${refused ?? 'no address'}) are not allowed here.`);
      }
      return addresses[0] as string;
    },
  };
}
