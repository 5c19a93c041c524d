/**
 * The parts of a connection URI as the drivers read them: hosts and ports, credentials, database
 * and query parameters, percent-decoded. One reading, for the rules that check each part
 * (./uri-rules.ts) and for the drivers that use them (src/connectivity/target.ts), so that what
 * was checked is what is used.
 */
import { decodeOrKeep } from './parameters.ts';
import type { Dialect } from './registry.ts';

export interface HostAndPort {
  /** As WHATWG URL writes a host: lower-case, international names in punycode, an IPv6 address without brackets. */
  host: string;
  /** The dialect's default where the URI names none. */
  port: number;
}

export interface UriParts {
  /** Every host the authority names: one, or a list (`h1:5432,h2:5433`, libpq's); none for `scheme:///…`. */
  hosts: HostAndPort[];
  user?: string;
  password?: string;
  /** The path without its first slash, decoded, `.` and `..` kept: a database, a SID, or `database/schema`. */
  database?: string;
  parameters: URLSearchParams;
}

/** A URI whose authority does not read as hosts with ports. */
export class UnreadableUriError extends Error {}

const decode = decodeOrKeep;

/** One `host`, `host:port`, `[v6]` or `[v6]:port` of an authority, read as WHATWG URL reads a host. */
function hostAndPort(text: string, dialect: Dialect): HostAndPort {
  const unreadable = new UnreadableUriError('the URI names a host and port this service cannot read');
  if (!/^(\[[^\]]*\]|[^:[\]]+)(:\d*)?$/.test(text)) throw unreadable;
  let url: URL;
  try {
    url = new URL(`http://${text}/`);
  } catch {
    throw unreadable;
  }
  // A backslash ends a host for WHATWG URL, not for libpq: one host for both, or none.
  if (url.pathname !== '/') throw unreadable;
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : (dialect.defaultPort ?? 0),
  };
}

/**
 * The parts of a URI of a dialect reached over the network, split as written (as libpq and
 * SQLAlchemy split it); throws UnreadableUriError.
 */
export function uriParts(uri: string, dialect: Dialect): UriParts {
  const afterScheme = uri.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const [, authority = '', path = '', query = ''] = /^([^/?#]*)([^?#]*)(?:\?([^#]*))?/.exec(afterScheme) ?? [];
  const at = authority.lastIndexOf('@');
  const userInfo = at >= 0 ? authority.slice(0, at) : undefined;
  const hostList = authority.slice(at + 1);
  const colon = userInfo?.indexOf(':') ?? -1;
  const user = colon >= 0 ? userInfo?.slice(0, colon) : userInfo;
  const password = colon >= 0 ? userInfo?.slice(colon + 1) : undefined;
  return {
    hosts: hostList === '' ? [] : hostList.split(',').map((text) => hostAndPort(text, dialect)),
    user: user ? decode(user) : undefined,
    password: password ? decode(password) : undefined,
    database: decode(path.replace(/^\//, '')) || undefined,
    parameters: new URLSearchParams(query),
  };
}
