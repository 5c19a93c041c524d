/**
 * How a connection reaches its database: the rules that tie the URI, the SSH
 * settings and the TLS settings together, and the route a connection test
 * takes. Checked on every create and update, in GraphQL and so in REST.
 */

import { checkedFilePath, FileDatabaseError, filePathOf } from '../../connectivity/file-databases.ts';
import type { ConnectionRoute, SshTunnelSettings, TlsMaterial } from '../../connectivity/route.ts';
import { type Dialect, tlsModeOf } from '../../dialects/registry.ts';
import { checkDialect, type DialectPolicy } from '../../dialects/rules.ts';
import { uriProblems } from '../../dialects/uri-rules.ts';
import { type ConnectionDocument, SECRET_FIELDS } from '../fields/fields.ts';
import { type FieldProblem, ValidationError } from './errors.ts';

/** The query parameters of a URI, decoded (names compared as the drivers compare them, in lower case). */
function parametersOf(uri: string): URLSearchParams {
  const query = uri.split('#')[0]?.split('?')[1] ?? '';
  const parameters = new URLSearchParams();
  for (const [name, value] of new URLSearchParams(query)) parameters.append(name.toLowerCase(), value);
  return parameters;
}

/**
 * The fields that say where and how a connection reaches its database: its rules look at them
 * together, and a change of any of them makes its health unknown.
 */
export const REACHING_FIELDS = ['connectionUri', 'schemas', 'useSsh', 'sshSettings', 'tlsSettings'] as const;

type Transport = Pick<ConnectionDocument, 'connectionUri' | 'useSsh' | 'sshSettings' | 'tlsSettings'>;

/** The host of a URI's authority (after its user info, without its port), '' for none. */
function authorityHost(uri: string): string {
  const afterScheme = uri.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const authority = afterScheme.split(/[/?#]/, 1)[0] ?? '';
  const hostAndPort = authority.slice(authority.lastIndexOf('@') + 1);
  return hostAndPort.startsWith('[') ? hostAndPort : hostAndPort.replace(/:[^:]*$/, '');
}

const NOT_REACHABLE =
  "a Unix socket or a file on this service's machine is not a database the platform's other parts can reach";

/**
 * Why a URI's host cannot be where the connection goes, if it cannot: none, a socket path in its
 * place (libpq takes `%2Fvar%2Frun%2Fpostgresql`), or a host given by a parameter, which drivers
 * take over the URI's own. Never misread: `postgresql:///db` names no host, not a host "db".
 */
function hostProblem(uri: string, dialect: Dialect): string | undefined {
  if (dialect.fileBased) return undefined;
  const host = authorityHost(uri);
  if (host === '') {
    return `names no host: write it after ://, as in ${dialect.name}://user@db.example.com/dbname (${NOT_REACHABLE})`;
  }
  if (/^(\/|%2f)/i.test(host)) return `names a socket path in place of a host (${NOT_REACHABLE})`;
  const given = dialect.hostParameters.filter((name) => parametersOf(uri).has(name));
  if (given.length > 0) {
    return (
      `names where to connect in its ${given.join(', ')} parameter: name the host after :// instead, where this ` +
      `service checks it (${NOT_REACHABLE}, and another host would escape the network rules)`
    );
  }
  return undefined;
}

/** Why a file database's URI may not be opened, if it may not: its path must lie in FILE_DATABASES_DIR. */
function fileProblem(uri: string, dialect: Dialect, policy: DialectPolicy): string | undefined {
  if (!dialect.fileBased) return undefined;
  try {
    checkedFilePath(filePathOf(uri), policy.fileDatabasesDir);
    return undefined;
  } catch (error) {
    if (error instanceof FileDatabaseError) return error.message;
    throw error;
  }
}

/** Throws ValidationError when the URI, SSH and TLS settings do not fit together for this dialect. */
export function checkTransport(document: Transport, dialect: Dialect, policy: DialectPolicy): void {
  const problems: FieldProblem[] = [];
  const host = hostProblem(document.connectionUri, dialect) ?? fileProblem(document.connectionUri, dialect, policy);
  if (host) problems.push({ field: 'connectionUri', message: host });
  else if (!dialect.fileBased) {
    for (const { parameter, message } of uriProblems(dialect, document.connectionUri))
      problems.push({ field: parameter === null ? 'connectionUri' : `connectionUri.${parameter}`, message });
  }
  if (document.tlsSettings !== null && !dialect.tls) {
    problems.push({
      field: 'tlsSettings',
      message: `cannot apply to ${dialect.name}: its database is a file, reached over no network`,
    });
  }
  const material = document.tlsSettings as unknown as TlsMaterial | null;
  if (dialect.tls?.caNeedsClientCertificate && material?.caCertificate && !material.clientCertificate) {
    problems.push({
      field: 'tlsSettings',
      message: `take a CA certificate for ${dialect.name} only with a client certificate and key (its driver reads them as one wallet); without a CA, the public CAs verify the server`,
    });
  }
  if (document.useSsh && document.sshSettings === null) {
    problems.push({ field: 'sshSettings', message: 'is required to connect through SSH' });
  }
  if (document.useSsh && dialect.defaultPort === undefined) {
    problems.push({
      field: 'useSsh',
      message: `cannot be true for ${dialect.name}: its URIs name no host and port to tunnel to`,
    });
  }
  if (dialect.tls) {
    const parameters = parametersOf(document.connectionUri);
    const files = dialect.tls.fileParameters.filter((name) => parameters.has(name));
    if (files.length > 0) {
      problems.push({
        field: 'connectionUri',
        message:
          `must not name files on the server's disk (${files.join(', ')}): send certificates and keys in the ` +
          'TLS settings instead',
      });
    }
    if (document.tlsSettings !== null && tlsModeOf(dialect.tls, parameters) === 'off') {
      problems.push({
        field: 'tlsSettings',
        message: `are given, but the URI does not ask for TLS: add ${dialect.tls.hint} to it`,
      });
    }
  }
  if (problems.length > 0) throw new ValidationError(problems);
}

/** The dialect of a connection, once its URI, schemas, SSH and TLS settings fit together (references read). */
export function checkConnection(document: ConnectionDocument, policy: DialectPolicy): Dialect {
  const dialect = checkDialect(document.connectionUri, document.schemas, policy);
  checkTransport(document, dialect, policy);
  return dialect;
}

/** Where a connection test goes, and every secret it carries (for scrubbing messages). */
export function routeOf(document: Transport): ConnectionRoute {
  const secrets = SECRET_FIELDS.flatMap(([name, field]) =>
    field.value.secrets ? field.value.secrets.secretsIn(document[name as keyof Transport]) : [],
  );
  return {
    uri: document.connectionUri,
    ssh: document.useSsh ? (document.sshSettings as unknown as SshTunnelSettings) : null,
    tls: document.tlsSettings as unknown as TlsMaterial | null,
    secrets,
  };
}
