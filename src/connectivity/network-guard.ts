/**
 * Keeps connection tests from probing where they should not: the host is read as an IP address
 * in any spelling (src/connectivity/addresses.ts) or resolved once, every address it stands for
 * or resolves to is checked against the deny-list (and the allow-list, when one is set), with
 * every address a connection to it may land on, and the driver then connects to the checked
 * address, so a DNS answer that changes in between cannot redirect it.
 */
import { lookup as systemLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { ErrorCode } from '../error-codes.ts';
import { type AddressReading, readAddress } from './addresses.ts';

export class TargetNotAllowedError extends Error {
  readonly code = 'target_not_allowed' satisfies ErrorCode;
}

/**
 * The ranges denied unless CONNECTION_TEST_DENIED_CIDRS is set, and why: the setting's default,
 * docs/production.md's settings table and docs/security.md's table of them follow this list.
 */
export const DEFAULT_DENIED_RANGES = [
  { cidr: '169.254.0.0/16', why: 'IPv4 link-local, where clouds serve instance metadata (169.254.169.254)' },
  { cidr: 'fd00:ec2::254/128', why: "AWS's instance metadata over IPv6" },
  { cidr: '100.100.100.200/32', why: "Alibaba Cloud's instance metadata" },
  { cidr: '0.0.0.0/8', why: '"this network": 0.0.0.0 reaches this machine' },
  { cidr: '::/128', why: 'the IPv6 unspecified address, which reaches this machine as 0.0.0.0 does' },
  { cidr: '224.0.0.0/4', why: 'IPv4 multicast' },
  { cidr: 'fe80::/10', why: 'IPv6 link-local' },
  { cidr: 'ff00::/8', why: 'IPv6 multicast' },
] as const;

export const DEFAULT_DENIED_CIDRS: string[] = DEFAULT_DENIED_RANGES.map((range) => range.cidr);

export interface NetworkRules {
  denied: string[];
  /** When not empty, only these ranges may be reached. */
  allowed: string[];
}

const familyOf = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

function blockList(cidrs: string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefix = ''] = cidr.split('/');
    if (prefix) list.addSubnet(address, Number(prefix), familyOf(address));
    else list.addAddress(address, familyOf(address));
  }
  return list;
}

/** Resolves a host name to its addresses, as `dns.lookup` does; the guard's one lookup per connection. */
export type Lookup = (host: string) => Promise<string[]>;

const lookupAll: Lookup = async (host) =>
  (await systemLookup(host, { all: true, verbatim: true })).map((answer) => answer.address);

export interface NetworkGuard {
  /** The address to connect to for this host, once every address it stands for or resolves to is allowed. */
  resolve(host: string): Promise<string>;
}

export function networkGuard(rules: NetworkRules, lookup: Lookup = lookupAll): NetworkGuard {
  const denied = blockList(rules.denied);
  const allowed = rules.allowed.length > 0 ? blockList(rules.allowed) : undefined;
  const permitted = (address: string) =>
    !denied.check(address, familyOf(address)) && (allowed?.check(address, familyOf(address)) ?? true);

  /** The host's addresses: itself, when it is one, or what it resolves to. */
  async function readingsOf(host: string): Promise<AddressReading[]> {
    const literal = readAddress(host);
    if (literal) return [literal];
    return (await lookup(host)).map((answer) => {
      const reading = readAddress(answer);
      if (!reading) throw new TargetNotAllowedError(`${host} resolves to ${answer}, which is no IP address.`);
      return reading;
    });
  }

  return {
    async resolve(host) {
      const readings = await readingsOf(host);
      const [first] = readings;
      if (first === undefined) throw new TargetNotAllowedError(`${host} resolves to no address.`);
      for (const { reaches } of readings) {
        const refused = reaches.find((address) => !permitted(address));
        if (refused !== undefined) {
          throw new TargetNotAllowedError(`Connections to ${host} (${refused}) are not allowed here.`);
        }
      }
      return first.connectTo;
    },
  };
}
