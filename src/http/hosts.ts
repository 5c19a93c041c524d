/**
 * Which names the service answers to, against DNS rebinding: a page of any site can point its own
 * name at 127.0.0.1, and the browser then sends that name as `Host`. Loopback names are answered
 * always (no site can own them); other names only when ALLOWED_HOSTS lists them. In local mode, or
 * once ALLOWED_HOSTS is set, a request naming anything else is refused before it is read.
 */
import { BlockList, isIP } from 'node:net';
import { ProblemResponse, problem } from '../rest/problem.ts';

const ipType = (family: number) => (family === 4 ? 'ipv4' : 'ipv6');

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
// BlockList matches IPv4-mapped IPv6 (::ffff:127.0.0.1) against IPv4 rules, and any spelling of ::1.
LOOPBACK.addAddress('::1', 'ipv6');

/** `name:port`, `[v6]:port` or either without a port; the port is not looked at. */
const HOST_HEADER = /^(?:\[([^\]]*)\]|([^:[\]]*))(?::\d{1,5})?$/;
const DNS_NAME = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;

/** A name as requests write it: lower-case, one trailing dot removed; undefined unless a DNS name or an IP address. */
function normalName(name: string, bracketed: boolean): string | undefined {
  const lower = name.toLowerCase();
  if (bracketed) return isIP(lower) === 6 ? lower : undefined;
  const unrooted = lower.endsWith('.') ? lower.slice(0, -1) : lower;
  return isIP(unrooted) === 4 || DNS_NAME.test(unrooted) ? unrooted : undefined;
}

/** The name or address a Host header names, as normalName writes it. */
export function hostnameOf(host: string): string | undefined {
  const match = HOST_HEADER.exec(host);
  return match ? normalName(match[1] ?? match[2] ?? '', match[1] !== undefined) : undefined;
}

/**
 * localhost and its subdomains (RFC 6761: resolved to loopback, never asked of DNS; browsers do so
 * themselves), and every loopback address in any spelling.
 */
export function isLoopbackName(hostname: string): boolean {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return true;
  const family = isIP(hostname);
  return family !== 0 && LOOPBACK.check(hostname, ipType(family));
}

/** An ALLOWED_HOSTS entry as hostnameOf writes it: an IPv6 address may go without its brackets, a port may not be given. */
export function allowedHostOf(entry: string): string | undefined {
  const bracketed = /^\[(.*)\]$/.exec(entry)?.[1];
  if (bracketed !== undefined) return normalName(bracketed, true);
  return normalName(entry, isIP(entry) === 6);
}

export interface HostOptions {
  /** Names answered besides loopback ones: ALLOWED_HOSTS, read by allowedHostOf. */
  ALLOWED_HOSTS: string[];
  /** No API key and no identity provider: every caller has every scope. */
  localMode: boolean;
}

/** Whether a request's Host is one of the service's names; always, while no name is enforced. */
export function hostChecker({ ALLOWED_HOSTS: allowedHosts, localMode }: HostOptions) {
  const enforced = localMode || allowedHosts.length > 0;
  const names = new Set<string>();
  const addresses = new BlockList();
  for (const name of allowedHosts) {
    const family = isIP(name);
    if (family === 0) names.add(name);
    else addresses.addAddress(name, ipType(family));
  }
  const isAllowed = (hostname: string) => {
    if (isLoopbackName(hostname)) return true;
    const family = isIP(hostname);
    return family === 0 ? names.has(hostname) : addresses.check(hostname, ipType(family));
  };
  return (host: string | undefined): boolean => {
    if (!enforced) return true;
    const hostname = host === undefined ? undefined : hostnameOf(host);
    return hostname !== undefined && isAllowed(hostname);
  };
}

/** 421: the request named a host this service does not answer to; the Host is quoted, cut to a DNS name's length. */
export function misdirected(host: string | undefined, { ALLOWED_HOSTS: allowedHosts }: HostOptions): ProblemResponse {
  const named = host === undefined ? 'names no Host' : `names the Host ${JSON.stringify(host.slice(0, 255))}`;
  const listed = allowedHosts.length > 0 ? ' and the names in ALLOWED_HOSTS' : '';
  return new ProblemResponse(
    problem(
      'host_not_allowed',
      `This service answers only requests for loopback names (localhost, 127.0.0.1, [::1])${listed}; this one ${named}. ` +
        'To serve it under another name (behind a proxy, say), list that name in ALLOWED_HOSTS.',
    ),
  );
}
