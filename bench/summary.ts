/**
 * `npx tsx bench/summary.ts`: the table of targets in docs/benchmark.md, from the last run of each store and
 * runtime (bench/results/<store>-node<major>.json): each target, what each run measured, and
 * whether it is met. test/docs.test.ts checks that docs/benchmark.md shows this very table.
 * Then the figures of the big-catalog table (bigCatalogFigures), and, for each run that has them,
 * the peers' table and every server's RSS.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PEER_SCENARIOS, PEERS } from './peers.ts';
import { BIG_LIST_SCENARIO, type BigListRun, type HeapSizingRun, metMark, type Report, targetsOf } from './targets.ts';

const RESULTS = fileURLToPath(new URL('results/', import.meta.url));
const STORE_NAMES: Record<string, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };
const runName = (report: Report) => `${STORE_NAMES[report.store] ?? report.store}, Node ${report.machine.node}`;

function lastReports(folder: string): Report[] {
  return (
    readdirSync(folder)
      .filter((name) => /^\w+-node\d+\.json$/.test(name))
      // SQLite first, then by runtime.
      .sort((a, b) => Number(b.startsWith('sqlite')) - Number(a.startsWith('sqlite')) || a.localeCompare(b))
      .map((name) => JSON.parse(readFileSync(`${folder}${name}`, 'utf8')) as Report)
  );
}

export function summaryTable(folder = RESULTS): string {
  const reports = lastReports(folder);
  const columns = reports.map(runName);
  const targets = reports.map(targetsOf);
  const lines = [
    `| target | ${columns.join(' | ')} |`,
    `|---|${columns.map(() => '---:').join('|')}|`,
    ...(targets[0] ?? []).map(
      ({ target }, i) =>
        `| ${target} | ${targets.map((run) => `${run[i]?.measured} ${metMark(run[i]?.met)}`.trim()).join(' | ')} |`,
    ),
  ];
  return lines.join('\n');
}

/** The scenarios the peers ran too: each server's req/s and the service's ÷ the fastest peer's. */
export function peersTable(report: Report): string {
  const names = PEERS.map((peer) => peer.name).filter((name) => report.results.some((row) => row.server === name));
  const rate = (scenario: string, server: string, clients: number) =>
    report.results.find((row) => row.scenario === scenario && row.server === server && row.clients === clients)
      ?.requestsPerSecond ?? '–';
  const lines = [
    `| scenario | clients | service, req/s | ${names.map((name) => `${name}, req/s`).join(' | ')} | service ÷ fastest peer |`,
    `|---|---:|---:|${names.map(() => '---:|').join('')}---:|`,
  ];
  for (const clients of [report.connections, 1]) {
    for (const scenario of PEER_SCENARIOS) {
      const ours = report.results.find(
        (row) => row.scenario === scenario && row.server === 'service' && row.clients === clients,
      );
      if (ours?.peerRatio === undefined) continue;
      const peers = names.map((name) => rate(scenario, name, clients)).join(' | ');
      lines.push(
        `| ${scenario} | ${clients} | ${ours.requestsPerSecond} | ${peers} | ${ours.peerRatio} (${ours.fastestPeer}) |`,
      );
    }
  }
  return lines.join('\n');
}

/** Every server's RSS, read the same way (bench/targets.ts, `Memory`). */
export function memoryTable(report: Report): string {
  const lines = [
    '| RSS, MB | idle after start | at rest after 300 requests | after the warm-up | peak over by id and page of 50 | peak |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const [server, rss] of Object.entries(report.memory ?? {})) {
    lines.push(
      `| ${server} | ${rss.idleMb} | ${rss.afterRequestsMb} | ${rss.afterWarmUpMb ?? '–'} | ${rss.readsPeakMb ?? '–'} | ${rss.peakMb} |`,
    );
  }
  return lines.join('\n');
}

/** The big list's line: its rate, its answer, the service's RSS idle and at its peak. */
export const bigListLine = (run: BigListRun) =>
  `${BIG_LIST_SCENARIO}: ${run.requestsPerSecond} req/s, p50 ${run.p50} ms, ${run.errors} errors, ` +
  `answers of ${run.answerMb} MB; RSS idle ${run.idleMb} MB, peak ${run.peakMb} MB.`;

/** The read scenarios under each heap size (bench --memory-limits): req/s, and × the service without a limit. */
export function heapSizingTable(runs: HeapSizingRun[]): string {
  const unlimited = runs.find((run) => run.memoryLimitMb === undefined);
  const scenarios = [...new Set(runs.flatMap((run) => run.results.map((row) => row.scenario)))];
  const rateOf = (run: HeapSizingRun | undefined, scenario: string) =>
    run?.results.find((row) => row.scenario === scenario)?.requestsPerSecond;
  const cell = (run: HeapSizingRun, scenario: string) => {
    const rate = rateOf(run, scenario);
    const base = rateOf(unlimited, scenario);
    if (rate === undefined) return '–';
    return base && run !== unlimited ? `${rate} (${Math.round((rate / base) * 100) / 100}×)` : `${rate}`;
  };
  const lines = [
    `| MEMORY_LIMIT_MB | V8 heap limit, MB | ${scenarios.map((scenario) => `${scenario}, req/s`).join(' | ')} | peak RSS, MB |`,
    `|---|---:|${scenarios.map(() => '---:|').join('')}---:|`,
    ...runs.map(
      (run) =>
        `| ${run.memoryLimitMb ?? 'none'} | ${run.heapLimitMb} | ${scenarios.map((scenario) => cell(run, scenario)).join(' | ')} | ${run.peakMb} |`,
    ),
  ];
  return lines.join('\n');
}

/** The vendors as docs/benchmark.md's big-catalog table names them at the head of their rows. */
const VENDOR_NAMES: Record<string, string> = {
  trino: 'Trino',
  databricks: 'Databricks',
  snowflake: 'Snowflake',
  bigquery: 'BigQuery',
  athena: 'Athena',
};

/** What `npm run bench:big-catalog` writes (bench/big-catalog.ts). */
interface BigCatalogReport {
  peakGrowthBoundMb: number;
  results: {
    vendor: string;
    idleRssMb: number;
    peakGrowthMb: number;
    met: boolean;
    runs: { seconds: number; rssPeakMb: number }[];
  }[];
}

/**
 * The figures that end each vendor's row of docs/benchmark.md's big-catalog table, by the vendor's
 * name there, from the last run (bench/results/big-catalog-node20.json): one discovery's time,
 * RSS idle → the first run's peak, the highest peak over idle, and the bound. test/docs.test.ts
 * checks that the table shows them.
 */
export function bigCatalogFigures(file = `${RESULTS}big-catalog-node20.json`): Record<string, string> {
  const report = JSON.parse(readFileSync(file, 'utf8')) as BigCatalogReport;
  const mb = (value: number) => `${Math.round(value)} MB`;
  return Object.fromEntries(
    report.results.map(({ vendor, idleRssMb, peakGrowthMb, met, runs }) => {
      const seconds = runs.map((run) => run.seconds);
      const time = `${Math.min(...seconds).toFixed(1)}–${Math.max(...seconds).toFixed(1)} s`;
      const rss = `${Math.round(idleRssMb)} → ${mb(runs[0]?.rssPeakMb ?? 0)}`;
      const highest = `+${mb(peakGrowthMb)} (${mb(Math.max(...runs.map((run) => run.rssPeakMb)))})`;
      const bound = `≤ +${mb(report.peakGrowthBoundMb)}: ${met ? 'met' : 'not met'}`;
      return [VENDOR_NAMES[vendor] ?? vendor, `| ${time} | ${rss} | ${highest} | ${bound} |`];
    }),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(summaryTable());
  for (const [vendor, figures] of Object.entries(bigCatalogFigures())) console.log(`| ${vendor} … ${figures}`);
  for (const report of lastReports(RESULTS).filter((run) => run.memory)) {
    const peers = report.results.some((row) => row.peerRatio !== undefined) ? `${peersTable(report)}\n\n` : '';
    console.log(`\n${runName(report)}, ${report.date}\n\n${peers}${memoryTable(report)}`);
    if (report.bigList) console.log(`\n${bigListLine(report.bigList)}`);
    if (report.heapSizing) console.log(`\n${heapSizingTable(report.heapSizing)}`);
  }
}
