/**
 * The peers of `npm run bench -- --peers`: servers that give REST and GraphQL over an existing
 * PostgreSQL table, each serving the table the bench fills (its columns as they are), asked through
 * its public HTTP surface for what the service is asked in the scenarios it has. Their versions are
 * pinned in bench/peers/package.json and its lock; they are installed into bench/peers/node_modules
 * (git-ignored), never into the project's dependencies.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Row } from './targets.ts';

/** The scenarios the service runs on its peers too. */
export const PEER_SCENARIOS = ['GET by id', 'GraphQL by id', 'GraphQL page of 50'] as const;
export type PeerScenario = (typeof PEER_SCENARIOS)[number];

/** Both peers declare `engines: node >= 22`, and PostGraphile 5 answers every query with an error on Node.js 20. */
export const PEERS_NODE_MAJOR = 22;

export interface HttpRequest {
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
}

/** A JSON answer, read only to find the rows it holds. */
// biome-ignore lint/suspicious/noExplicitAny: the shape is each server's own; `ids` reads it.
type Answer = any;

/** How a server is asked one scenario (for the connection `id`), and the ids of the rows its answer holds. */
export interface Ask {
  request: (id: string) => HttpRequest;
  ids: (answer: Answer) => string[];
}

export interface Peer {
  name: string;
  /** Run with the bench's own Node.js, as `node <script>`: it prints `PEER <url>` when it listens. */
  script: string;
  asks: Partial<Record<PeerScenario, Ask>>;
}

export const graphql = (query: string, variables: object = {}): HttpRequest => ({
  method: 'POST',
  path: '/graphql',
  body: JSON.stringify({ query, variables }),
});

/**
 * The columns behind the fields the service's queries select (its connectionUri is the masked
 * URI, stored as connection_uri_masked; schemas and metadata are JSON text, as stored).
 */
const byIdFields = (idField: string) =>
  `${idField} alias connectionUriMasked dialect schemas metadata createdAt updatedAt`;
const pageFields = (idField: string) => `${idField} alias connectionUriMasked dialect schemas metadata createdAt`;
/** The columns behind the service's REST body (its `parameters` are read from the URI, not stored). */
const REST_COLUMNS = [
  'id',
  'workspace',
  'alias',
  'connectionUriMasked',
  'dialect',
  'schemas',
  'metadata',
  'useSsh',
  'sshSettingsMasked',
  'tlsSettingsMasked',
  'healthStatus',
  'healthCheckedAt',
  'healthLatencyMs',
  'healthErrorCode',
  'healthErrorMessage',
  'managed',
  'createdAt',
  'updatedAt',
  'version',
].join(',');

export const PEERS: Peer[] = [
  {
    // GraphQL only. The Amber preset names the `id` column `rowId` (`id` is the global Node id).
    name: 'PostGraphile 5',
    script: 'bench/peers/postgraphile.mjs',
    asks: {
      'GraphQL by id': {
        request: (id) =>
          graphql(`query ($id: String!) { databaseConnectionByRowId(rowId: $id) { ${byIdFields('rowId')} } }`, { id }),
        ids: (answer) => [answer.data.databaseConnectionByRowId.rowId],
      },
      'GraphQL page of 50': {
        request: () =>
          graphql(
            `{ allDatabaseConnections(first: 50, orderBy: [CREATED_AT_ASC, ROW_ID_ASC]) { edges { node { ${pageFields('rowId')} } } pageInfo { hasNextPage endCursor } } }`,
          ),
        ids: (answer) => answer.data.allDatabaseConnections.edges.map((edge: Answer) => edge.node.rowId),
      },
    },
  },
  {
    // GraphQL pages by limit and offset: a list, without cursors or pageInfo.
    name: 'Platformatic DB 3',
    script: 'bench/peers/platformatic.mjs',
    asks: {
      'GET by id': {
        request: (id) => ({ method: 'GET', path: `/databaseConnections/${id}?fields=${REST_COLUMNS}` }),
        ids: (answer) => [answer.id],
      },
      'GraphQL by id': {
        request: (id) =>
          graphql(`query ($id: ID!) { getDatabaseConnectionById(id: $id) { ${byIdFields('id')} } }`, { id }),
        ids: (answer) => [answer.data.getDatabaseConnectionById.id],
      },
      'GraphQL page of 50': {
        request: () =>
          graphql(
            `{ databaseConnections(limit: 50, orderBy: [{ field: createdAt, direction: ASC }, { field: id, direction: ASC }]) { ${pageFields('id')} } }`,
          ),
        ids: (answer) => answer.data.databaseConnections.map((row: Answer) => row.id),
      },
    },
  },
];

/** The service's req/s ÷ that of the fastest peer in the same scenario and number of clients, if a peer ran it. */
export function againstFastestPeer(results: Row[], service: Row): Pick<Row, 'peerRatio' | 'fastestPeer'> {
  const fastest = results
    .filter((row) => row.scenario === service.scenario && row.clients === service.clients)
    .filter((row) => PEERS.some((peer) => peer.name === row.server))
    .sort((a, b) => b.requestsPerSecond - a.requestsPerSecond)[0];
  if (!fastest) return {};
  return {
    peerRatio: Math.round((service.requestsPerSecond / fastest.requestsPerSecond) * 100) / 100,
    fastestPeer: fastest.server,
  };
}

const FOLDER = fileURLToPath(new URL('peers/', import.meta.url));

/** The version of a package installed in bench/peers/node_modules, if any. */
function installedVersion(name: string): string | undefined {
  const manifest = `${FOLDER}node_modules/${name}/package.json`;
  return existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).version : undefined;
}

/**
 * Installs the peers as bench/peers/package-lock.json pins them, from the npm registry, unless the
 * pinned versions are there already. Install scripts are skipped: the only ones (better-sqlite3,
 * for Platformatic's SQLite support, and protobufjs's) serve nothing the bench uses.
 */
export function installPeers() {
  const { dependencies } = JSON.parse(readFileSync(`${FOLDER}package.json`, 'utf8')) as {
    dependencies: Record<string, string>;
  };
  if (Object.entries(dependencies).every(([name, version]) => installedVersion(name) === version)) return;
  console.error('Installing the peers into bench/peers/node_modules (npm ci)…');
  const npm = spawnSync('npm', ['ci', '--prefix', FOLDER, '--ignore-scripts', '--no-audit', '--no-fund'], {
    // Its report on stderr: stdout is the bench's tables.
    stdio: ['ignore', 2, 2],
  });
  if (npm.status !== 0) throw new Error(`npm ci --prefix bench/peers failed (exit ${npm.status ?? npm.signal})`);
}
