/** Where a connection URI points: host, port, credentials, database and parameters. */
import type { Dialect } from '../dialects/registry.ts';
import { type HostAndPort, UnreadableUriError, type UriParts, uriParts } from '../dialects/uri-parts.ts';
import { uriPartsProblems } from '../dialects/uri-rules.ts';

/** The parts of a URI that names one host, as a driver takes them. */
export interface Target extends Omit<UriParts, 'hosts'>, HostAndPort {}

export class InvalidTargetError extends Error {}

/** `host:port` as a URL or an HTTP CONNECT writes it: an IPv6 address in brackets. */
export const authorityOf = (host: string, port: number) => `${host.includes(':') ? `[${host}]` : host}:${port}`;

/**
 * The parts a driver is given, once each keeps the rules of its dialect: checked when the
 * connection was written, and again here, as a reference may since stand for another URI.
 */
export function targetOf(uri: string, dialect: Dialect): Target {
  let parts: UriParts;
  try {
    parts = uriParts(uri, dialect);
  } catch (error) {
    throw error instanceof UnreadableUriError ? new InvalidTargetError(error.message) : error;
  }
  const [problem] = uriPartsProblems(dialect, parts);
  if (problem) throw new InvalidTargetError(`its ${problem.parameter} ${problem.message}`);
  const { hosts, ...rest } = parts;
  const [only] = hosts;
  if (!only) throw new InvalidTargetError('the URI names no host');
  if (hosts.length > 1) throw new InvalidTargetError('the URI names several hosts; a test connects to one');
  return { ...rest, ...only };
}
