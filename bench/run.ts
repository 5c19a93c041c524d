/**
 * `npm run bench [-- --store postgres] [--peers] [--duration 8] [--connections 10] [--soak 120]`
 * (`.ci/with-node 24 npm run bench …` for Node.js 24)
 *
 * Seeds a fresh database, starts the service and the baseline server
 * (bench/baseline-server.ts: REST and GraphQL written by hand over the same Prisma client)
 * as real processes, checks that both give the same answers, and measures each scenario
 * with autocannon, one after another, in one run, so ratios compare like with like on a
 * noisy machine. With --peers (PostgreSQL), PostGraphile 5 and Platformatic DB 3 (bench/peers.ts)
 * serve the same table and take their turns in the scenarios they have. Prints the results and
 * the targets, and writes bench/results/<store>-node<major>.json.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { generateApiKey, hashApiKey } from '../src/auth/api-keys.ts';
import { parseFullDocument } from '../src/connections/rules/input.ts';
import { encodeCursor } from '../src/connections/stored/cursor.ts';
import { newRow } from '../src/connections/stored/records.ts';
import { createPrismaClient } from '../src/db/client.ts';
import { applyMigrations } from '../src/db/migrations.ts';
import { storeFromUrl } from '../src/db/store.ts';
import { createLogger } from '../src/logger.ts';
import { oldSpaceMb } from '../src/memory.ts';
import { connectionSecrets } from '../src/secrets/connection-secrets.ts';
import { loadKeyring } from '../src/secrets/keyring.ts';
import { freshDatabase } from './fresh-database.ts';
import {
  type Ask,
  againstFastestPeer,
  graphql,
  type HttpRequest,
  installPeers,
  PEER_SCENARIOS,
  PEERS,
  PEERS_NODE_MAJOR,
  type PeerScenario,
} from './peers.ts';
import { bigListLine, heapSizingTable, memoryTable, peersTable } from './summary.ts';
import {
  BIG_LIST,
  BIG_LIST_SCENARIO,
  type BigListRun,
  DEEP_ROWS,
  DEEP_SCENARIOS,
  HEALTH_CHECKS_SCENARIO,
  type HeapSizingRun,
  type Memory,
  MIXED_HOT_ROWS,
  MIXED_SCENARIO,
  metMark,
  ROWS,
  type Row,
  targetsOf,
} from './targets.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { values: options } = parseArgs({
  options: {
    // SQLite by default; PostgreSQL with --peers, which serve a PostgreSQL table.
    store: { type: 'string' },
    peers: { type: 'boolean', default: false },
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '10' },
    soak: { type: 'string', default: '120' },
    // Only the scenarios whose name matches this regular expression (and no soak).
    only: { type: 'string' },
    // Profile the service: a .cpuprofile in bench/profiles/ when it exits.
    'cpu-prof': { type: 'boolean', default: false },
    // The service runs with MEMORY_LIMIT_MB (src/memory.ts) set to this.
    'memory-limit': { type: 'string' },
    // Then the read scenarios again, on one service per MEMORY_LIMIT_MB listed (comma-separated; `none`: unset), in turns.
    'memory-limits': { type: 'string' },
  },
});
const STORE = options.store ?? (options.peers ? 'postgres' : 'sqlite');
if (options.peers && STORE !== 'postgres') {
  console.error("--peers serves the bench's PostgreSQL table: leave --store out, or use --store postgres.");
  process.exit(2);
}
if (options.peers && Number(process.versions.node.split('.')[0]) < PEERS_NODE_MAJOR) {
  console.error(
    `--peers needs Node.js ${PEERS_NODE_MAJOR} or later (the peers' own requirement), not ${process.version}: ` +
      'run `.ci/with-node 24 npm run bench -- --peers`.',
  );
  process.exit(2);
}
const DURATION = Number(options.duration);
const CONNECTIONS = Number(options.connections);
const SOAK = options.only ? 0 : Number(options.soak);
const ONLY = options.only ? new RegExp(options.only, 'i') : undefined;
const MEMORY_LIMIT = options['memory-limit'] ? Number(options['memory-limit']) : undefined;
const MEMORY_LIMITS = options['memory-limits']
  ?.split(',')
  .map((limit) => (limit.trim() === 'none' ? undefined : Number(limit)));
/** seed-<i> is created at SEED_START + i ms: the list's order is the seed's. */
const SEED_START = Date.now() - DEEP_ROWS;
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
// The service checks an API key on every request, as in production; the baseline does not.
const API_KEY = generateApiKey();
const API_KEYS = JSON.stringify([
  { name: 'bench', hash: hashApiKey(API_KEY), scopes: ['connections:read', 'connections:write', 'metrics:read'] },
]);
const PATH = '/api/v1/database-connections';

const databaseUri = (i: number) => `postgresql://user${i}:secret-${i}@db${i % 7}.internal:5432/sales?sslmode=require`;

/**
 * Adds `count` connections (seed-<from>…), created one millisecond apart, oldest first; returns their ids.
 * `metadataBytes`: each one's metadata holds that many bytes more.
 */
async function seed(url: string, from: number, count: number, metadataBytes = 0): Promise<string[]> {
  const store = storeFromUrl(url);
  const logger = createLogger('silent');
  await applyMigrations(store, logger);
  const prisma = await createPrismaClient(store);
  const secrets = connectionSecrets(loadKeyring({ ENCRYPTION_KEY, ENCRYPTION_KEYS_PREVIOUS: [] }, store, logger), true);
  const ids: string[] = [];
  for (let batch = from; batch < from + count; batch += 500) {
    const rows = [];
    for (let i = batch; i < Math.min(from + count, batch + 500); i++) {
      // 100 MySQL connections: the list of 100 filters on them.
      const mysql = i % 100 === 0;
      const uri = mysql ? `mysql://u:p${i}@mysql${i}.internal:3306/app` : databaseUri(i);
      // The fields left out take their defaults, as the API fills them.
      const document = parseFullDocument({
        alias: `seed-${i}`,
        connectionUri: uri,
        schemas: mysql ? [] : ['public', 'sales'],
        metadata: { team: 'bi', i, ...(metadataBytes > 0 && { blob: 'x'.repeat(metadataBytes) }) },
      });
      const row = newRow(document, mysql ? 'mysql' : 'postgresql', secrets, { now: new Date(SEED_START + i) });
      rows.push(row);
      ids.push(row.id);
    }
    await prisma.databaseConnection.createMany({ data: rows });
  }
  await prisma.$disconnect();
  return ids;
}

// --- Processes -----------------------------------------------------------------

const SERVICE_READY = /REST API:\s+(http:\S+?)\/api/;

interface Running {
  url: string;
  child: ChildProcess;
  /** What it wrote until it was ready. */
  output: string;
}

/** A server under test: the service, the baseline or a peer, and how it is asked the scenarios it shares with its peers. */
type Server = Running & { name: string; asks: Partial<Record<PeerScenario, Ask>> };

function start(
  script: string,
  env: Record<string, string>,
  ready: RegExp,
  nodeOptions: string[] = [],
): Promise<Running> {
  // The service runs compiled, as `npm start` does; the baseline, a bench tool, through tsx; each peer
  // as plain JavaScript. Every one on this very Node.js, in production mode, logging at `info`.
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...nodeOptions, ...loader, join(ROOT, script)], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', PORT: '0', ENCRYPTION_KEY, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
      const url = ready.exec(output)?.[1];
      if (url) {
        // From here on, the logs are read and dropped, as a log shipper would.
        child.stdout?.removeAllListeners('data');
        child.stdout?.resume();
        resolve({ url, child, output });
      }
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${output}`)));
  });
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/**
 * How the service is started with MEMORY_LIMIT_MB: the setting, and on a Node.js that cannot start
 * itself again with its heap sized (Node.js 20), the NODE_OPTIONS flag its start-up warning names.
 */
function withMemoryLimit(limitMb: number | undefined): { env: Record<string, string>; nodeOptions: string[] } {
  if (limitMb === undefined) return { env: {}, nodeOptions: [] };
  const canResize = 'execve' in process;
  return {
    env: { MEMORY_LIMIT_MB: String(limitMb) },
    nodeOptions: canResize ? [] : [`--max-old-space-size=${oldSpaceMb({ mb: limitMb, source: 'MEMORY_LIMIT_MB' })}`],
  };
}

/** V8's heap limit a service logged at start (src/memory.ts). */
const heapLimitOf = (running: Running) => Number(/"heapLimitMb":(\d+)/.exec(running.output)?.[1] ?? Number.NaN);

// --- Scenarios -----------------------------------------------------------------

const cycle = <T>(items: T[]) => {
  let next = 0;
  return () => items[next++ % items.length] as T;
};

/**
 * Autocannon on one server, each request made by `request`, with the service's API key (which the
 * baseline and the peers ignore): `amount` requests, or for `duration` seconds.
 */
function load(
  server: Server,
  request: () => HttpRequest,
  limits: { connections: number; timeout?: number } & ({ amount: number } | { duration: number }),
) {
  return autocannon({
    url: server.url,
    ...limits,
    requests: [
      {
        setupRequest: (req) => {
          const next = request();
          return {
            ...req,
            method: next.method as 'GET',
            path: next.path,
            body: next.body,
            headers: {
              authorization: `Bearer ${API_KEY}`,
              ...(next.body ? { 'content-type': 'application/json' } : {}),
              ...next.headers,
            },
          };
        },
      },
    ],
  });
}

async function measure(
  scenario: string,
  server: Server,
  request: () => HttpRequest,
  limits: { amount?: number; clients?: number; seconds?: number; always?: boolean } = {},
): Promise<Row | undefined> {
  if (ONLY && !ONLY.test(scenario) && !limits.always) return undefined;
  // Let the previous scenario's last requests drain first.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const clients = limits.clients ?? CONNECTIONS;
  const result = await load(server, request, {
    connections: clients,
    ...(limits.amount ? { amount: limits.amount } : { duration: limits.seconds ?? DURATION }),
  });
  const row: Row = {
    scenario,
    server: server.name,
    // Requests completed over the time taken (not the mean of per-second counts, which a request
    // longer than a second leaves at 0); two decimals: the long lists run a few per second, or less.
    requestsPerSecond: Math.round((result.requests.total / result.duration) * 100) / 100,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
    clients,
  };
  console.error(
    `${scenario.padEnd(28)} ${server.name.padEnd(17)} ${String(clients).padStart(2)} clients ${String(row.requestsPerSecond).padStart(6)} req/s  p50 ${row.p50} ms  p99 ${row.p99} ms  errors ${row.errors}`,
  );
  return row;
}

/** A server and what it is asked in a scenario. */
type Turn = [Server, () => HttpRequest];

/**
 * The same scenario on each server, in turns (baseline, service, [peers,] then again; half the
 * duration each), so that a slow spell of the shared machine weighs on every side of a ratio alike.
 */
async function compare(
  scenario: string,
  turns: Turn[],
  /** `amount`: requests per turn instead of half the duration (for requests that take seconds); `always`: whatever --only says. */
  limits: { clients?: number; amount?: number; always?: boolean } = {},
): Promise<(Row | undefined)[]> {
  const rounds: Row[][] = turns.map(() => []);
  for (let round = 0; round < 2; round++) {
    for (const [side, [server, request]] of turns.entries()) {
      const row = await measure(scenario, server, request, { seconds: DURATION / 2, ...limits });
      if (row) rounds[side]?.push(row);
    }
  }
  return rounds.map(([first, second]) => (first && second ? bothTurns(first, second) : undefined));
}

/** One row of a server's two turns: the mean rate and median, the worst p99, every error. */
function bothTurns(first: Row, second: Row): Row {
  return {
    ...first,
    requestsPerSecond: Math.round((first.requestsPerSecond + second.requestsPerSecond) * 50) / 100,
    p50: (first.p50 + second.p50) / 2,
    p99: Math.max(first.p99, second.p99),
    errors: first.errors + second.errors,
  };
}

const BY_ID_QUERY =
  'query ($id: ID!) { databaseConnection(id: $id) { id alias connectionUri dialect schemas metadata createdAt updatedAt } }';
const PAGE_QUERY =
  'query ($after: String) { databaseConnections(first: 50, after: $after) { edges { node { id alias connectionUri dialect schemas metadata createdAt } } pageInfo { hasNextPage endCursor } } }';
const graphqlPage = (after?: string) => () => graphql(PAGE_QUERY, after ? { after } : {});

/** How the service, and the baseline that answers the same, are asked the scenarios they share with the peers. */
const OURS: Record<PeerScenario, Ask> = {
  'GET by id': { request: (id) => ({ method: 'GET', path: `${PATH}/${id}` }), ids: (answer) => [answer.id] },
  'GraphQL by id': {
    request: (id) => graphql(BY_ID_QUERY, { id }),
    ids: (answer) => [answer.data.databaseConnection.id],
  },
  'GraphQL page of 50': {
    request: graphqlPage(),
    ids: (answer) => answer.data.databaseConnections.edges.map((edge: { node: { id: string } }) => edge.node.id),
  },
};

/** One request on a connection of its own (none left idle between scenarios), its status and JSON body. */
function answerOf(server: Server, method: string, path: string, body?: string) {
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const request = http.request(
      `${server.url}${path}`,
      {
        method,
        agent: false,
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** The same request to both servers must give the same JSON: otherwise the ratio compares different work. */
async function checkSameAnswers(
  servers: { baseline: Server; service: Server },
  requests: Record<string, () => HttpRequest>,
) {
  for (const [name, request] of Object.entries(requests)) {
    const { method, path, body } = request();
    const answers = await Promise.all(
      [servers.baseline, servers.service].map(async (server) => {
        try {
          return await answerOf(server, method, path, body);
        } catch (error) {
          throw new Error(`${name}: the ${server.name} did not answer`, { cause: error });
        }
      }),
    );
    try {
      assert.deepStrictEqual(answers[0], answers[1]);
    } catch (error) {
      throw new Error(`${name}: the baseline and the service answer differently\n${(error as Error).message}`);
    }
  }
}

/** RSS samples of one process, one a second, while `during` runs. */
async function rssOver<T>(pid: number, during: Promise<T>): Promise<{ result: T; samples: number[] }> {
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(rssMb(pid)), 1_000);
  try {
    return { result: await during, samples };
  } finally {
    clearInterval(timer);
  }
}

async function metricsOf(server: Server) {
  const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${API_KEY}` } });
  return response.text();
}

/** How many connections have a scheduled health check recorded (from /metrics). */
async function connectionsChecked(server: Server) {
  return (await metricsOf(server)).match(/^database_connection_up\{/gm)?.length ?? 0;
}

/** How many reads the service's read cache answered, and from the database, so far (from /metrics). */
async function cacheReads(server: Server) {
  const text = await metricsOf(server);
  const count = (outcome: string) =>
    Number(new RegExp(`^read_cache_reads_total\\{outcome="${outcome}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { hits: count('hit'), reads: count('hit') + count('miss') + count('bypass') };
}

/**
 * Reads with one write in 20, on HOT_ROWS connections, by `clients` clients for `seconds`: consumers
 * reading their connections while some are edited. A read is stale when it answers a version older
 * than one whose write was answered before the read was sent.
 */
async function mixedLoad(server: Server, ids: string[], clients: number, seconds: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const hot = ids.slice(0, MIXED_HOT_ROWS);
  const committed = new Map<string, number>();
  const latencies: number[] = [];
  let sent = 0;
  let stale = 0;
  let errors = 0;
  const call = (method: string, path: string, body?: string) =>
    new Promise<{ status: number; version: number }>((resolve, reject) => {
      const request = http.request(
        `${server.url}${path}`,
        { method, agent, headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' } },
        (response) => {
          // The version a connection is at is its ETag (`"3"`); the body is read and dropped.
          const version = Number(response.headers.etag?.replaceAll('"', ''));
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode ?? 0, version }));
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  const deadline = Date.now() + seconds * 1_000;
  async function client() {
    while (Date.now() < deadline) {
      const id = hot[Math.floor(Math.random() * hot.length)] as string;
      const write = ++sent % 20 === 0;
      const known = committed.get(id) ?? 0;
      const started = performance.now();
      const body = JSON.stringify({ alias: `mixed-${id}`, connection_uri: databaseUri(3), metadata: { sent } });
      const answer = await call(write ? 'PUT' : 'GET', `${PATH}/${id}`, write ? body : undefined).catch(() => null);
      latencies.push(performance.now() - started);
      const version = answer?.version ?? Number.NaN;
      if (answer?.status !== 200 || !Number.isInteger(version)) errors++;
      else if (write) committed.set(id, Math.max(committed.get(id) ?? 0, version));
      else if (version < known) stale++;
    }
  }
  const began = performance.now();
  await Promise.all(Array.from({ length: clients }, client));
  const elapsed = (performance.now() - began) / 1_000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.floor(q * (latencies.length - 1))] ?? 0);
  return {
    requestsPerSecond: Math.round((latencies.length / elapsed) * 100) / 100,
    p50: at(0.5),
    p99: at(0.99),
    errors,
    stale,
  };
}

/** The mixed load on the baseline and on the service in turns, as `compare` does; the service's hit rate and each side's stale reads. */
async function compareMixed(servers: { baseline: Server; service: Server }, ids: string[], clients: number) {
  const rows: Row[] = [];
  const stale = { baseline: 0, service: 0 };
  const before = await cacheReads(servers.service);
  for (let round = 0; round < 2; round++) {
    for (const side of ['baseline', 'service'] as const) {
      const server = servers[side];
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const result = await mixedLoad(server, ids, clients, DURATION / 2);
      stale[side] += result.stale;
      console.error(
        `${MIXED_SCENARIO.padEnd(28)} ${server.name.padEnd(17)} ${String(clients).padStart(2)} clients ${String(result.requestsPerSecond).padStart(6)} req/s  stale ${result.stale}  errors ${result.errors}`,
      );
      const { stale: _, ...row } = result;
      rows.push({ scenario: MIXED_SCENARIO, server: server.name, clients, ...row });
    }
  }
  const after = await cacheReads(servers.service);
  const hitRate = Math.round(((after.hits - before.hits) / Math.max(1, after.reads - before.reads)) * 1_000) / 1_000;
  const merged = (['baseline', 'service'] as const).map((side) => {
    const [first, second] = rows.filter((row) => row.server === side) as [Row, Row];
    return bothTurns(first, second);
  });
  return { rows: merged, mixed: { clients, hitRate, staleReads: stale } };
}

const mean = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) / Math.max(1, values.length));

/**
 * The RSS of every server, read the same way: `note` reads each one now into a stage; the peak is
 * read every 250 ms until `stop`.
 */
function watchMemory(servers: Server[]) {
  const rss = (server: Server) => Math.round(rssMb(server.child.pid as number));
  const memory: Record<string, Memory> = Object.fromEntries(
    servers.map((server) => [server.name, { idleMb: rss(server), afterRequestsMb: 0, peakMb: 0 }]),
  );
  const timer = setInterval(() => {
    for (const server of servers) {
      const of = memory[server.name] as Memory;
      of.peakMb = Math.max(of.peakMb, rss(server));
    }
  }, 250);
  return {
    memory,
    note(stage: 'afterRequestsMb' | 'afterWarmUpMb') {
      for (const server of servers) (memory[server.name] as Memory)[stage] = rss(server);
    },
    /** Each server's peak so far, as that of the scenarios run until now. */
    notePeak(stage: 'readsPeakMb') {
      for (const server of servers) {
        const of = memory[server.name] as Memory;
        of[stage] = Math.max(of.peakMb, rss(server));
      }
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * Each peer must answer each of its scenarios with the rows the service answers, in the same order,
 * and without an error (a GraphQL error comes with a 200): otherwise the ratio compares other work.
 */
async function checkPeersAnswer(service: Server, peers: Server[], id: string) {
  for (const scenario of PEER_SCENARIOS) {
    const ours = OURS[scenario].request(id);
    const expected = OURS[scenario].ids((await answerOf(service, ours.method, ours.path, ours.body)).body);
    for (const peer of peers) {
      const ask = peer.asks[scenario];
      if (!ask) continue;
      const { method, path, body } = ask.request(id);
      const answer = await answerOf(peer, method, path, body);
      const ids = (() => {
        try {
          return ask.ids(answer.body);
        } catch {
          return undefined;
        }
      })();
      if (answer.status !== 200 || (answer.body as { errors?: unknown }).errors || !isDeepStrictEqual(ids, expected))
        throw new Error(
          `${scenario}: ${peer.name} answers ${answer.status} ${JSON.stringify(answer.body).slice(0, 600)}`,
        );
    }
  }
}

/** The read scenarios whose cost a heap size shows: by id, page of 50, and the list of ROWS, at full load. */
const HEAP_SIZING_SCENARIOS = ['GET by id', 'GraphQL page of 50', `list of ${ROWS}`];

/**
 * One service per MEMORY_LIMIT_MB on the same database, each warmed up as the first was, then the
 * read scenarios on each in turns (as `compare` does); their req/s and each one's peak RSS.
 */
async function compareHeapSizes(
  serviceEnv: Record<string, string>,
  ids: string[],
  limits: (number | undefined)[],
): Promise<HeapSizingRun[]> {
  const services: (Server & { limit?: number; heapLimitMb: number })[] = [];
  try {
    for (const limit of limits) {
      const limited = withMemoryLimit(limit);
      const running = await start(
        'dist/main.js',
        { ...serviceEnv, ...limited.env, HEALTH_CHECK_INTERVAL_S: '0' },
        SERVICE_READY,
        limited.nodeOptions,
      );
      const name = `MEMORY_LIMIT_MB=${limit ?? 'none'}`;
      services.push({ ...running, name, asks: OURS, limit, heapLimitMb: heapLimitOf(running) });
    }
    const anyId = cycle(ids);
    const getById = () => ({ method: 'GET', path: `${PATH}/${anyId()}` });
    for (const server of services) await load(server, getById, { connections: CONNECTIONS, amount: ids.length });
    const watch = watchMemory(services);
    const requests: Record<string, () => HttpRequest> = {
      'GET by id': getById,
      'GraphQL page of 50': graphqlPage(),
      [`list of ${ROWS}`]: () => ({ method: 'GET', path: PATH }),
    };
    const rows: Row[] = [];
    for (const scenario of HEAP_SIZING_SCENARIOS) {
      const measured = await compare(
        `${scenario} (heap sizes)`,
        services.map((server): Turn => [server, requests[scenario] as () => HttpRequest]),
        { always: true },
      );
      rows.push(...measured.filter((row): row is Row => row !== undefined).map((row) => ({ ...row, scenario })));
    }
    watch.stop();
    return services.map((server) => ({
      ...(server.limit !== undefined && { memoryLimitMb: server.limit }),
      heapLimitMb: server.heapLimitMb,
      results: rows
        .filter((row) => row.server === server.name)
        .map(({ scenario, clients, requestsPerSecond, p99 }) => ({ scenario, clients, requestsPerSecond, p99 })),
      peakMb: watch.memory[server.name]?.peakMb ?? 0,
    }));
  } finally {
    for (const server of services) server.child.kill();
  }
}

/**
 * BIG_LIST.clients clients reading the whole list of BIG_LIST.rows connections of BIG_LIST.metadataBytes
 * each at once (about 120 MB an answer), on a database and a service of their own: the service's peak RSS.
 */
async function measureBigList(): Promise<BigListRun> {
  const database = await freshDatabase(STORE, 'bench_big_list');
  let child: ChildProcess | undefined;
  try {
    console.error(`Seeding ${BIG_LIST.rows} connections of ${BIG_LIST.metadataBytes / 1_000} KB…`);
    await seed(database.url, 0, BIG_LIST.rows, BIG_LIST.metadataBytes);
    const limited = withMemoryLimit(MEMORY_LIMIT);
    const running = await start(
      'dist/main.js',
      {
        DATABASE_URL: database.url,
        API_KEYS,
        RATE_LIMIT_PER_MINUTE: '100000000',
        HEALTH_CHECK_INTERVAL_S: '0',
        ...limited.env,
      },
      SERVICE_READY,
      limited.nodeOptions,
    );
    child = running.child;
    const server: Server = { ...running, name: 'service', asks: OURS };
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const watch = watchMemory([server]);
    // One answer first, alone: its size, and that it is one.
    const size = await new Promise<number>((resolve, reject) => {
      http
        .get(`${server.url}${PATH}`, { headers: { authorization: `Bearer ${API_KEY}` } }, (response) => {
          if (response.statusCode !== 200)
            reject(new Error(`${BIG_LIST_SCENARIO}: the service answers ${response.statusCode}`));
          let bytes = 0;
          response.on('data', (chunk: Buffer) => (bytes += chunk.length));
          response.on('end', () => resolve(bytes));
        })
        .on('error', reject);
    });
    const result = await load(server, () => ({ method: 'GET', path: PATH }), {
      connections: BIG_LIST.clients,
      amount: BIG_LIST.requests,
      // autocannon's default of 10 s is less than one answer takes under load.
      timeout: 120,
    });
    watch.stop();
    const run = {
      requestsPerSecond: Math.round((result.requests.total / result.duration) * 100) / 100,
      p50: result.latency.p50,
      errors: result.non2xx + result.errors + result.timeouts,
      answerMb: Math.round(size / 2 ** 20),
      idleMb: watch.memory.service?.idleMb ?? 0,
      peakMb: watch.memory.service?.peakMb ?? 0,
    };
    console.error(`${BIG_LIST_SCENARIO}: ${JSON.stringify(run)}`);
    return run;
  } finally {
    child?.kill();
    await database.drop();
  }
}

async function main() {
  if (options.peers) installPeers();
  const database = await freshDatabase(STORE, 'bench');
  const processes: ChildProcess[] = [];
  let memoryWatch: ReturnType<typeof watchMemory> | undefined;
  try {
    console.error(`Seeding ${ROWS} connections on ${STORE}…`);
    const ids = await seed(database.url, 0, ROWS);
    // The rate limit is on (its cost is measured), high enough that the bench never reaches it.
    // Scheduled health checks off but in their own scenario: no peer has them.
    const serviceEnv = { DATABASE_URL: database.url, API_KEYS, RATE_LIMIT_PER_MINUTE: '100000000' };
    const started = async (name: string, asks: Server['asks'], running: Promise<Running>): Promise<Server> => {
      const server = { ...(await running), name, asks };
      processes.push(server.child);
      return server;
    };
    const limited = withMemoryLimit(MEMORY_LIMIT);
    const service = await started(
      'service',
      OURS,
      start('dist/main.js', { ...serviceEnv, ...limited.env, HEALTH_CHECK_INTERVAL_S: '0' }, SERVICE_READY, [
        ...limited.nodeOptions,
        ...(options['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', join(ROOT, 'bench/profiles')] : []),
      ]),
    );
    const baseline = await started(
      'baseline',
      OURS,
      start('bench/baseline-server.ts', { DATABASE_URL: database.url }, /BASELINE (http:\S+)/),
    );
    const peers: Server[] = [];
    for (const peer of options.peers ? PEERS : []) {
      peers.push(
        await started(peer.name, peer.asks, start(peer.script, { DATABASE_URL: database.url }, /PEER (http:\S+)/)),
      );
    }
    const everyServer = [baseline, service, ...peers];
    // Idle: started, nothing asked yet, its start-up garbage given time to be collected.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    memoryWatch = watchMemory(everyServer);

    const anyId = cycle(ids);
    /** Each server's own way of reading one connection: REST where it has it, else GraphQL. */
    const readOne = (server: Server) => {
      const ask = (server.asks['GET by id'] ?? server.asks['GraphQL by id']) as Ask;
      return () => ask.request(anyId());
    };
    const getById = () => ({ method: 'GET', path: `${PATH}/${anyId()}` });
    const list =
      (query = '') =>
      () => ({ method: 'GET', path: `${PATH}${query}` });
    // Each PUT changes the row (its metadata): a PUT of what is stored writes nothing, as the service knows.
    let puts = 0;
    const put = () => {
      const id = anyId();
      const body = JSON.stringify({
        alias: `put-${id}`,
        connection_uri: databaseUri(1),
        schemas: ['public'],
        metadata: { v: ++puts },
      });
      return { method: 'PUT', path: `${PATH}/${id}`, body };
    };
    const post = () => ({
      method: 'POST',
      path: PATH,
      body: JSON.stringify({
        alias: `post-${randomUUID()}`,
        connection_uri: databaseUri(2),
        schemas: ['public'],
        metadata: { v: 1 },
      }),
    });
    const servers = { baseline, service };
    const both = (request: () => HttpRequest): Turn[] => [
      [baseline, request],
      [service, request],
    ];
    const firstId = ids[0] as string;
    await checkSameAnswers(
      servers,
      Object.fromEntries(PEER_SCENARIOS.map((scenario) => [scenario, () => OURS[scenario].request(firstId)])),
    );
    await checkPeersAnswer(service, peers, firstId);
    // What each server holds once it has answered a few hundred requests, at rest again.
    for (const server of everyServer) await load(server, readOne(server), { connections: 1, amount: 300 });
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    memoryWatch.note('afterRequestsMb');
    // Warm every server up first (JIT compilation, compiled GraphQL documents, connection pools), unmeasured:
    // otherwise the first scenario charges the service's start-up to its figures. Every connection is
    // read once, each way a scenario reads one: the reads below measure a registry whose consumers read
    // their connections again and again (the steady state); what a change costs a cached read, the
    // mixed scenario measures.
    const readEveryConnection = (server: Server) =>
      load(server, readOne(server), { connections: CONNECTIONS, amount: ids.length });
    const readEveryConnectionEachWay = async (server: Server) => {
      for (const scenario of ['GET by id', 'GraphQL by id'] as const) {
        const ask = server.asks[scenario];
        if (ask) await load(server, () => ask.request(anyId()), { connections: CONNECTIONS, amount: ids.length });
      }
    };
    // Whenever a scenario of the reads runs (`--only "^GraphQL by id$"` would otherwise measure misses),
    // and before PUT: its consumers read the connections it writes, so the read cache holds them.
    if (!ONLY || PEER_SCENARIOS.some((scenario) => ONLY.test(scenario)) || ONLY.test('PUT')) {
      for (const server of everyServer) await readEveryConnectionEachWay(server);
      memoryWatch.note('afterWarmUpMb');
    }
    const rows: (Row | undefined)[] = [];
    /** Every server that has the scenario, each asked its own way for the same connections. */
    const turnsOf = (scenario: PeerScenario) =>
      everyServer.flatMap((server): Turn[] => {
        const ask = server.asks[scenario];
        return ask ? [[server, () => ask.request(anyId())]] : [];
      });
    // Each target at ten clients (throughput) and at one (what one call costs, without waiting for the nine others).
    for (const clients of [CONNECTIONS, 1]) {
      for (const scenario of PEER_SCENARIOS) rows.push(...(await compare(scenario, turnsOf(scenario), { clients })));
    }
    memoryWatch.notePeak('readsPeakMb');
    rows.push(await measure('list of 100', service, list('?dialect=mysql')));
    for (const clients of [CONNECTIONS, 1]) rows.push(...(await compare(`list of ${ROWS}`, both(list()), { clients })));
    for (const clients of [CONNECTIONS, 1]) {
      rows.push(...(await compare('PUT', both(put), { clients })));
      rows.push(...(await compare('POST', both(post), { clients })));
    }
    const mixed = [];
    if (!ONLY || ONLY.test(MIXED_SCENARIO)) {
      for (const clients of [CONNECTIONS, 1]) {
        const measured = await compareMixed(servers, ids, clients);
        rows.push(...measured.rows);
        mixed.push(measured.mixed);
      }
    }
    let healthChecked: number | undefined;
    if (!ONLY || ONLY.test(HEALTH_CHECKS_SCENARIO)) {
      // Another service on the same database, checking every connection once per default interval
      // (the seeded hosts do not resolve, so each check fails at once and is recorded).
      const checked: Server = {
        ...(await start('dist/main.js', serviceEnv, SERVICE_READY)),
        name: 'service',
        asks: OURS,
      };
      try {
        await readEveryConnection(checked);
        for (const clients of [CONNECTIONS, 1])
          rows.push(
            ...(await compare(
              HEALTH_CHECKS_SCENARIO,
              [
                [baseline, getById],
                [checked, getById],
              ],
              { clients },
            )),
          );
        healthChecked = await connectionsChecked(checked);
      } finally {
        checked.child.kill();
      }
    }
    // Delete what the POSTs created, each once.
    const prisma = await createPrismaClient(storeFromUrl(database.url));
    const created = (
      await prisma.databaseConnection.findMany({ where: { alias: { startsWith: 'post-' } }, select: { id: true } })
    ).map((row) => row.id);
    const deleteId = cycle(created);
    if (created.length > 0) {
      rows.push(
        await measure('DELETE', service, () => ({ method: 'DELETE', path: `${PATH}/${deleteId()}` }), {
          amount: created.length,
        }),
      );
    }

    let soak: { seconds: number; rssFirstMb: number; rssLastMb: number; requestsPerSecond: number } | undefined;
    if (SOAK > 0) {
      console.error(`Soak: ${SOAK} s of GET by id at full load…`);
      const { result, samples } = await rssOver(
        service.child.pid as number,
        load(service, getById, { connections: CONNECTIONS, duration: SOAK }),
      );
      // The first and the last minute (or quarter, in a shorter soak).
      const window = Math.min(60, Math.floor(samples.length / 4));
      soak = {
        seconds: SOAK,
        rssFirstMb: mean(samples.slice(0, window)),
        rssLastMb: mean(samples.slice(-window)),
        requestsPerSecond: Math.round(result.requests.average),
      };
    }

    // A page must cost the same wherever it is: the same page query at the start and at the end of a
    // table of DEEP_ROWS, and the REST list of all of them.
    if (Object.values(DEEP_SCENARIOS).some((name) => !ONLY || ONLY.test(name))) {
      console.error(`Seeding ${DEEP_ROWS - ROWS} more connections…`);
      await seed(database.url, ROWS, DEEP_ROWS - ROWS);
      const cursorAt = async (index: number) => {
        const [row] = await prisma.databaseConnection.findMany({
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
          skip: index - 1,
          take: 1,
        });
        if (!row) throw new Error(`the table has no row ${index}`);
        return encodeCursor(row);
      };
      const [near, far] = [await cursorAt(100), await cursorAt(DEEP_ROWS - 100)];
      await checkSameAnswers(servers, { 'GraphQL deep page': graphqlPage(far) });
      rows.push(...(await compare(DEEP_SCENARIOS.near, both(graphqlPage(near)))));
      rows.push(...(await compare(DEEP_SCENARIOS.far, both(graphqlPage(far)))));
      rows.push(...(await compare(DEEP_SCENARIOS.list, both(list()), { clients: 1, amount: 3 })));
    }
    await prisma.$disconnect();
    const heapSizing = MEMORY_LIMITS ? await compareHeapSizes(serviceEnv, ids, MEMORY_LIMITS) : undefined;
    const bigList = !ONLY || ONLY.test(BIG_LIST_SCENARIO) ? await measureBigList() : undefined;
    const results = rows.filter((row): row is Row => row !== undefined);

    const rate = (scenario: string, server: Row['server'], clients: number) =>
      results.find((row) => row.scenario === scenario && row.server === server && row.clients === clients)
        ?.requestsPerSecond ?? Number.NaN;
    for (const row of results) {
      if (row.server !== 'service') continue;
      const baselineRate = rate(row.scenario, 'baseline', row.clients);
      if (Number.isFinite(baselineRate)) row.ratio = Math.round((row.requestsPerSecond / baselineRate) * 100) / 100;
      Object.assign(row, againstFastestPeer(results, row));
    }
    memoryWatch.stop();
    const { memory } = memoryWatch;
    const machine = {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    };
    const report = {
      date: new Date().toISOString(),
      store: STORE,
      connections: CONNECTIONS,
      durationSeconds: DURATION,
      rows: ROWS,
      machine,
      idleRssMb: memory.service?.idleMb ?? 0,
      peakRssMb: memory.service?.peakMb ?? 0,
      memory,
      soak,
      mixed,
      healthChecked,
      ...(MEMORY_LIMIT !== undefined && { memoryLimitMb: MEMORY_LIMIT }),
      bigList,
      heapSizing,
      results,
    };
    // A partial run (--only) is for looking into one scenario: it keeps the last full results.
    if (!ONLY) {
      mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
      const major = process.versions.node.split('.')[0];
      writeFileSync(join(ROOT, `bench/results/${STORE}-node${major}.json`), `${JSON.stringify(report, null, 2)}\n`);
    }

    console.log(
      `\n${STORE}, Node ${machine.node}, ${CONNECTIONS} connections, ${DURATION} s each, ${machine.cores} × ${machine.cpu}\n`,
    );
    console.log('| scenario | server | clients | req/s | p50 ms | p99 ms | errors | × baseline |');
    console.log('|---|---|---:|---:|---:|---:|---:|---:|');
    for (const row of results) {
      console.log(
        `| ${row.scenario} | ${row.server} | ${row.clients} | ${row.requestsPerSecond} | ${row.p50} | ${row.p99} | ${row.errors} | ${row.ratio ?? ''} |`,
      );
    }
    if (peers.length > 0) console.log(`\n${peersTable(report)}`);
    console.log(`\n${memoryTable(report)}`);
    if (bigList) console.log(`\n${bigListLine(bigList)}`);
    if (heapSizing) console.log(`\n${heapSizingTable(heapSizing)}`);
    console.log('\n| target | measured | met |\n|---|---:|---|');
    for (const { target, measured, met } of targetsOf(report))
      console.log(`| ${target} | ${measured} | ${metMark(met)} |`);
    if (soak) console.log(`\nSoak ${soak.seconds} s at ${soak.requestsPerSecond} req/s.`);
    if (healthChecked !== undefined) console.log(`Health checks on: ${healthChecked} connections checked by the end.`);
  } finally {
    memoryWatch?.stop();
    // Wait for the processes to exit: a --cpu-prof profile is written as the service exits.
    await Promise.all(
      processes.map(
        (child) =>
          new Promise((resolve) => {
            child.once('exit', resolve);
            child.kill('SIGTERM');
            setTimeout(resolve, 10_000).unref();
          }),
      ),
    );
    await database.drop();
  }
}

await main();
