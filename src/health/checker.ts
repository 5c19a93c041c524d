/**
 * Scheduled health checks: every connection is tested once per HEALTH_CHECK_INTERVAL_S, its
 * checks spread over the interval (each connection keeps its own rhythm, from when it was first
 * scheduled), at most as many at a time as one API key may run tests, with backoff while a
 * connection keeps failing. With several instances on one database, a lease in the row lets one
 * instance check each connection per interval. This module keeps the schedule; the connections
 * service claims, tests and records (src/commands/connections/health-records.ts).
 */
import type { ConnectionsService } from '../commands/connections/service.ts';
import type { Logger } from '../logger.ts';

export interface HealthCheckSettings {
  intervalMs: number;
  /** How many checks run at once in this instance (the per-key limit on tests). */
  concurrency: number;
  /** A check's own time limit; the lease outlasts it. */
  timeoutMs: number;
}

export interface HealthChecker {
  stop(): Promise<void>;
}

/** How often the scheduler looks for connections due. */
const TICK_MS = 500;

export function startHealthChecks(
  settings: HealthCheckSettings,
  { connections, logger }: { connections: ConnectionsService; logger: Logger },
): HealthChecker {
  const schedule = { intervalMs: settings.intervalMs, leaseMs: settings.timeoutMs * 2 + 5_000 };
  let running = 0;
  let stopped = false;
  const inFlight = new Set<Promise<void>>();

  async function tick() {
    const room = settings.concurrency - running;
    if (stopped || room <= 0) return;
    for (const id of await connections.health.claimDue(room, schedule)) {
      running++;
      const work = connections.health
        .check(id, schedule)
        .catch((error: unknown) => logger.error({ err: error, connectionId: id }, 'a health check failed to run'))
        .finally(() => {
          running--;
          inFlight.delete(work);
          // Its place is taken at once: checks that end quickly must not wait for the next tick,
          // or a few thousand connections could not all be checked within one interval.
          tickOnce();
        });
      inFlight.add(work);
    }
  }

  let ticking = false;
  function tickOnce() {
    if (ticking) return;
    ticking = true;
    tick()
      .catch((error: unknown) => logger.warn({ err: error }, 'looking for connections to check failed'))
      .finally(() => {
        ticking = false;
      });
  }
  const timer = setInterval(tickOnce, TICK_MS);
  timer.unref();

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.all(inFlight);
    },
  };
}
