/**
 * A PostgreSQL cluster of the test's own (initdb and pg_ctl into a temporary
 * folder, on a free port), so that a test can stop and start it under the
 * service. As root, the PostgreSQL tools run as the postgres user (initdb
 * refuses root).
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedPort } from './targets.ts';

const VERSIONS = '/usr/lib/postgresql';

/** Whether this machine has the PostgreSQL server tools. */
export const clusterToolsAvailable = (() => {
  try {
    return readdirSync(VERSIONS).length > 0;
  } catch {
    return false;
  }
})();

export interface PostgresCluster {
  /** A database URL for the `postgres` database of the cluster. */
  url: string;
  port: number;
  /** Runs SQL as the postgres superuser, over the cluster's own Unix socket (whatever pg_hba.conf says of TCP). */
  psql(sql: string): void;
  start(): void;
  /** `fast` shuts down cleanly; `immediate` is a crash, recovered from the WAL at the next start. */
  stop(mode?: 'fast' | 'immediate'): void;
  destroy(): void;
}

export interface ClusterOptions {
  /** TLS: the server's certificate and key, and the CA that client certificates must be signed by. */
  tls?: { certificate: string; key: string; ca: string };
  /** Lines of pg_hba.conf for TCP connections, in place of trusting everyone. */
  hba?: string[];
}

export async function createPostgresCluster(options: ClusterOptions = {}): Promise<PostgresCluster> {
  const versions = readdirSync(VERSIONS).sort();
  const bin = join(VERSIONS, versions[versions.length - 1] as string, 'bin');
  const folder = mkdtempSync(join(tmpdir(), 'dcapi-cluster-'));
  const asRoot = process.getuid?.() === 0;
  // The tools run as the postgres user, so the folder is theirs.
  const idOfPostgres = (option: '-u' | '-g') => Number(execFileSync('id', [option, 'postgres']).toString());
  if (asRoot) chownSync(folder, idOfPostgres('-u'), idOfPostgres('-g'));
  const run = (tool: string, args: string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args], { stdio: 'pipe' })
      : execFileSync(join(bin, tool), args, { stdio: 'pipe' });
  const data = join(folder, 'data');
  // A port nothing listens on yet: the cluster's.
  const port = await closedPort();
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  const ownFile = (name: string, content: string) => {
    const path = join(data, name);
    writeFileSync(path, content, { mode: 0o600 });
    if (asRoot) chownSync(path, idOfPostgres('-u'), idOfPostgres('-g'));
  };
  if (options.tls) {
    ownFile('server.crt', options.tls.certificate);
    ownFile('server.key', options.tls.key);
    ownFile('client-ca.crt', options.tls.ca);
    appendFileSync(join(data, 'postgresql.conf'), "ssl = on\nssl_ca_file = 'client-ca.crt'\n");
  }
  if (options.hba) ownFile('pg_hba.conf', ['local all all trust', ...options.hba, ''].join('\n'));
  const cluster: PostgresCluster = {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    psql: (sql) =>
      void run('psql', ['-h', folder, '-p', String(port), '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', sql]),
    start: () =>
      void run('pg_ctl', [
        '-D',
        data,
        '-o',
        `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1`,
        '-l',
        join(folder, 'log'),
        '-w',
        'start',
      ]),
    stop: (mode = 'fast') => void run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']),
    destroy: () => {
      try {
        cluster.stop('immediate');
      } catch {
        // Already stopped.
      }
      rmSync(folder, { recursive: true, force: true });
    },
  };
  cluster.start();
  return cluster;
}
