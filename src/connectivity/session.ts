/**
 * Opening a driver session for a connection: its target (or its checked file), the network it
 * reaches hosts through (the guard, the bastion), its TLS, and a deadline over the whole session.
 */
import { type Dialect, tlsModeOf } from '../dialects/registry.ts';
import { DriverFailure, type DriverSession } from './drivers/driver.ts';
import { loadDriver } from './drivers/index.ts';
import { DialectNotTestableError, isUnresolved } from './errors.ts';
import { checkedFilePath, FileDatabaseError, filePathOf } from './file-databases.ts';
import { type Network, openNetwork } from './network.ts';
import type { NetworkGuard } from './network-guard.ts';
import type { ConnectionRoute } from './route.ts';
import { type Bastion, openBastion, SshFailure } from './ssh-tunnel.ts';
import { type Target, targetOf } from './target.ts';

export interface SessionSettings {
  CONNECTION_TEST_TIMEOUT_MS: number;
  ALLOW_FILE_DATABASES: boolean;
  FILE_DATABASES_DIR?: string | undefined;
  /** Base URLs that replace a vendor's public API address, by dialect (private endpoints, emulators). */
  VENDOR_ENDPOINTS?: Partial<Record<Dialect['name'], string>> | undefined;
}

/** The bastion's address: a name that does not resolve is the bastion's failure, told as such. */
async function resolveBastion(guard: NetworkGuard, host: string): Promise<string> {
  try {
    return await guard.resolve(host);
  } catch (error) {
    if (isUnresolved((error as { code?: string }).code)) {
      throw new SshFailure('ssh_host_not_found', `${host} does not resolve`);
    }
    throw error;
  }
}

/** Rejects with a time-out once `ms` have passed, whatever the driver does meanwhile. */
function withDeadline<T>(work: Promise<T>, ms: number, onLate: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onLate();
      reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT' }));
    }, ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

function fileTarget(uri: string, settings: SessionSettings): { target: Target; file: string } {
  try {
    const file = checkedFilePath(filePathOf(uri), settings.FILE_DATABASES_DIR);
    // A file has no host, and its drivers read no parameter.
    return { target: { host: '', port: 0, parameters: new URLSearchParams() }, file };
  } catch (error) {
    if (error instanceof FileDatabaseError) throw new DriverFailure('file_not_allowed', error.message);
    throw error;
  }
}

/**
 * Runs `work` on a session of this connection, closed afterwards with everything it opened; the
 * connection and the work share one deadline, twice the test timeout.
 */
export async function withDriverSession<T>(
  route: ConnectionRoute,
  dialect: Dialect,
  guard: NetworkGuard,
  settings: SessionSettings,
  work: (session: DriverSession) => Promise<T>,
): Promise<T> {
  if (dialect.fileBased && !settings.ALLOW_FILE_DATABASES) throw new DialectNotTestableError(dialect.name);
  const timeoutMs = settings.CONNECTION_TEST_TIMEOUT_MS;
  const { target, file } = dialect.fileBased
    ? fileTarget(route.uri, settings)
    : { target: targetOf(route.uri, dialect), file: undefined };
  let bastion: Bastion | undefined;
  let network: Network | undefined;
  let session: DriverSession | undefined;
  const run = async () => {
    if (route.ssh) bastion = await openBastion(route.ssh, await resolveBastion(guard, route.ssh.host), timeoutMs);
    network = openNetwork(guard, bastion, timeoutMs);
    const driver = await loadDriver(dialect.name);
    session = await driver({
      target,
      file,
      network,
      timeoutMs,
      tlsMode: dialect.tls ? tlsModeOf(dialect.tls, target.parameters) : 'off',
      tls: route.tls,
      endpoint: settings.VENDOR_ENDPOINTS?.[dialect.name],
    });
    return work(session);
  };
  try {
    return await withDeadline(run(), 2 * timeoutMs, () => network?.close());
  } catch (error) {
    // Behind a loopback forward, the driver saw a closed socket: the forward knows why.
    throw network?.forwardFailure() ?? error;
  } finally {
    await (session as DriverSession | undefined)?.close().catch(() => {});
    (network as Network | undefined)?.close();
    bastion?.close();
  }
}
