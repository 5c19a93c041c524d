/**
 * How a connection reaches its database: the rules that tie the URI, the SSH
 * settings and the TLS settings together, and the route a connection test
 * takes. Checked on every create and update, in GraphQL and so in REST.
 */
import type { ConnectionRoute, SshTunnelSettings, TlsMaterial } from '../connectivity/route.ts';
import { type Dialect, tlsModeOf } from '../dialects/registry.ts';
import { checkDialect, type DialectPolicy } from '../dialects/rules.ts';
import { type FieldProblem, ValidationError } from './errors.ts';
import { type ConnectionDocument, SECRET_FIELDS } from './fields.ts';

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

/** Throws ValidationError when the URI, SSH and TLS settings do not fit together for this dialect. */
export function checkTransport(document: Transport, dialect: Dialect): void {
  const problems: FieldProblem[] = [];
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
  checkTransport(document, dialect);
  return dialect;
}

/** Where a connection test goes, and every secret it carries (for scrubbing messages). */
export function routeOf(document: Transport): ConnectionRoute {
  const secrets = SECRET_FIELDS.flatMap(([name, field]) =>
    field.value.secrets ? field.value.secrets.secretsIn(document[name as keyof Transport] as never) : [],
  );
  return {
    uri: document.connectionUri,
    ssh: document.useSsh ? (document.sshSettings as unknown as SshTunnelSettings) : null,
    tls: document.tlsSettings as unknown as TlsMaterial | null,
    secrets,
  };
}
