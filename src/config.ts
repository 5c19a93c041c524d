/**
 * Settings: one zod schema of the environment, read once at start; the code reads each setting by
 * its variable's name, typed by the schema. Every bad setting is reported at once, by name, and a
 * secret is never quoted. docs/production.md's settings table lists the same variables (a test
 * compares them).
 */

import { isIP } from 'node:net';
import { z } from 'zod';
import { type ApiKeyEntry, loadApiKeys } from './auth/api-keys.ts';
import { grantsOfStrings } from './auth/grants.ts';
import { SESSION_CHECK_MS } from './auth/sessions.ts';
import { ConfigError, plainWords } from './config-error.ts';
import { DEFAULT_SECRET_REFERENCES, WORKSPACE_REFERENCES } from './connections/stored/references.ts';
import { DEFAULT_DENIED_CIDRS } from './connectivity/network-guard.ts';
import { DATABASE_POOL_DEFAULTS } from './db/client.ts';
import type { ConsoleSettings } from './http/console.ts';
import { allowedHostOf, isLoopbackName } from './http/hosts.ts';

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

/** Host names or IP addresses, as requests may name them: lower-case, without brackets or a trailing dot. */
const hostNames = () =>
  list().transform((values, context) =>
    values.map((value) => {
      const name = allowedHostOf(value);
      if (name === undefined) {
        context.addIssue({
          code: 'custom',
          message: `"${value}" is not a host name or IP address (write it without scheme, port or wildcard)`,
        });
      }
      return name ?? value;
    }),
  );
/** The value of a JSON text, or undefined where it is none. */
function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The dialects reached at a vendor's API address rather than at the URI's host. */
const VENDOR_API_DIALECTS = ['snowflake', 'bigquery'] as const;

/** `dialect=https://…` pairs, comma-separated: where a vendor's API is reached in place of its public address. */
/** `{"group": ["workspace:scope", …]}`: the grants each group of the identity provider gives. */
const groupGrants = () =>
  z.string().transform((text, context) => {
    const shape = z.record(z.string(), z.array(z.string())).safeParse(jsonOf(text));
    if (!shape.success) {
      context.addIssue({
        code: 'custom',
        message: 'must be a JSON object of group names to lists of "workspace:scope"',
      });
      return z.NEVER;
    }
    for (const [group, values] of Object.entries(shape.data)) {
      const refused = values.filter((value) => grantsOfStrings([value]).length === 0);
      if (refused.length > 0)
        context.addIssue({ code: 'custom', message: `${group}: ${refused.join(', ')} name no workspace:scope` });
    }
    return Object.fromEntries(Object.entries(shape.data).map(([group, values]) => [group, grantsOfStrings(values)]));
  });

/** `{"workspace": ["env:NAME", "env:START*", "file:NAME", …]}`: the secret references each workspace may use. */
const secretReferenceGrants = () =>
  z.string().transform((text, context) => {
    const result = WORKSPACE_REFERENCES.safeParse(jsonOf(text));
    if (result.success) return result.data;
    for (const { path, message } of result.error.issues) {
      // A workspace, or an item of its list: `sales[1]`.
      const [workspace, index] = path.map(String);
      const where = workspace === undefined ? '' : index === undefined ? `${workspace} ` : `${workspace}[${index}] `;
      context.addIssue({ code: 'custom', message: `${where}${message}` });
    }
    return z.NEVER;
  });

const vendorEndpoints = () =>
  list().transform((pairs, context) => {
    const endpoints: Partial<Record<(typeof VENDOR_API_DIALECTS)[number], string>> = {};
    for (const pair of pairs) {
      const [name = '', url = ''] = pair.split(/=(.*)/s);
      const dialect = VENDOR_API_DIALECTS.find((known) => known === name.trim());
      if (!dialect || !/^https?:\/\/[^/]+\/?$/.test(url.trim())) {
        context.addIssue({
          code: 'custom',
          message: `"${pair}" is not dialect=URL, with a dialect among ${VENDOR_API_DIALECTS.join(', ')} and a URL such as https://host:443`,
        });
      } else endpoints[dialect] = url.trim().replace(/\/$/, '');
    }
    return endpoints;
  });

/** The environment variables the service reads, with their defaults. */
export const ENVIRONMENT = z.object({
  PORT: integer(0, 65535).default(4000),
  HOST: z
    .string()
    .refine((host) => isIP(host) !== 0 || host === 'localhost', 'must be an IP address or localhost')
    .default('127.0.0.1'),
  DATABASE_URL: z.string().default('file:./data/connections.db'),
  DATABASE_POOL_SIZE: integer(1, 1_000).default(DATABASE_POOL_DEFAULTS.DATABASE_POOL_SIZE),
  DATABASE_CONNECT_TIMEOUT_MS: integer(100, 60_000).default(DATABASE_POOL_DEFAULTS.DATABASE_CONNECT_TIMEOUT_MS),
  DATABASE_QUERY_TIMEOUT_MS: integer(100, 600_000).default(DATABASE_POOL_DEFAULTS.DATABASE_QUERY_TIMEOUT_MS),
  // Never echoed: these are secrets even when malformed (src/secrets/keyring.ts checks them).
  ENCRYPTION_KEY: z.string().optional(),
  ENCRYPTION_KEYS_PREVIOUS: list().default([]),
  MASK_SECRETS: boolean().default(true),
  API_KEYS: z.string().optional(),
  API_KEYS_FILE: z.string().optional(),
  OIDC_ISSUER: z.url({ protocol: /^https?$/, error: 'must be the http(s) URL of an OpenID Connect issuer' }).optional(),
  OIDC_AUDIENCE: z.string().min(1).optional(),
  OIDC_GRANTS_CLAIM: z.string().min(1).default('dcapi_grants'),
  OIDC_JWKS_COOLDOWN_S: integer(0, 3_600).default(30),
  OIDC_GROUPS_CLAIM: z.string().min(1).default('groups'),
  OIDC_GROUP_GRANTS: groupGrants().optional(),
  SUBSCRIPTION_CHECK_MS: integer(100, 3_600_000).default(SESSION_CHECK_MS),
  CONSOLE_OIDC_CLIENT_ID: z.string().min(1).optional(),
  CONSOLE_OIDC_SCOPE: z.string().min(1).default('openid'),
  CONSOLE: boolean().default(true),
  CORS_ORIGINS: list().default([]),
  ALLOWED_HOSTS: hostNames().default([]),
  REQUEST_TIMEOUT_MS: integer(1_000, 600_000).default(30_000),
  RATE_LIMIT_PER_MINUTE: integer(0, 100_000_000).default(60_000),
  AUTH_FAILURES_PER_MINUTE: integer(0, 100_000_000).default(100),
  NODE_ENV: z.string().optional(),
  GRAPHQL_EXPLORER: boolean().optional(),
  ALLOW_FILE_DATABASES: boolean().default(false),
  FILE_DATABASES_DIR: z.string().optional(),
  VENDOR_ENDPOINTS: vendorEndpoints().optional(),
  CONNECTION_TEST_TIMEOUT_MS: integer(100, 120_000).default(5_000),
  CONNECTION_TEST_DENIED_CIDRS: cidrs().default(DEFAULT_DENIED_CIDRS),
  CONNECTION_TEST_ALLOWED_CIDRS: cidrs().default([]),
  CONNECTION_TESTS_MAX_CONCURRENT: integer(1, 1_000).default(8),
  CONNECTION_TESTS_MAX_PER_KEY: integer(1, 1_000).default(2),
  INTROSPECTION_CACHE_MS: integer(0, 86_400_000).default(60_000),
  SCHEMA_SNAPSHOTS_KEPT: integer(1, 10_000).default(50),
  SCHEMA_MAX_COLUMNS: integer(1, 10_000_000).default(500_000),
  SCHEMA_SCAN_INTERVAL_S: integer(0, 2_592_000).default(0),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  SHUTDOWN_TIMEOUT_MS: integer(0, 600_000).default(10_000),
  MEMORY_LIMIT_MB: integer(256, 1_048_576).optional(),
  SECRET_ENV_PREFIX: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the start of an environment variable name, such as DCAPI_SECRET_')
    .default('DCAPI_SECRET_'),
  SECRET_FILES_DIR: z.string().optional(),
  SECRET_REFERENCES: secretReferenceGrants().default(DEFAULT_SECRET_REFERENCES),
  AUDIT_RETENTION_DAYS: integer(1, 36_500).default(365),
  HEALTH_CHECK_INTERVAL_S: integer(0, 86_400).default(300),
  READ_CACHE_ENTRIES: integer(0, 10_000_000).default(20_000),
  READ_CACHE_MB: integer(1, 100_000).default(32),
  READ_CACHE_TTL_S: integer(1, 86_400).default(300),
  CONNECTIONS_FILE: z.string().optional(),
  CONNECTIONS_FILE_PRUNE: boolean().default(false),
});

/** The settings as the schema reads them, by their variables' names: each setting is declared once, above. */
export type Settings = z.output<typeof ENVIRONMENT>;

/** The settings, and what follows from them. */
export type Config = Settings & {
  /** The API keys callers may present (API_KEYS or API_KEYS_FILE). */
  apiKeys: ApiKeyEntry[];
  /** No API key and no identity provider: every caller has every scope, on a loopback address and loopback names only. */
  localMode: boolean;
  /** GraphiQL, introspection and field suggestions: GRAPHQL_EXPLORER, else on unless NODE_ENV=production. */
  graphqlExplorer: boolean;
  /** The console at /, unless CONSOLE=false. */
  console?: ConsoleSettings;
};

/** The variables that are the service's own settings: never readable by a secret reference. */
export const SETTING_NAMES: ReadonlySet<string> = new Set(Object.keys(ENVIRONMENT.shape));

/** The settings of this environment; throws one ConfigError that lists every bad one. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable counts as unset.
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = ENVIRONMENT.safeParse(given, { error: plainWords });
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
  let apiKeys: ApiKeyEntry[] = [];
  try {
    apiKeys = loadApiKeys(given);
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (!parsed.success) throw new ConfigError(problems.join('; '));
  const settings = parsed.data;
  if ((settings.OIDC_ISSUER === undefined) !== (settings.OIDC_AUDIENCE === undefined)) {
    problems.push("OIDC_ISSUER and OIDC_AUDIENCE go together: set both to accept the provider's tokens, or neither");
  }
  const localMode = apiKeys.length === 0 && settings.OIDC_ISSUER === undefined;
  if (localMode && !isLoopbackName(settings.HOST) && problems.length === 0) {
    problems.push(
      'No API key (API_KEYS or API_KEYS_FILE) and no identity provider (OIDC_ISSUER) is configured, so every caller would have every scope: ' +
        `in that local mode the service listens only on a loopback address, not on HOST=${settings.HOST}. ` +
        'Configure API keys (npm run create-api-key), or listen on 127.0.0.1.',
    );
  }
  if (localMode && settings.CORS_ORIGINS.includes('*')) {
    problems.push(
      'CORS_ORIGINS=* in local mode would let every web page read and change every connection, passwords included: ' +
        'list the origins that may call, or configure API keys',
    );
  }
  if (settings.CONSOLE_OIDC_CLIENT_ID !== undefined && settings.OIDC_ISSUER === undefined) {
    problems.push(
      'CONSOLE_OIDC_CLIENT_ID needs OIDC_ISSUER: the console signs in at the provider whose tokens the service accepts',
    );
  }
  if (settings.ALLOW_FILE_DATABASES && settings.FILE_DATABASES_DIR === undefined) {
    problems.push(
      'ALLOW_FILE_DATABASES=true needs FILE_DATABASES_DIR: the folder whose SQLite and DuckDB files connections may name',
    );
  }
  if (settings.SCHEMA_SCAN_INTERVAL_S > 0 && settings.HEALTH_CHECK_INTERVAL_S === 0) {
    problems.push(
      'SCHEMA_SCAN_INTERVAL_S needs HEALTH_CHECK_INTERVAL_S: scheduled scans run with the scheduled health checks',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems.join('; '));
  return {
    ...settings,
    apiKeys,
    localMode,
    graphqlExplorer: settings.GRAPHQL_EXPLORER ?? settings.NODE_ENV !== 'production',
    console: settings.CONSOLE ? consoleSettings(settings, localMode) : undefined,
  };
}

/** How the console signs in: not at all in local mode; at the provider when it has a client there. */
function consoleSettings(settings: Settings, localMode: boolean): ConsoleSettings {
  const { OIDC_ISSUER: issuer, OIDC_AUDIENCE: audience, CONSOLE_OIDC_CLIENT_ID: clientId } = settings;
  const oidc =
    issuer && audience && clientId ? { issuer, audience, clientId, scope: settings.CONSOLE_OIDC_SCOPE } : undefined;
  return { signIn: !localMode, ...(oidc && { oidc }) };
}
