/** Everything a connection test needs to reach a database: its URI, and how to get there. */

export interface SshTunnelSettings {
  host: string;
  port: number;
  username: string;
  password: string | null;
  privateKey: string | null;
  privateKeyPassword: string | null;
  /** `SHA256:…`, as ssh-keygen -lf prints it: the bastion must present this key. */
  hostKeyFingerprint: string | null;
}

/** PEM texts; the mode (require, verify-ca, verify-full) comes from the URI. */
export interface TlsMaterial {
  caCertificate: string | null;
  clientCertificate: string | null;
  clientKey: string | null;
}

export interface ConnectionRoute {
  uri: string;
  /** The bastion to tunnel through, or null to connect directly. */
  ssh: SshTunnelSettings | null;
  tls: TlsMaterial | null;
  /** Every secret of the route, to scrub out of driver and SSH error messages. */
  secrets: string[];
}
