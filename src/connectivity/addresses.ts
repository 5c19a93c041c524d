/**
 * What an IP address, however it is written, reaches: the network guard judges these addresses,
 * and the connection goes to the one it read. A host is read as an address in every spelling a
 * resolver or a URL takes for one (IPv4 in one to four parts of decimal, octal or hex, a trailing
 * dot; IPv6 in either case, with leading zeros, a dotted quad at its end, brackets or a zone id),
 * and an address that stands for others brings them too: the unspecified addresses reach this
 * machine, and IPv4-mapped, -translated and -compatible IPv6, NAT64, 6to4 and Teredo reach the
 * IPv4 addresses they embed.
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export interface AddressReading {
  /** What to connect to: an address Node's connect takes as it is, with no lookup. */
  connectTo: string;
  /** Every address a connection to it may land on (itself first), each in its canonical form. */
  reaches: string[];
}

/** IPv6 prefixes whose addresses carry an IPv4 address: where it sits, and whether its bits are inverted. */
const EMBEDDINGS: { prefix: [ipaddr.IPv6, number]; offset: number; inverted?: true }[] = [
  { prefix: ipaddr.IPv6.parseCIDR('::ffff:0:0/96'), offset: 12 }, // IPv4-mapped (RFC 4291)
  { prefix: ipaddr.IPv6.parseCIDR('::ffff:0:0:0/96'), offset: 12 }, // IPv4-translated (RFC 6145)
  { prefix: ipaddr.IPv6.parseCIDR('::/96'), offset: 12 }, // IPv4-compatible (RFC 4291, deprecated)
  { prefix: ipaddr.IPv6.parseCIDR('64:ff9b::/96'), offset: 12 }, // NAT64, the well-known prefix (RFC 6052)
  { prefix: ipaddr.IPv6.parseCIDR('2002::/16'), offset: 2 }, // 6to4 (RFC 3056)
  { prefix: ipaddr.IPv6.parseCIDR('2001::/32'), offset: 4 }, // Teredo's server (RFC 4380)
  { prefix: ipaddr.IPv6.parseCIDR('2001::/32'), offset: 12, inverted: true }, // Teredo's client
];

/** `::` and `::1` are not IPv4-compatible addresses (RFC 4291, 2.5.5.1): they stand for themselves. */
const NOT_COMPATIBLE = ipaddr.IPv6.parseCIDR('::/127');

function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4[] {
  const bytes = address.toByteArray();
  return EMBEDDINGS.filter(({ prefix }) => address.match(prefix))
    .filter(({ offset }) => offset !== 12 || !address.match(NOT_COMPATIBLE))
    .map(({ offset, inverted }) => {
      const octets = bytes.slice(offset, offset + 4);
      return new ipaddr.IPv4(inverted ? octets.map((octet) => octet ^ 0xff) : octets);
    });
}

/**
 * connect() takes 0.0.0.0 and `::` for this machine; the rest of "this network" (0.0.0.0/8) is no
 * destination either, and is taken for this machine too, to be safe.
 */
const THIS_NETWORK = ipaddr.IPv4.parseCIDR('0.0.0.0/8');

function reachedFrom(address: ipaddr.IPv4 | ipaddr.IPv6): string[] {
  const own = address.toString();
  if (address.kind() === 'ipv4') return address.match(THIS_NETWORK) ? [own, '127.0.0.1'] : [own];
  const ipv6 = address as ipaddr.IPv6;
  if (ipv6.range() === 'unspecified') return [own, '::1'];
  return [own, ...embeddedIPv4(ipv6).flatMap(reachedFrom)];
}

/**
 * IPv6 as Node reads it. ipaddr.js reads `::1.2.3.4` as `::ffff:1.2.3.4`; the URL parser reads it
 * as the system does, and writes it in hex, which ipaddr.js reads right.
 */
function readIPv6(text: string): ipaddr.IPv6 {
  return ipaddr.IPv6.parse(new URL(`http://[${text}]/`).hostname.slice(1, -1));
}

/**
 * The host as an IP address, or undefined for a name (to be resolved). A host that is neither
 * (a colon, a zone id or brackets without an IPv6 address) throws, as a name that does not resolve.
 */
export function readAddress(host: string): AddressReading | undefined {
  const unbracketed = /^\[(.*)\]$/s.exec(host)?.[1] ?? host;
  const [text = '', zone] = unbracketed.split(/%(.*)/s);
  if (isIP(text) === 6) {
    const address = readIPv6(text);
    const connectTo = zone === undefined ? address.toString() : `${address.toString()}%${zone}`;
    if (isIP(connectTo) === 6) return { connectTo, reaches: reachedFrom(address) };
  } else if (zone === undefined && unbracketed === host && !host.includes(':')) {
    // IPv4 the way inet_aton and URLs take it: 127.1, 0x7f000001, 0177.0.0.1, and a trailing dot.
    const ipv4 = host.replace(/\.$/, '');
    if (!ipaddr.IPv4.isValid(ipv4)) return undefined;
    const address = ipaddr.IPv4.parse(ipv4);
    return { connectTo: address.toString(), reaches: reachedFrom(address) };
  }
  // What getaddrinfo would answer, without asking DNS about it: the host does not resolve.
  throw Object.assign(new Error(`${host} is neither an IP address nor a host name`), { code: 'ENOTFOUND' });
}
