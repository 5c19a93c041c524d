/**
 * The health of a connection: what its last check said (a scheduled one, or the test of the write
 * that saved it), kept in its row's health_* columns.
 */
import type { TestResult } from '../../connectivity/connectivity.ts';
import { readOnly, type ValueKind } from './values.ts';

export const HEALTH_STATUSES = ['ok', 'failing', 'unknown', 'not_testable'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

/** A test's result as a health status: a failure it cannot name is a dialect it cannot test. */
export const statusOfTest = (result: TestResult): HealthStatus =>
  result.ok ? 'ok' : result.error === null ? 'not_testable' : 'failing';

/** How many scheduled checks a connection's history keeps: the last ones, oldest first. */
export const HEALTH_HISTORY_LENGTH = 20;

/** One scheduled check, as the history keeps it. */
export interface HealthCheckRecord {
  at: string;
  status: HealthStatus;
  latencyMs: number;
  errorCode: string | null;
}

/** The history as stored (JSON text of a row's health_history) with a check added, the oldest dropped past the length. */
export function historyWith(stored: string, check: HealthCheckRecord): string {
  const history = JSON.parse(stored) as HealthCheckRecord[];
  return JSON.stringify([...history, check].slice(-HEALTH_HISTORY_LENGTH));
}

interface HealthReport {
  status: HealthStatus;
  checkedAt: Date | null;
  latencyMs: number | null;
  error: { code: string; message: string } | null;
}

/** The last health check of a connection, kept in its row's health_* columns; read only. */
export function healthReport(): ValueKind {
  const nullable = (type: string) => ({ type: [type, 'null'] });
  return {
    ...readOnly('ConnectionHealth', {
      type: 'object',
      additionalProperties: false,
      required: ['status', 'checked_at', 'latency_ms', 'error'],
      properties: {
        status: { type: 'string', enum: HEALTH_STATUSES },
        checked_at: { ...nullable('string'), format: 'date-time' },
        latency_ms: nullable('integer'),
        error: {
          oneOf: [
            { type: 'null' },
            {
              type: 'object',
              additionalProperties: false,
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' } },
            },
          ],
        },
      },
    }),
    derive: (row): HealthReport => ({
      status: row.healthStatus as HealthStatus,
      checkedAt: (row.healthCheckedAt as Date | null) ?? null,
      latencyMs: (row.healthLatencyMs as number | null) ?? null,
      error: row.healthErrorCode
        ? { code: row.healthErrorCode as string, message: (row.healthErrorMessage as string) ?? '' }
        : null,
    }),
    selection: '{ status checkedAt latencyMs error { code message } }',
    toRest: (value) => {
      const { status, checkedAt, latencyMs, error } = value as HealthReport;
      return { status: String(status).toLowerCase(), checked_at: checkedAt, latency_ms: latencyMs, error };
    },
  };
}
