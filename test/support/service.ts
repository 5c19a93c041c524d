/** Runs the real service in this process on a free port, for tests that drive it over HTTP. */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { type RunningService, startService } from '../../src/service.ts';
import { createSqliteDatabase, runSql, type STORES, type TestDatabase } from './databases.ts';

/** A fixed key for tests, so that every service started on a database can read it. */
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

/**
 * Starts the service in this process. Pass `logLines` to collect every log
 * line it writes (at level info and above).
 */
export async function startTestService(
  databaseUrl: string,
  env: Record<string, string> = {},
  logLines?: string[],
): Promise<RunningService> {
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    PORT: '0',
    LOG_LEVEL: logLines ? 'info' : (process.env.TEST_LOG_LEVEL ?? 'silent'),
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    // Scheduled checks would test every connection a test makes: on only where a test says so.
    HEALTH_CHECK_INTERVAL_S: '0',
    ...env,
  });
  const destination = logLines && { write: (line: string) => void logLines.push(line) };
  return startService(config, createLogger(config.LOG_LEVEL, destination));
}

/** Inside a describe block: one service on a SQLite database of its own, with the settings given. */
export function useService(env: Record<string, string> = {}) {
  const state = {} as { database: TestDatabase; service: RunningService };
  beforeAll(async () => {
    state.database = createSqliteDatabase();
    state.service = await startTestService(state.database.url, env);
  });
  afterAll(async () => {
    await state.service?.stop();
    await state.database?.drop();
  });
  return { url: () => state.service.url };
}

export interface Client {
  /** A REST or other plain HTTP call; JSON bodies are encoded for you. */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  graphql<Data = any>(query: string, variables?: Record<string, unknown>): Promise<{ data: Data; errors?: any[] }>;
}

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export function clientFor(baseUrl: string): Client {
  async function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      init.headers = { 'content-type': 'application/json', ...headers };
    }
    const response = await fetch(`${baseUrl}${path}`, init);
    const text = await response.text();
    let parsed: any;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  }
  return {
    request,
    async graphql(query, variables) {
      const reply = await request('POST', '/graphql', { query, variables });
      return reply.body as { data: any; errors?: any[] };
    },
  };
}

export interface ServiceFixture {
  database: TestDatabase;
  service: RunningService;
  api: Client;
}

/**
 * Inside a describe block: one database and service for all its tests, the
 * table emptied before each one. The fields are set once beforeAll has run.
 */
export function useServiceFixture(store: (typeof STORES)[number], env: Record<string, string> = {}): ServiceFixture {
  const fixture = {} as ServiceFixture;
  beforeAll(async () => {
    if (store.skip) return;
    fixture.database = await store.create();
    // Its tables are emptied past the service before each test, which no change event tells a read
    // cache: off here (test/read-cache.test.ts and the suites with services of their own run with it).
    fixture.service = await startTestService(fixture.database.url, { READ_CACHE_ENTRIES: '0', ...env });
    fixture.api = clientFor(fixture.service.url);
  });
  afterAll(async () => {
    await fixture.service?.stop();
    await fixture.database?.drop();
  });
  beforeEach(async () => {
    if (store.skip) return;
    await runSql(fixture.database, 'DELETE FROM database_connections');
    await runSql(fixture.database, 'DELETE FROM idempotency_keys');
  });
  return fixture;
}
