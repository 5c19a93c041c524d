/**
 * A MariaDB server of the test's own (mariadb-install-db and mariadbd with a
 * data folder, socket and port of its own), so that a test can give it TLS
 * certificates without touching the machine's server.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedPort } from './targets.ts';

const MARIADBD = '/usr/sbin/mariadbd';

/** Whether this machine can run a MariaDB server of the test's own (as root, which hands it to the mysql user). */
export const mariadbServerAvailable = existsSync(MARIADBD) && process.getuid?.() === 0;

export interface MariadbServer {
  port: number;
  /** Runs SQL as root over the server's own socket. */
  sql(statement: string): void;
  stop(): Promise<void>;
}

export async function startMariadbServer(tls: {
  certificate: string;
  key: string;
  ca: string;
}): Promise<MariadbServer> {
  const folder = mkdtempSync(join(tmpdir(), 'dcapi-mariadb-'));
  const mysqlUser = (option: '-u' | '-g') => Number(execFileSync('id', [option, 'mysql']).toString());
  const own = (path: string) => chownSync(path, mysqlUser('-u'), mysqlUser('-g'));
  own(folder);
  const file = (name: string, content: string) => {
    const path = join(folder, name);
    writeFileSync(path, content, { mode: 0o600 });
    own(path);
    return path;
  };
  const data = join(folder, 'data');
  execFileSync('mariadb-install-db', [`--datadir=${data}`, '--user=mysql', '--skip-test-db', '--skip-name-resolve'], {
    stdio: 'pipe',
  });
  const socket = join(folder, 'socket');
  const port = await closedPort();
  const server: ChildProcess = spawn(
    MARIADBD,
    [
      '--no-defaults',
      '--user=mysql',
      `--datadir=${data}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${socket}`,
      `--pid-file=${join(folder, 'pid')}`,
      `--ssl-ca=${file('ca.crt', tls.ca)}`,
      `--ssl-cert=${file('server.crt', tls.certificate)}`,
      `--ssl-key=${file('server.key', tls.key)}`,
      '--skip-name-resolve',
      '--skip-log-bin',
    ],
    { stdio: 'ignore' },
  );
  const sql = (statement: string) =>
    void execFileSync('mariadb', [`--socket=${socket}`, '-u', 'root', '-e', statement], { stdio: 'pipe' });
  for (let attempt = 0; ; attempt++) {
    try {
      sql('SELECT 1');
      break;
    } catch (error) {
      if (attempt > 100 || server.exitCode !== null) throw new Error(`mariadbd did not start: ${error}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    port,
    sql,
    async stop() {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill();
      await exited;
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
