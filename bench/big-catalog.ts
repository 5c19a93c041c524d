/**
 * `npm run bench:big-catalog [-- --vendor trino|databricks|snowflake|bigquery|athena] [--tables 5000] [--columns 20] [--runs 10]`
 *
 * Schema discovery of a big catalog, whole and bounded: the compiled service runs as a process of
 * its own and discovers, through its driver, a catalog of `tables` tables of `columns` columns
 * that a vendor's stand-in serves in pages, reached by the vendor's own host name on port 443
 * (test/support/vendors/routes.ts). Each run checks that every table and column came back,
 * and measures the time and the service's RSS (before, at its peak during the run, after). V8
 * collects garbage when it sees fit, so RSS rises and falls from one run to the next: the bound is
 * on the highest peak over all the runs, above the RSS of the idle service.
 * Prints the figures and whether the bound holds; writes bench/results/big-catalog-node<major>.json.
 *
 * A vendor plugs in with one entry of STAND_INS: its stand-in holding a given catalog, and a URI
 * that reads that catalog by the vendor's name.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ATHENA_KEY_ID, ATHENA_SECRET, athenaHandler } from '../test/support/vendors/athena.ts';
import { bigqueryHandler, PROJECT, SERVICE_ACCOUNT } from '../test/support/vendors/bigquery.ts';
import { DATABRICKS_TOKEN, databricksHandler, WAREHOUSE_ID } from '../test/support/vendors/databricks.ts';
import {
  createVendorTls,
  routedProcessEnv,
  startRoutedVendor,
  VENDOR_ROUTES_MODULE,
  type Vendor,
} from '../test/support/vendors/routes.ts';
import { bigWarehouse, type Handler, type Warehouse } from '../test/support/vendors/server.ts';
import { snowflakeHandler, upperCased } from '../test/support/vendors/snowflake.ts';
import { trinoHandler } from '../test/support/vendors/trino.ts';
import { freshDatabase } from './fresh-database.ts';

/** BigQuery's service account key, of the account its stand-in knows. */
const bigqueryKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const bigqueryCredentials = Buffer.from(
  JSON.stringify({
    type: 'service_account',
    client_email: SERVICE_ACCOUNT,
    private_key: bigqueryKey.privateKey.export({ type: 'pkcs8', format: 'pem' }),
  }),
).toString('base64');

/**
 * Each vendor's stand-in serving a catalog, and the URI that discovers its one schema, `big`: named
 * in the connection's `schemas` (['big'] unless the entry says otherwise).
 */
const STAND_INS: Partial<
  Record<Vendor, { handler: (warehouse: Warehouse) => Handler; uri: string; schemas?: string[] }>
> = {
  // Athena takes no `schemas`: its URI names the database. Pages of 50 tables, the API's largest.
  athena: {
    handler: (warehouse) => athenaHandler({ warehouse }),
    uri: `awsathena+rest://${ATHENA_KEY_ID}:${ATHENA_SECRET}@athena.eu-west-1.amazonaws.com/big`,
    schemas: [],
  },
  trino: {
    handler: (warehouse) => trinoHandler({ warehouse, pageRows: 1_000, passwords: { ana: 'bench-pw' } }),
    uri: 'trino://ana:bench-pw@bench.trino.galaxy.starburst.io:443/hive?http_scheme=https',
  },
  databricks: {
    handler: (warehouse) => databricksHandler({ warehouse, chunkRows: 1_000 }),
    uri: `databricks://token:${DATABRICKS_TOKEN}@bench.cloud.databricks.com?http_path=/sql/1.0/warehouses/${WAREHOUSE_ID}&catalog=main`,
  },
  // Names as Snowflake keeps those made without quotes (BIG.T00001.C01); `big` in the request reads so.
  snowflake: {
    handler: (warehouse) =>
      snowflakeHandler({
        databases: { BIG: upperCased(warehouse) },
        chunkRows: 10_000,
        passwords: { ANA: 'bench-pw' },
      }),
    uri: 'snowflake://ana:bench-pw@bench/big',
  },
  bigquery: {
    // Pages of 10,000 rows: BigQuery pages a result by size, up to 10 MB.
    handler: (warehouse) =>
      bigqueryHandler(bigqueryKey.publicKey.export({ type: 'spki', format: 'pem' }).toString(), {
        warehouse,
        pageRows: 10_000,
      }),
    uri: `bigquery://${PROJECT}?credentials_base64=${bigqueryCredentials}`,
  },
};

/** The bound: over the runs, the service's RSS may rise this far above its idle RSS, at the highest. */
const PEAK_GROWTH_BOUND_MB = 250;

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const PATH = '/api/v1/database-connections';
const { values: options } = parseArgs({
  options: {
    vendor: { type: 'string', multiple: true },
    tables: { type: 'string', default: '5000' },
    columns: { type: 'string', default: '20' },
    runs: { type: 'string', default: '10' },
  },
});
const TABLES = Number(options.tables);
const COLUMNS = Number(options.columns);

/** A process's resident set in MB, to a tenth. */
const rssMb = (pid: number) =>
  Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 102.4) / 10;

/** The compiled service, as `npm start` runs it, with `env`; resolves its URL once it listens. */
function startService(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(ROOT, 'dist/main.js')], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
      const url = /REST API:\s+(http:\S+?)\/api/.exec(output)?.[1];
      if (!url) return;
      child.stdout?.removeAllListeners('data');
      child.stdout?.resume();
      resolve({ url, child });
    });
    child.once('exit', (code) => reject(new Error(`the service exited with ${code}: ${output}`)));
  });
}

async function call(url: string, method: string, body?: unknown) {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

interface Run {
  seconds: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  rssAfterMb: number;
}

/** One discovery, checked whole, timed, its RSS sampled every 50 ms. */
async function discover(service: string, id: string, pid: number): Promise<Run> {
  const rssBeforeMb = rssMb(pid);
  let rssPeakMb = rssBeforeMb;
  const sampler = setInterval(() => {
    rssPeakMb = Math.max(rssPeakMb, rssMb(pid));
  }, 50);
  const started = performance.now();
  const { schemas } = await call(`${service}${PATH}/${id}/schemas`, 'GET').finally(() => clearInterval(sampler));
  const seconds = Math.round(performance.now() - started) / 1000;
  const tables: { columns: unknown[] }[] = schemas[0]?.tables ?? [];
  if (tables.length !== TABLES || tables.some((table) => table.columns.length !== COLUMNS)) {
    throw new Error(`discovery returned ${tables.length} tables, not ${TABLES} of ${COLUMNS} columns each`);
  }
  return { seconds, rssBeforeMb, rssPeakMb, rssAfterMb: rssMb(pid) };
}

async function benchVendor(vendor: Vendor, warehouse: Warehouse) {
  const entry = STAND_INS[vendor];
  if (!entry) throw new Error(`no big-catalog stand-in for ${vendor}: add one to STAND_INS`);
  const standIn = await startRoutedVendor(vendor, entry.handler(warehouse));
  const database = await freshDatabase('sqlite', 'big-catalog');
  const service = await startService({
    ...routedProcessEnv(),
    DATABASE_URL: database.url,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    CONNECTION_TEST_TIMEOUT_MS: '120000',
    INTROSPECTION_CACHE_MS: '0',
    HEALTH_CHECK_INTERVAL_S: '0',
  });
  try {
    const pid = service.child.pid as number;
    // Idle first: started, its start-up garbage given time to be collected.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const idleRssMb = rssMb(pid);
    const { id } = await call(`${service.url}${PATH}`, 'POST', {
      alias: `big-${vendor}`,
      connection_uri: entry.uri,
      schemas: entry.schemas ?? ['big'],
    });
    const runs: Run[] = [];
    for (let run = 0; run < Number(options.runs); run++) runs.push(await discover(service.url, id, pid));
    const peakGrowthMb = Math.round(Math.max(...runs.map((run) => run.rssPeakMb)) - idleRssMb);
    return { vendor, idleRssMb, runs, peakGrowthMb, met: peakGrowthMb <= PEAK_GROWTH_BOUND_MB };
  } finally {
    service.child.kill();
    await standIn.close();
    await database.drop();
  }
}

// This process routes the vendors' names too, so that it may start the stand-ins where they lead.
createRequire(import.meta.url)(VENDOR_ROUTES_MODULE);
const tls = createVendorTls();
Object.assign(process.env, tls.env);
try {
  const warehouse = bigWarehouse(TABLES, COLUMNS);
  const vendors = (options.vendor ?? Object.keys(STAND_INS)) as Vendor[];
  const results = [];
  for (const vendor of vendors) results.push(await benchVendor(vendor, warehouse));
  const mb = (value: number) => `${Math.round(value)} MB`;
  for (const result of results) {
    console.log(`${result.vendor}: ${TABLES} tables × ${COLUMNS} columns, idle RSS ${mb(result.idleRssMb)}`);
    for (const run of result.runs) {
      console.log(
        `  ${run.seconds.toFixed(2)} s  RSS before ${mb(run.rssBeforeMb)}  peak ${mb(run.rssPeakMb)}  after ${mb(run.rssAfterMb)}`,
      );
    }
    console.log(
      `  peak growth over idle ${mb(result.peakGrowthMb)} (bound ${PEAK_GROWTH_BOUND_MB} MB): ${result.met ? 'met' : 'NOT MET'}`,
    );
  }
  const file = join(ROOT, `bench/results/big-catalog-node${process.versions.node.split('.')[0]}.json`);
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const node = process.version;
  const report = { node, tables: TABLES, columns: COLUMNS, peakGrowthBoundMb: PEAK_GROWTH_BOUND_MB, results };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.exitCode = results.every((result) => result.met) ? 0 : 1;
} finally {
  rmSync(tls.folder, { recursive: true, force: true });
}
