/**
 * Scheduled health checks: every testable connection is tested once per
 * HEALTH_CHECK_INTERVAL_S, its checks spread over the interval (each connection
 * keeps its own rhythm, from when it was first scheduled), at most as many at a
 * time as one API key may run tests, with backoff while a connection keeps
 * failing. With several instances on one database, a lease in the row (taken by
 * a conditional update) lets one instance check each connection per interval.
 */
import { createHash } from 'node:crypto';
import { testStoredConnection } from '../connections/references.ts';
import type { Connectivity, TestResult } from '../connectivity/connectivity.ts';
import { DialectNotTestableError, TooManyTestsError } from '../connectivity/errors.ts';
import type { Prisma } from '../db/client.ts';
import { type ConnectionEvents, connectionEvent } from '../events/connection-events.ts';
import type { Logger } from '../logger.ts';
import type { ConnectionSecrets } from '../secrets/connection-secrets.ts';
import type { SecretReferences } from '../secrets/references.ts';

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

interface Services {
  prisma: Prisma;
  secrets: ConnectionSecrets;
  references: SecretReferences;
  connectivity: Connectivity;
  events: ConnectionEvents;
  logger: Logger;
}

/** The API key name scheduled tests count against. */
const HEALTH_CHECK_KEY = 'health-check';
/** How often the scheduler looks for connections due. */
const TICK_MS = 500;
/** A connection failing again and again is checked every interval, then every 2, then 4 at most. */
const MAX_BACKOFF = 4;

/** Where in the interval a connection is first checked: the same place whichever instance asks. */
const offsetOf = (id: string, intervalMs: number) =>
  createHash('sha256').update(id).digest().readUInt32BE(0) % Math.max(intervalMs, 1);

export function startHealthChecks(settings: HealthCheckSettings, services: Services): HealthChecker {
  const { prisma, logger } = services;
  const leaseMs = settings.timeoutMs * 2 + 5_000;
  let running = 0;
  let stopped = false;
  const inFlight = new Set<Promise<void>>();

  async function check(id: string) {
    const row = await prisma.databaseConnection.findUnique({ where: { id } });
    if (!row) return;
    const started = performance.now();
    let result: TestResult;
    try {
      result = await testStoredConnection(services.connectivity, row, services, HEALTH_CHECK_KEY);
    } catch (error) {
      if (error instanceof TooManyTestsError) {
        // Tests asked for over the API come first: this check waits its turn, its status as it was.
        await prisma.databaseConnection.updateMany({
          where: { id },
          data: { healthLeaseUntil: null, healthNextAt: new Date(Date.now() + 1_000) },
        });
        return;
      }
      if (error instanceof DialectNotTestableError) {
        result = { ok: false, latencyMs: 0, serverVersion: null, error: null };
      } else {
        // Refused by the network rules: a failed check, said as such.
        const message = error instanceof Error ? error.message : String(error);
        result = { ok: false, latencyMs: 0, serverVersion: null, error: { code: 'connection_failed', message } };
      }
    }
    const status = result.ok ? 'ok' : result.error === null ? 'not_testable' : 'failing';
    const failures = status === 'failing' ? row.healthFailures + 1 : 0;
    const backoff = Math.min(2 ** Math.max(failures - 1, 0), MAX_BACKOFF);
    const now = new Date();
    const update = prisma.databaseConnection.updateMany({
      // Only if it did not change meanwhile: a changed connection waits for its own check.
      where: { id, version: row.version },
      data: {
        healthStatus: status,
        healthCheckedAt: now,
        healthLatencyMs: Math.round(result.latencyMs || performance.now() - started),
        healthErrorCode: result.error?.code ?? null,
        healthErrorMessage: result.error?.message ?? null,
        healthFailures: failures,
        healthChecks: { increment: 1 },
        healthNextAt: new Date(now.getTime() + settings.intervalMs * backoff),
        healthLeaseUntil: null,
      },
    });
    if (status === row.healthStatus) {
      await update;
      return;
    }
    await services.events.commit(prisma, connectionEvent('health_changed', id), update);
  }

  /** Takes the connections due, as many as there is room for, each by a lease no other instance can take. */
  async function claim(room: number): Promise<string[]> {
    const now = new Date();
    const due = await prisma.databaseConnection.findMany({
      where: {
        OR: [{ healthNextAt: null }, { healthNextAt: { lte: now } }],
        AND: [{ OR: [{ healthLeaseUntil: null }, { healthLeaseUntil: { lt: now } }] }],
      },
      select: { id: true, healthNextAt: true, healthLeaseUntil: true },
      orderBy: { healthNextAt: 'asc' },
      take: room,
    });
    const claimed: string[] = [];
    for (const row of due) {
      if (row.healthNextAt === null) {
        // Never scheduled (stored before health checks existed): given its place in the interval.
        await prisma.databaseConnection.updateMany({
          where: { id: row.id, healthNextAt: null },
          data: { healthNextAt: new Date(now.getTime() + offsetOf(row.id, settings.intervalMs)) },
        });
        continue;
      }
      const { count } = await prisma.databaseConnection.updateMany({
        where: { id: row.id, healthLeaseUntil: row.healthLeaseUntil },
        data: { healthLeaseUntil: new Date(now.getTime() + leaseMs) },
      });
      if (count === 1) claimed.push(row.id);
    }
    return claimed;
  }

  async function tick() {
    const room = settings.concurrency - running;
    if (stopped || room <= 0) return;
    for (const id of await claim(room)) {
      running++;
      const work = check(id)
        .catch((error: unknown) => logger.error({ err: error, connectionId: id }, 'a health check failed to run'))
        .finally(() => {
          running--;
          inFlight.delete(work);
        });
      inFlight.add(work);
    }
  }

  let ticking = false;
  const timer = setInterval(() => {
    if (ticking) return;
    ticking = true;
    tick()
      .catch((error: unknown) => logger.warn({ err: error }, 'looking for connections to check failed'))
      .finally(() => {
        ticking = false;
      });
  }, TICK_MS);
  timer.unref();

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.all(inFlight);
    },
  };
}
