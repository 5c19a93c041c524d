/**
 * A ClickHouse server of the test's own, from Debian's clickhouse-server package: its own config,
 * data folder and free loopback ports (HTTP, and HTTPS with a certificate of the test's CA), a
 * passwordless `default` user and a `reader` with a password. Stopped and removed after.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CertificateAuthority } from './certificates.ts';
import { closedPort } from './targets.ts';

const SERVER = '/usr/sbin/clickhouse-server';

export const clickhouseAvailable: boolean = (() => {
  const available = existsSync(SERVER);
  if (!available && process.env.CI) throw new Error(`${SERVER} (clickhouse-server) is required under CI`);
  if (!available) console.warn('SKIPPED: the ClickHouse tests, because clickhouse-server is not installed.');
  return available;
})();

export interface ClickHouse {
  httpPort: number;
  httpsPort: number;
  /** Runs a statement as `default` over HTTP. */
  query(sql: string): Promise<string>;
  stop(): void;
}

export async function startClickHouse(ca: CertificateAuthority): Promise<ClickHouse> {
  const folder = mkdtempSync(join(tmpdir(), 'dcapi-clickhouse-'));
  for (const sub of ['data', 'tmp', 'user_files', 'format_schemas']) mkdirSync(join(folder, sub));
  const [httpPort, httpsPort, tcpPort] = [await closedPort(), await closedPort(), await closedPort()];
  const server = ca.server({ ip: ['127.0.0.1'] });
  writeFileSync(join(folder, 'server.crt'), server.certificate);
  writeFileSync(join(folder, 'server.key'), server.key);
  writeFileSync(
    join(folder, 'users.xml'),
    `<yandex><profiles><default/></profiles><quotas><default/></quotas><users>
      <default><password/><networks><ip>::/0</ip></networks><profile>default</profile><quota>default</quota></default>
      <reader><password>reader-pw</password><networks><ip>::/0</ip></networks><profile>default</profile><quota>default</quota></reader>
    </users></yandex>`,
  );
  writeFileSync(
    join(folder, 'config.xml'),
    `<yandex>
      <logger><level>warning</level><console>1</console></logger>
      <listen_host>127.0.0.1</listen_host>
      <http_port>${httpPort}</http_port><https_port>${httpsPort}</https_port><tcp_port>${tcpPort}</tcp_port>
      <openSSL><server><certificateFile>${folder}/server.crt</certificateFile><privateKeyFile>${folder}/server.key</privateKeyFile>
        <verificationMode>none</verificationMode><loadDefaultCAFile>false</loadDefaultCAFile></server></openSSL>
      <path>${folder}/data/</path><tmp_path>${folder}/tmp/</tmp_path><user_files_path>${folder}/user_files/</user_files_path>
      <format_schema_path>${folder}/format_schemas/</format_schema_path>
      <users_config>${folder}/users.xml</users_config>
      <default_profile>default</default_profile><default_database>default</default_database>
      <mark_cache_size>5368709</mark_cache_size>
    </yandex>`,
  );
  const child: ChildProcess = spawn(SERVER, ['--config-file', join(folder, 'config.xml')], { stdio: 'ignore' });
  const query = async (sql: string) => {
    const response = await fetch(`http://127.0.0.1:${httpPort}/`, { method: 'POST', body: sql });
    const text = await response.text();
    if (!response.ok) throw new Error(text);
    return text;
  };
  const stop = () => {
    child.kill('SIGKILL');
    rmSync(folder, { recursive: true, force: true });
  };
  for (let attempt = 0; ; attempt++) {
    try {
      await query('SELECT 1');
      return { httpPort, httpsPort, query, stop };
    } catch (error) {
      if (attempt > 100 || child.exitCode !== null) {
        stop();
        throw new Error(`clickhouse-server did not start: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
