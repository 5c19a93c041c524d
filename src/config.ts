/** Settings, read once from the environment; the README lists each one. */
import { isIP } from 'node:net';
import { type ApiKeyEntry, loadApiKeys } from './auth/api-keys.ts';
import { ConfigError } from './config-error.ts';
import type { ConnectivitySettings } from './connectivity/connectivity.ts';
import { DEFAULT_DENIED_CIDRS } from './connectivity/network-guard.ts';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  logLevel: string;
  /** How long in-flight requests may run on after SIGTERM/SIGINT. */
  shutdownTimeoutMs: number;
  /** Base64 AES-256 key that encrypts connection URIs at rest. */
  encryptionKey?: string;
  /** Older keys that still decrypt, during a rotation. */
  previousKeys: string[];
  /** Whether responses show connection URIs with their secrets masked (the default) or in plaintext. */
  maskSecrets: boolean;
  /** The API keys callers may present; none means local mode. */
  apiKeys: ApiKeyEntry[];
  /** Browser origins allowed to call the API (CORS); empty: none. */
  corsOrigins: string[];
  /** How long a client may take to send a whole request. */
  requestTimeoutMs: number;
  /** GraphiQL, introspection and field suggestions: on unless NODE_ENV=production. */
  graphqlExplorer: boolean;
  /** Whether sqlite and duckdb URIs (files on the server) are accepted. */
  allowFileDatabases: boolean;
  connectivity: ConnectivitySettings;
  /** Requests per minute per API key; 0: no limit. */
  rateLimitPerMinute: number;
}

function cidrs(env: NodeJS.ProcessEnv, name: string, fallback: string[]): string[] {
  const value = env[name] === undefined ? fallback : list(env[name]);
  const bad = value.find((cidr) => {
    const [address = '', prefix, extra] = cidr.split('/');
    const family = isIP(address);
    if (family === 0 || extra !== undefined) return true;
    const bits = Number(prefix ?? 0);
    return !Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128);
  });
  if (bad !== undefined) throw new ConfigError(`${name}: "${bad}" is not an IP address or CIDR range`);
  return value;
}

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export { ConfigError };

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}

function boolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new ConfigError(`${name} must be true or false, not "${raw}"`);
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\./.test(host);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const host = env.HOST || '127.0.0.1';
  if (!isIP(host) && host !== 'localhost')
    throw new ConfigError(`HOST must be an IP address or localhost, not "${host}"`);
  const apiKeys = loadApiKeys(env);
  if (apiKeys.length === 0 && !isLoopback(host)) {
    throw new ConfigError(
      'No API key is configured (API_KEYS or API_KEYS_FILE), so every caller would have every scope: ' +
        `in that local mode the service listens only on a loopback address, not on HOST=${host}. ` +
        'Configure API keys (npm run create-api-key), or listen on 127.0.0.1.',
    );
  }
  return {
    port: integer(env, 'PORT', 4000, 0, 65535),
    host,
    databaseUrl: env.DATABASE_URL || 'file:./data/connections.db',
    logLevel,
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    encryptionKey: env.ENCRYPTION_KEY || undefined,
    previousKeys: list(env.ENCRYPTION_KEYS_PREVIOUS),
    maskSecrets: boolean(env, 'MASK_SECRETS', true),
    apiKeys,
    corsOrigins: list(env.CORS_ORIGINS),
    requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', 30_000, 1_000, 600_000),
    graphqlExplorer: boolean(env, 'GRAPHQL_EXPLORER', env.NODE_ENV !== 'production'),
    allowFileDatabases: boolean(env, 'ALLOW_FILE_DATABASES', false),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 60_000, 0, 100_000_000),
    connectivity: {
      timeoutMs: integer(env, 'CONNECTION_TEST_TIMEOUT_MS', 5_000, 100, 120_000),
      network: {
        denied: cidrs(env, 'CONNECTION_TEST_DENIED_CIDRS', DEFAULT_DENIED_CIDRS),
        allowed: cidrs(env, 'CONNECTION_TEST_ALLOWED_CIDRS', []),
      },
      maxConcurrent: integer(env, 'CONNECTION_TESTS_MAX_CONCURRENT', 8, 1, 1_000),
      maxConcurrentPerKey: integer(env, 'CONNECTION_TESTS_MAX_PER_KEY', 2, 1, 1_000),
      introspectionCacheMs: integer(env, 'INTROSPECTION_CACHE_MS', 60_000, 0, 86_400_000),
    },
  };
}
