/** Settings, read once from the environment; the README lists each one. */
import { isIP } from 'node:net';

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
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export class ConfigError extends Error {}

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

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const host = env.HOST || '127.0.0.1';
  if (!isIP(host) && host !== 'localhost')
    throw new ConfigError(`HOST must be an IP address or localhost, not "${host}"`);
  return {
    port: integer(env, 'PORT', 4000, 0, 65535),
    host,
    databaseUrl: env.DATABASE_URL || 'file:./data/connections.db',
    logLevel,
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    encryptionKey: env.ENCRYPTION_KEY || undefined,
    previousKeys: (env.ENCRYPTION_KEYS_PREVIOUS ?? '')
      .split(',')
      .map((key) => key.trim())
      .filter(Boolean),
    maskSecrets: boolean(env, 'MASK_SECRETS', true),
  };
}
