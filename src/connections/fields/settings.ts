/**
 * The groups of settings a connection may carry beside its URI: how to tunnel
 * through an SSH bastion, and the certificates of a TLS connection. Members are
 * named as the Dataherald engine names them on REST.
 */
import {
  certificateMatchesKey,
  certificateProblem,
  sshPrivateKeyProblem,
  tlsPrivateKeyProblem,
} from '../../secrets/credentials.ts';
import { isReference } from '../../secrets/references.ts';
import { MASK } from '../../secrets/uri-secrets.ts';
import {
  exactText,
  fingerprint,
  hostName,
  name,
  pemText,
  port,
  type SettingsGroup,
  type SettingsIssue,
} from './values.ts';

const KEY_BYTES = 16 * 1024;
const CERTIFICATE_BYTES = 64 * 1024;

/**
 * A value a check can read: given, and neither the mask of a stored secret (checked when it was
 * stored) nor a secret reference (checked once read).
 */
const known = (value: unknown): value is string => typeof value === 'string' && value !== MASK && !isReference(value);

export const SSH_SETTINGS: SettingsGroup = {
  graphqlName: 'SshSettings',
  description:
    'The SSH bastion to tunnel through: its host, the user to log in as, and a password or a private key ' +
    '(or both).',
  members: {
    host: { rest: 'host', value: hostName(), description: 'The bastion host name or IP address.', required: true },
    port: { rest: 'port', value: port(), description: 'The bastion SSH port. Default: 22.', default: 22 },
    username: { rest: 'username', value: name(255), description: 'The user to log in as.', required: true },
    password: { rest: 'password', value: exactText(1024), description: 'The password of that user.', secret: true },
    privateKey: {
      rest: 'private_key',
      // Parsed by the group's check, which has the passphrase to open it with.
      value: pemText(KEY_BYTES, () => undefined, { secret: true }),
      description: 'A private key of that user, as PEM or OpenSSH text (at most 16 KiB).',
      secret: true,
    },
    privateKeyPassword: {
      rest: 'private_key_password',
      value: exactText(1024),
      description: 'The passphrase of an encrypted private key.',
      secret: true,
    },
    hostKeyFingerprint: {
      rest: 'host_key_fingerprint',
      value: fingerprint(),
      description:
        'The bastion host key fingerprint as `ssh-keygen -lf` prints it (`SHA256:…`). When given, a bastion ' +
        'presenting another key is refused.',
    },
  },
  // The password goes to the bastion itself: a mask keeps it only for the same bastion and user.
  destination: ['host', 'port', 'username'],
  check({ password, privateKey, privateKeyPassword }) {
    const issues: SettingsIssue[] = [];
    if (password == null && privateKey == null)
      issues.push({ member: '', message: 'needs a password or a private key' });
    if (privateKeyPassword != null && privateKey == null) {
      issues.push({ member: 'privateKeyPassword', message: 'is only used with a private key' });
    }
    if (known(privateKey) && (privateKeyPassword == null || known(privateKeyPassword))) {
      const problem = sshPrivateKeyProblem(privateKey, privateKeyPassword ?? undefined);
      if (problem) {
        issues.push({
          member: problem.field === 'key' ? 'privateKey' : 'privateKeyPassword',
          message: problem.message,
        });
      }
    }
    return issues;
  },
};

export const TLS_SETTINGS: SettingsGroup = {
  graphqlName: 'TlsSettings',
  description:
    'Certificates for a TLS connection, used with the mode the URI asks for (PostgreSQL `sslmode=require`, ' +
    '`verify-ca` or `verify-full`; MySQL and MariaDB `ssl-mode=REQUIRED`, `VERIFY_CA` or `VERIFY_IDENTITY`).',
  members: {
    caCertificate: {
      rest: 'ca_certificate',
      value: pemText(CERTIFICATE_BYTES, certificateProblem, { secret: false }),
      description: "The CA certificates (PEM) to verify the server's certificate against, in place of the system's.",
    },
    clientCertificate: {
      rest: 'client_certificate',
      value: pemText(CERTIFICATE_BYTES, certificateProblem, { secret: false }),
      description: 'The client certificate (PEM) to present, with its chain.',
    },
    clientKey: {
      rest: 'client_key',
      value: pemText(KEY_BYTES, tlsPrivateKeyProblem, { secret: true }),
      description: 'The private key (PEM, not encrypted) of the client certificate.',
      secret: true,
    },
  },
  // The client key signs; it is never sent, so no destination holds a mask back.
  destination: [],
  check({ caCertificate, clientCertificate, clientKey }) {
    const issues: SettingsIssue[] = [];
    if (caCertificate == null && clientCertificate == null && clientKey == null) {
      issues.push({ member: '', message: 'needs a CA certificate or a client certificate' });
    }
    if (clientCertificate != null && clientKey == null) {
      issues.push({ member: 'clientKey', message: 'is required with a client certificate' });
    }
    if (clientKey != null && clientCertificate == null) {
      issues.push({ member: 'clientCertificate', message: 'is required with a client key' });
    }
    if (known(clientCertificate) && known(clientKey) && !certificateProblem(clientCertificate)) {
      if (!tlsPrivateKeyProblem(clientKey) && !certificateMatchesKey(clientCertificate, clientKey)) {
        issues.push({ member: 'clientKey', message: 'is not the private key of the client certificate' });
      }
    }
    return issues;
  },
};
