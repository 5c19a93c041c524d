/**
 * Finding the secrets inside a connection URI: the password of its user info,
 * and the values of query parameters whose names say they are secret.
 */

import { isReference } from './references.ts';

/** What every secret is replaced with in output. */
export const MASK = '****';

// Parameter names that hold secrets in the URIs of common drivers (libpq's
// sslpassword, ODBC's PWD, Snowflake's private_key, BigQuery's credentials, …).
const SECRET_PARAMETER = /pass|pwd|secret|token|credential|private|(^|[_-])key$|^key|apikey|access_?key|signature|sas/i;

interface ParsedUri {
  /** `scheme://` */
  scheme: string;
  user: string | undefined;
  password: string | undefined;
  /** host, port and path: everything up to `?` or `#`. */
  location: string;
  parameters: { name: string; value: string | undefined }[];
  fragment: string;
}

/**
 * Splits a URI by hand rather than with WHATWG URL, which rejects or rewrites
 * many database URIs (several hosts, `+driver` schemes, unencoded characters).
 */
function parse(uri: string): ParsedUri {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(uri)?.[0] ?? '';
  let rest = uri.slice(scheme.length);
  const hashAt = rest.indexOf('#');
  const fragment = hashAt >= 0 ? rest.slice(hashAt) : '';
  if (hashAt >= 0) rest = rest.slice(0, hashAt);
  const queryAt = rest.indexOf('?');
  const query = queryAt >= 0 ? rest.slice(queryAt + 1) : undefined;
  if (queryAt >= 0) rest = rest.slice(0, queryAt);
  // User info ends at the last @ before the path: passwords may contain an unencoded @.
  const pathAt = rest.indexOf('/');
  const authority = pathAt >= 0 ? rest.slice(0, pathAt) : rest;
  const at = authority.lastIndexOf('@');
  let user: string | undefined;
  let password: string | undefined;
  if (at >= 0) {
    const userInfo = authority.slice(0, at);
    const colon = userInfo.indexOf(':');
    user = colon >= 0 ? userInfo.slice(0, colon) : userInfo;
    password = colon >= 0 ? userInfo.slice(colon + 1) : undefined;
    rest = rest.slice(at + 1);
  }
  const parameters =
    query === undefined
      ? []
      : query.split('&').map((pair) => {
          const equals = pair.indexOf('=');
          return equals >= 0
            ? { name: pair.slice(0, equals), value: pair.slice(equals + 1) }
            : { name: pair, value: undefined };
        });
  return { scheme, user, password, location: rest, parameters, fragment };
}

function format(parts: ParsedUri): string {
  const userInfo =
    parts.user === undefined ? '' : `${parts.user}${parts.password === undefined ? '' : `:${parts.password}`}@`;
  const query =
    parts.parameters.length === 0
      ? ''
      : `?${parts.parameters.map(({ name, value }) => (value === undefined ? name : `${name}=${value}`)).join('&')}`;
  return `${parts.scheme}${userInfo}${parts.location}${query}${parts.fragment}`;
}

function isSecretParameter(name: string): boolean {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {}
  return SECRET_PARAMETER.test(decoded);
}

/**
 * The URI with its password and secret parameter values replaced by `****`; everything else kept,
 * a secret reference in place of the password too (it names a secret, it is none).
 */
export function maskConnectionUri(uri: string): string {
  const parts = parse(uri);
  if (parts.password && !isReference(parts.password)) parts.password = MASK;
  for (const parameter of parts.parameters) {
    if (parameter.value && isSecretParameter(parameter.name) && !isReference(parameter.value)) parameter.value = MASK;
  }
  return format(parts);
}

/** Every secret the URI holds, for scrubbing them out of text such as driver error messages. */
export function secretsIn(uri: string): string[] {
  const parts = parse(uri);
  const secrets = parts.parameters.filter((p) => p.value && isSecretParameter(p.name)).map((p) => p.value as string);
  if (parts.password) secrets.push(parts.password);
  return secrets.filter((secret) => secret !== MASK && !isReference(secret));
}

/** The secret parameters of a URI that hold a reference (`credentials_base64=${file:bq-key}`). */
const referencedParameters = (parts: ParsedUri) =>
  parts.parameters.filter((p) => isSecretParameter(p.name) && isReference(p.value));

/**
 * The URI with the secret references it holds replaced by what `resolve` gives: the whole URI, or
 * its password and secret parameters (percent-encoded in place).
 */
export function resolveUriReferences(uri: string, resolve: (reference: string) => string): string {
  if (isReference(uri)) return resolve(uri);
  const parts = parse(uri);
  const parameters = referencedParameters(parts);
  if (!isReference(parts.password) && parameters.length === 0) return uri;
  // A reference given back as it is (one a reveal cannot read) stays as written, not encoded.
  const resolved = (reference: string) => {
    const value = resolve(reference);
    return value === reference ? reference : encodeURIComponent(value);
  };
  if (isReference(parts.password)) parts.password = resolved(parts.password);
  for (const parameter of parameters) parameter.value = resolved(parameter.value as string);
  return format(parts);
}

/** Whether a URI holds `${` anywhere a reference may not stand: the whole URI, its password, a secret parameter's value. */
export function hasMisplacedReference(uri: string): boolean {
  if (isReference(uri)) return false;
  const parts = parse(uri);
  if (isReference(parts.password)) parts.password = '';
  for (const parameter of referencedParameters(parts)) parameter.value = '';
  return format(parts).includes('${');
}

export function hasMaskedSecret(uri: string): boolean {
  const parts = parse(uri);
  return parts.password === MASK || parts.parameters.some((p) => p.value === MASK && isSecretParameter(p.name));
}

/** Scheme, user and location: where a URI's secrets are used. */
function target(parts: ParsedUri): string {
  return `${parts.scheme.toLowerCase()}${parts.user ?? ''}@${parts.location.toLowerCase()}`;
}

/**
 * Puts the stored secrets back where an incoming URI carries `****`, so a
 * client can send back the URI it read. Only for the same scheme, user, host,
 * port and database: a mask never carries a password to another target.
 * Returns undefined when it cannot.
 */
export function restoreMaskedSecrets(incoming: string, stored: string): string | undefined {
  const next = parse(incoming);
  const previous = parse(stored);
  if (target(next) !== target(previous)) return undefined;
  if (next.password === MASK) {
    if (previous.password === undefined) return undefined;
    next.password = previous.password;
  }
  for (const parameter of next.parameters) {
    if (parameter.value !== MASK || !isSecretParameter(parameter.name)) continue;
    const original = previous.parameters.find((p) => p.name === parameter.name)?.value;
    if (original === undefined) return undefined;
    parameter.value = original;
  }
  return format(next);
}
