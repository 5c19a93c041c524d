/** Where a connection URI points: host, port, credentials, database and parameters. */
import { decodeOrKeep } from '../dialects/parameters.ts';
import type { Dialect } from '../dialects/registry.ts';

export interface Target {
  host: string;
  port: number;
  user?: string;
  password?: string;
  database?: string;
  parameters: URLSearchParams;
}

export class InvalidTargetError extends Error {}

/** `host:port` as a URL or an HTTP CONNECT writes it: an IPv6 address in brackets. */
export const authorityOf = (host: string, port: number) => `${host.includes(':') ? `[${host}]` : host}:${port}`;

const decode = decodeOrKeep;

export function targetOf(uri: string, dialect: Dialect): Target {
  let url: URL;
  try {
    // WHATWG URL parses host and port only for "special" schemes: read the rest as http.
    url = new URL(uri.replace(/^[a-z][a-z0-9+.-]*:/i, 'http:'));
  } catch {
    throw new InvalidTargetError('the URI names no single host this service can connect to');
  }
  if (!url.hostname) throw new InvalidTargetError('the URI names no host');
  const database = decode(url.pathname.replace(/^\//, '')) || undefined;
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : (dialect.defaultPort ?? 0),
    user: url.username ? decode(url.username) : undefined,
    password: url.password ? decode(url.password) : undefined,
    database,
    parameters: url.searchParams,
  };
}
