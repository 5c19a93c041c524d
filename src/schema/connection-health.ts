/** The health of a connection, from its last check (scheduled, or a tested write): its GraphQL type and status enum. */
import { builder } from '../builder.ts';
import { HEALTH_STATUSES, type HealthStatus } from '../connections/fields/health.ts';
import type { TestFailure } from '../connectivity/errors.ts';
import { TestFailureType } from './test-failure.ts';

export const HealthStatusEnum = builder.enumType('HealthStatus', {
  values: Object.fromEntries(HEALTH_STATUSES.map((status) => [status.toUpperCase(), { value: status }])) as Record<
    Uppercase<HealthStatus>,
    { value: HealthStatus }
  >,
});

/** A connection's health as ConnectionHealth shows it. */
export interface Health {
  status: HealthStatus;
  checkedAt: Date | null;
  latencyMs: number | null;
  error: TestFailure | null;
}

export const ConnectionHealthType = builder.objectRef<Health>('ConnectionHealth').implement({
  description: 'The last health check of a connection: scheduled, or the test of the write that saved it.',
  fields: (t) => ({
    status: t.field({ type: HealthStatusEnum, resolve: (health) => health.status }),
    checkedAt: t.field({ type: 'DateTime', nullable: true, resolve: (health) => health.checkedAt }),
    latencyMs: t.exposeInt('latencyMs', { nullable: true }),
    error: t.field({ type: TestFailureType, nullable: true, resolve: (health) => health.error }),
  }),
});
