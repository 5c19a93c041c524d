/**
 * Prometheus metrics (prom-client), served at GET /metrics: requests by route,
 * method and status, their latency, GraphQL operations by name, database
 * errors, subscribers, and the process's default metrics. One registry per app, so that
 * several services in one process (as in the tests) count apart. The health of connections is
 * read at each scrape, for the caller: only the connections of the workspaces where it holds
 * metrics:read.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Caller } from '../auth/api-keys.ts';
import type { ReadCacheStats } from '../commands/connections/read-cache.ts';
import type { SchemaChangeCounts } from '../commands/schema-change-counts.ts';
import { isDatabaseError } from '../db/errors.ts';

/** Past this many distinct operation names, the rest are counted as "other": clients choose names. */
const MAX_OPERATION_NAMES = 100;

export interface Metrics {
  /** The media type of the text `scrape` answers. */
  contentType: string;
  /** The metrics as this caller may read them: the instance's, and the health of the connections it may see there. */
  scrape(caller: Caller): Promise<string>;
  /** `route`: the route's path template (`…/{id}`), so that labels stay few. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  countOperation(name: string | undefined, type: string): void;
  countDatabaseError(error: unknown): void;
}

export interface ConnectionHealth {
  workspace: string;
  alias: string;
  dialect: string;
  up: boolean;
  latencyMs: number | null;
}

/** What the metrics read from the service when scraped. */
export interface MetricSources {
  /** Clients subscribed to change events now. */
  subscribers(): number;
  /**
   * The last health check of each checked connection in the workspaces where the caller holds
   * metrics:read (from the database: the same on every instance).
   */
  connectionHealth(caller: Caller): Promise<ConnectionHealth[]>;
  /** How this instance's read cache answered, and what it holds; `resultHits`: the hits that were whole GraphQL results. */
  readCache(): ReadCacheStats & { resultHits: number };
  /** The changes this instance's schema scans found, by workspace and kind. */
  schemaChanges(): SchemaChangeCounts;
}

/** The schema changes found in the workspaces where the caller holds metrics:read (null: every one). */
function schemaChangeSeries(counts: SchemaChangeCounts, workspaces: string[] | null): Promise<string> {
  const registry = new Registry();
  const found = new Counter({
    name: 'schema_changes_detected_total',
    help: "Schema changes this instance's scans found, by workspace and kind.",
    labelNames: ['workspace', 'kind'] as const,
    registers: [registry],
  });
  for (const [workspace, kinds] of counts) {
    if (workspaces && !workspaces.includes(workspace)) continue;
    for (const [kind, count] of kinds) found.inc({ workspace, kind }, count);
  }
  return registry.metrics();
}

/** The series of connections' health, in a registry of their own made for one scrape. */
async function healthSeries(health: ConnectionHealth[]): Promise<string> {
  const registry = new Registry();
  const labelNames = ['workspace', 'alias', 'dialect'] as const;
  const up = new Gauge({
    name: 'database_connection_up',
    help: 'Whether the last scheduled health check of a connection succeeded (1) or failed (0).',
    labelNames,
    registers: [registry],
  });
  const latency = new Gauge({
    name: 'database_connection_check_latency_seconds',
    help: 'How long the last scheduled health check of a connection took.',
    labelNames,
    registers: [registry],
  });
  for (const { workspace, alias, dialect, up: isUp, latencyMs } of health) {
    up.set({ workspace, alias, dialect }, isUp ? 1 : 0);
    if (latencyMs !== null) latency.set({ workspace, alias, dialect }, latencyMs / 1_000);
  }
  return registry.metrics();
}

/** The series read for one scrape, of the workspaces where the caller holds metrics:read. */
async function callerSeries(sources: MetricSources, caller: Caller): Promise<string> {
  const workspaces = caller.principal.access.workspacesWith(['metrics:read']);
  const health = await healthSeries(await sources.connectionHealth(caller));
  return health + (await schemaChangeSeries(sources.schemaChanges(), workspaces));
}

export function createMetrics(sources: MetricSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerReadAtScrape(registry, sources);
  const { requests, duration, operations, databaseErrors } = registerCounted(registry);
  const operationNames = new Set<string>();

  return {
    contentType: registry.contentType,
    scrape: async (caller) => (await registry.metrics()) + (await callerSeries(sources, caller)),
    observeRequest(method, route, status, seconds) {
      requests.inc({ route, method, status });
      duration.observe({ route, method }, seconds);
    },
    countOperation(name, type) {
      let label = name ?? 'anonymous';
      if (!operationNames.has(label)) {
        if (operationNames.size >= MAX_OPERATION_NAMES) label = 'other';
        else operationNames.add(label);
      }
      operations.inc({ operation_name: label, operation_type: type });
    },
    countDatabaseError(error) {
      if (!isDatabaseError(error)) return;
      const { code } = error as { code?: unknown };
      databaseErrors.inc({ code: typeof code === 'string' ? code : 'unknown' });
    },
  };
}

/** The metrics read from `sources` at each scrape: subscribers, and how the read cache answered. */
function registerReadAtScrape(registry: Registry, sources: MetricSources) {
  new Gauge({
    name: 'graphql_subscribers',
    help: 'Clients subscribed to databaseConnectionEvents now.',
    registers: [registry],
    collect() {
      this.set(sources.subscribers());
    },
  });
  new Counter({
    name: 'read_cache_reads_total',
    help: 'Reads of connections by how the read cache answered: hit (a row, or a whole GraphQL result), miss, or bypass (no-cache asked, or changes not heard).',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      const { hits, misses, bypassed } = sources.readCache();
      this.reset();
      this.inc({ outcome: 'hit' }, hits);
      this.inc({ outcome: 'miss' }, misses);
      this.inc({ outcome: 'bypass' }, bypassed);
    },
  });
  new Counter({
    name: 'read_cache_result_hits_total',
    help: 'Of the hits, those answered with a whole GraphQL result kept (on /graphql or REST): execution skipped.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.readCache().resultHits);
    },
  });
  new Gauge({
    name: 'read_cache_bytes',
    help: "The size of the read cache's entries, as their text counts them.",
    registers: [registry],
    collect() {
      this.set(sources.readCache().bytes);
    },
  });
}

/** The metrics the service counts as it goes: requests, their latency, GraphQL operations, database errors. */
function registerCounted(registry: Registry) {
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by route, method and status.',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from the request to the end of the response, by route and method.',
    labelNames: ['route', 'method'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const operations = new Counter({
    name: 'graphql_operations_total',
    help: 'GraphQL operations executed (those of the REST facade included), by name and type.',
    labelNames: ['operation_name', 'operation_type'],
    registers: [registry],
  });
  const databaseErrors = new Counter({
    name: 'database_errors_total',
    help: 'Requests that failed on a database error, by Prisma error code.',
    labelNames: ['code'],
    registers: [registry],
  });
  return { requests, duration, operations, databaseErrors };
}
