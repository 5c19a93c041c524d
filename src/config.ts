/**
 * Settings: one zod schema of the environment, read once at start. Every bad
 * setting is reported at once, by name, and a secret is never quoted. The
 * README's settings table lists the same variables (a test compares them).
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { type ApiKeyEntry, loadApiKeys } from './auth/api-keys.ts';
import { ConfigError } from './config-error.ts';
import type { ConnectivitySettings } from './connectivity/connectivity.ts';
import { DEFAULT_DENIED_CIDRS } from './connectivity/network-guard.ts';
import { DATABASE_POOL_DEFAULTS, type DatabasePool } from './db/client.ts';

export { ConfigError };

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const integer = (min: number, max: number) =>
  z.coerce
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int(`must be a whole number from ${min} to ${max}`)
    .min(min, `must be a whole number from ${min} to ${max}`)
    .max(max, `must be a whole number from ${min} to ${max}`);

const boolean = () =>
  z.enum(['true', 'false'], { error: 'must be true or false' }).transform((value) => value === 'true');

/** A comma-separated list; blanks dropped. */
const list = () =>
  z.string().transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );

function isCidr(cidr: string): boolean {
  const [address = '', prefix, extra] = cidr.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  const bits = Number(prefix ?? 0);
  return Number.isInteger(bits) && bits >= 0 && bits <= (family === 4 ? 32 : 128);
}

const cidrs = () =>
  list().superRefine((values, context) => {
    for (const value of values.filter((cidr) => !isCidr(cidr))) {
      context.addIssue({ code: 'custom', message: `"${value}" is not an IP address or CIDR range` });
    }
  });

/** The environment variables the service reads, with their defaults. */
export const ENVIRONMENT = z.object({
  PORT: integer(0, 65535).default(4000),
  HOST: z
    .string()
    .refine((host) => isIP(host) !== 0 || host === 'localhost', 'must be an IP address or localhost')
    .default('127.0.0.1'),
  DATABASE_URL: z.string().default('file:./data/connections.db'),
  DATABASE_POOL_SIZE: integer(1, 1_000).default(DATABASE_POOL_DEFAULTS.size),
  DATABASE_CONNECT_TIMEOUT_MS: integer(100, 60_000).default(DATABASE_POOL_DEFAULTS.connectTimeoutMs),
  DATABASE_QUERY_TIMEOUT_MS: integer(100, 600_000).default(DATABASE_POOL_DEFAULTS.queryTimeoutMs),
  // Never echoed: these are secrets even when malformed (src/secrets/keyring.ts checks them).
  ENCRYPTION_KEY: z.string().optional(),
  ENCRYPTION_KEYS_PREVIOUS: list().default([]),
  MASK_SECRETS: boolean().default(true),
  API_KEYS: z.string().optional(),
  API_KEYS_FILE: z.string().optional(),
  CORS_ORIGINS: list().default([]),
  REQUEST_TIMEOUT_MS: integer(1_000, 600_000).default(30_000),
  RATE_LIMIT_PER_MINUTE: integer(0, 100_000_000).default(60_000),
  NODE_ENV: z.string().optional(),
  GRAPHQL_EXPLORER: boolean().optional(),
  ALLOW_FILE_DATABASES: boolean().default(false),
  CONNECTION_TEST_TIMEOUT_MS: integer(100, 120_000).default(5_000),
  CONNECTION_TEST_DENIED_CIDRS: cidrs().default(DEFAULT_DENIED_CIDRS),
  CONNECTION_TEST_ALLOWED_CIDRS: cidrs().default([]),
  CONNECTION_TESTS_MAX_CONCURRENT: integer(1, 1_000).default(8),
  CONNECTION_TESTS_MAX_PER_KEY: integer(1, 1_000).default(2),
  INTROSPECTION_CACHE_MS: integer(0, 86_400_000).default(60_000),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  SHUTDOWN_TIMEOUT_MS: integer(0, 600_000).default(10_000),
  SECRET_ENV_PREFIX: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the start of an environment variable name, such as DCAPI_SECRET_')
    .default('DCAPI_SECRET_'),
  SECRET_FILES_DIR: z.string().optional(),
  AUDIT_RETENTION_DAYS: integer(1, 36_500).default(365),
  HEALTH_CHECK_INTERVAL_S: integer(0, 86_400).default(300),
  CONNECTIONS_FILE: z.string().optional(),
  CONNECTIONS_FILE_PRUNE: boolean().default(false),
});

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  /** The service's own PostgreSQL: pool size and time limits. */
  databasePool: DatabasePool;
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
  /** Requests per minute per API key; 0: no limit. */
  rateLimitPerMinute: number;
  /** GraphiQL, introspection and field suggestions: on unless NODE_ENV=production. */
  graphqlExplorer: boolean;
  /** Whether sqlite and duckdb URIs (files on the server) are accepted. */
  allowFileDatabases: boolean;
  connectivity: ConnectivitySettings;
  /** How often each connection is tested on a schedule, in seconds; 0: never. */
  healthCheckIntervalS: number;
  /** Audit events older than this many days are pruned (at start, then hourly). */
  auditRetentionDays: number;
  /** The provisioning file applied at every start, and whether connections it no longer lists are deleted. */
  provisioning: { file: string | undefined; prune: boolean };
  /** What `${env:…}` and `${file:…}` references may read. */
  secretReferences: { envPrefix: string; filesDir: string | undefined; protectedVariables: ReadonlySet<string> };
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\./.test(host);

/** The settings of this environment; throws one ConfigError that lists every bad one. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable counts as unset.
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = ENVIRONMENT.safeParse(given);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
  let apiKeys: ApiKeyEntry[] = [];
  try {
    apiKeys = loadApiKeys(given);
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (!parsed.success) throw new ConfigError(problems.join('; '));
  const settings = parsed.data;
  if (apiKeys.length === 0 && !isLoopback(settings.HOST) && problems.length === 0) {
    problems.push(
      'No API key is configured (API_KEYS or API_KEYS_FILE), so every caller would have every scope: ' +
        `in that local mode the service listens only on a loopback address, not on HOST=${settings.HOST}. ` +
        'Configure API keys (npm run create-api-key), or listen on 127.0.0.1.',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems.join('; '));
  return {
    port: settings.PORT,
    host: settings.HOST,
    databaseUrl: settings.DATABASE_URL,
    databasePool: {
      size: settings.DATABASE_POOL_SIZE,
      connectTimeoutMs: settings.DATABASE_CONNECT_TIMEOUT_MS,
      queryTimeoutMs: settings.DATABASE_QUERY_TIMEOUT_MS,
    },
    logLevel: settings.LOG_LEVEL,
    shutdownTimeoutMs: settings.SHUTDOWN_TIMEOUT_MS,
    encryptionKey: settings.ENCRYPTION_KEY,
    previousKeys: settings.ENCRYPTION_KEYS_PREVIOUS,
    maskSecrets: settings.MASK_SECRETS,
    apiKeys,
    corsOrigins: settings.CORS_ORIGINS,
    requestTimeoutMs: settings.REQUEST_TIMEOUT_MS,
    rateLimitPerMinute: settings.RATE_LIMIT_PER_MINUTE,
    graphqlExplorer: settings.GRAPHQL_EXPLORER ?? settings.NODE_ENV !== 'production',
    allowFileDatabases: settings.ALLOW_FILE_DATABASES,
    connectivity: {
      timeoutMs: settings.CONNECTION_TEST_TIMEOUT_MS,
      network: { denied: settings.CONNECTION_TEST_DENIED_CIDRS, allowed: settings.CONNECTION_TEST_ALLOWED_CIDRS },
      maxConcurrent: settings.CONNECTION_TESTS_MAX_CONCURRENT,
      maxConcurrentPerKey: settings.CONNECTION_TESTS_MAX_PER_KEY,
      introspectionCacheMs: settings.INTROSPECTION_CACHE_MS,
    },
    auditRetentionDays: settings.AUDIT_RETENTION_DAYS,
    healthCheckIntervalS: settings.HEALTH_CHECK_INTERVAL_S,
    provisioning: { file: settings.CONNECTIONS_FILE, prune: settings.CONNECTIONS_FILE_PRUNE },
    secretReferences: {
      envPrefix: settings.SECRET_ENV_PREFIX,
      filesDir: settings.SECRET_FILES_DIR,
      // The service's own settings (ENCRYPTION_KEY, API_KEYS, DATABASE_URL, …) are never readable by reference.
      protectedVariables: new Set(Object.keys(ENVIRONMENT.shape)),
    },
  };
}
