/**
 * Connection tests and schema discovery: each through the network guard, with
 * a time limit, a cap on how many run at once (in all and per API key), and
 * the connection always closed afterwards. Introspection results are cached
 * briefly per connection version.
 */
import { nameAsRead } from '../dialects/names.ts';
import type { Dialect } from '../dialects/registry.ts';
import type { DriverSession, SchemaInfo } from './drivers/driver.ts';
import {
  CatalogTooLargeError,
  CONNECTIVITY_ERRORS,
  ConnectionFailedError,
  describeFailure,
  type Purpose,
  type TestFailure,
  TooManyTestsError,
} from './errors.ts';
import { networkGuard } from './network-guard.ts';
import type { ConnectionRoute } from './route.ts';
import { type SessionSettings, withDriverSession } from './session.ts';
import { InvalidTargetError } from './target.ts';

export interface ConnectivitySettings extends SessionSettings {
  CONNECTION_TEST_TIMEOUT_MS: number;
  CONNECTION_TEST_DENIED_CIDRS: string[];
  /** When not empty, only these ranges may be reached. */
  CONNECTION_TEST_ALLOWED_CIDRS: string[];
  CONNECTION_TESTS_MAX_CONCURRENT: number;
  CONNECTION_TESTS_MAX_PER_KEY: number;
  INTROSPECTION_CACHE_MS: number;
  /** The most columns a discovered catalog may hold: more is CatalogTooLargeError. */
  SCHEMA_MAX_COLUMNS: number;
}

export interface TestResult {
  ok: boolean;
  latencyMs: number;
  serverVersion: string | null;
  error: TestFailure | null;
}

export interface Connectivity {
  /** Connects, asks the server's version and checks that `schemas` exist. A refused target throws; a failed connection is a result. */
  test(route: ConnectionRoute, dialect: Dialect, schemas: string[], apiKey: string): Promise<TestResult>;
  /**
   * Schemas, tables and columns (limited to `schemas` when given); throws ConnectionFailedError when
   * it cannot connect, CatalogTooLargeError past SCHEMA_MAX_COLUMNS.
   */
  introspect(
    cacheKey: string,
    route: ConnectionRoute,
    dialect: Dialect,
    schemas: string[],
    apiKey: string,
    /** Read now, past the cache (what is read is cached all the same). */
    fresh?: boolean,
  ): Promise<SchemaInfo[]>;
}

export function createConnectivity(settings: ConnectivitySettings): Connectivity {
  const withSession = limitedSessions(settings);
  const cache = new Map<string, { expires: number; schemas: Promise<SchemaInfo[]> }>();
  return {
    async test(route, dialect, schemas, apiKey) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      try {
        return await withSession('test', route, dialect, apiKey, (session) =>
          testSession(session, dialect, schemas, elapsed),
        );
      } catch (error) {
        if (isRefusal(error)) throw error;
        return { ok: false, latencyMs: elapsed(), serverVersion: null, error: failure(error, route) };
      }
    },

    introspect(cacheKey, route, dialect, schemas, apiKey, fresh = false) {
      const now = Date.now();
      for (const [key, entry] of cache) if (entry.expires <= now) cache.delete(key);
      const cached = fresh ? undefined : cache.get(cacheKey);
      if (cached) return cached.schemas;
      const asRead = [...new Set(schemas.map((name) => nameAsRead(dialect, name)))];
      const read = async (session: DriverSession) =>
        withinBound(await session.introspect(asRead), settings.SCHEMA_MAX_COLUMNS);
      const schemasPromise = withSession('discovery', route, dialect, apiKey, read).catch((error: unknown) => {
        cache.delete(cacheKey);
        if (isRefusal(error) || error instanceof CatalogTooLargeError) throw error;
        throw new ConnectionFailedError(failure(error, route), 'discovery');
      });
      if (settings.INTROSPECTION_CACHE_MS > 0)
        cache.set(cacheKey, { expires: now + settings.INTROSPECTION_CACHE_MS, schemas: schemasPromise });
      return schemasPromise;
    },
  };
}

/**
 * What runs `work` on an open session through the network guard, within the concurrency limits
 * (in all and per API key); the session is always closed.
 */
function limitedSessions(settings: ConnectivitySettings) {
  const guard = networkGuard({
    denied: settings.CONNECTION_TEST_DENIED_CIDRS,
    allowed: settings.CONNECTION_TEST_ALLOWED_CIDRS,
  });
  let running = 0;
  const runningPerKey = new Map<string, number>();
  return async <T>(
    purpose: Purpose,
    route: ConnectionRoute,
    dialect: Dialect,
    apiKey: string,
    work: (session: DriverSession) => Promise<T>,
  ): Promise<T> => {
    const perKey = runningPerKey.get(apiKey) ?? 0;
    if (running >= settings.CONNECTION_TESTS_MAX_CONCURRENT || perKey >= settings.CONNECTION_TESTS_MAX_PER_KEY)
      throw new TooManyTestsError(purpose);
    running++;
    runningPerKey.set(apiKey, perKey + 1);
    try {
      return await withDriverSession(route, dialect, guard, settings, work);
    } finally {
      running--;
      const left = (runningPerKey.get(apiKey) ?? 1) - 1;
      if (left > 0) runningPerKey.set(apiKey, left);
      else runningPerKey.delete(apiKey);
    }
  };
}

/** A test's result on an open session: the server's version, and whether every one of `schemas` is there. */
async function testSession(
  session: DriverSession,
  dialect: Dialect,
  schemas: string[],
  elapsed: () => number,
): Promise<TestResult> {
  const serverVersion = await session.serverVersion();
  // Each schema as the vendor reads its name, and the name the caller wrote.
  const written = new Map(schemas.map((name) => [nameAsRead(dialect, name), name]));
  const [missing] = written.size > 0 ? await session.missingSchemas([...written.keys()]) : [];
  if (missing !== undefined) {
    const error = {
      code: 'unknown_schema' as const,
      message: noSchema(dialect, missing, written.get(missing)),
    };
    return { ok: false, latencyMs: elapsed(), serverVersion, error };
  }
  return { ok: true, latencyMs: elapsed(), serverVersion, error: null };
}

/** The catalog, unless it holds more than `maxColumns` columns: then CatalogTooLargeError, and no one gets it. */
function withinBound(schemas: SchemaInfo[], maxColumns: number): SchemaInfo[] {
  let columns = 0;
  for (const schema of schemas) for (const table of schema.tables) columns += table.columns.length;
  if (columns > maxColumns) throw new CatalogTooLargeError(columns, maxColumns);
  return schemas;
}

/** What the refusals that are not connection failures are: the caller's to report as they are. */
const isRefusal = (error: unknown) => CONNECTIVITY_ERRORS.some((type) => error instanceof type);

function failure(error: unknown, route: ConnectionRoute): TestFailure {
  if (error instanceof InvalidTargetError)
    return { code: 'invalid_uri', message: `The URI cannot be tested: ${error.message}.` };
  return describeFailure(error, route.secrets);
}

/** The message of a missing schema: its name as the vendor read it, and how, when it was written otherwise. */
function noSchema(dialect: Dialect, asRead: string, written = asRead): string {
  const read = written === asRead ? '' : `: ${dialect.name} reads the name ${written} as ${asRead}`;
  return `The database has no schema "${asRead}"${read}.`;
}

/**
 * For writes that test first: throws ConnectionFailedError (or a refusal) unless the connection
 * works; answers the test's result, which the write records as the connection's health.
 */
export async function requireWorkingConnection(
  connectivity: Connectivity,
  route: ConnectionRoute,
  dialect: Dialect,
  schemas: string[],
  apiKey: string,
): Promise<TestResult> {
  const result = await connectivity.test(route, dialect, schemas, apiKey);
  if (!result.ok && result.error) throw new ConnectionFailedError(result.error, 'test');
  return result;
}
