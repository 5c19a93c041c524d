/** The last scheduled health checks of a connection, oldest first: a field of DatabaseConnection. */
import { builder } from '../builder.ts';
import { HEALTH_HISTORY_LENGTH, type HealthCheckRecord } from '../connections/fields/health.ts';
import { HealthStatusEnum } from './connection-health.ts';
import { DatabaseConnection } from './database-connection.ts';

const HealthCheckType = builder.objectRef<HealthCheckRecord>('HealthCheck').implement({
  description: 'One scheduled health check.',
  fields: (t) => ({
    at: t.field({ type: 'DateTime', resolve: (check) => new Date(check.at) }),
    status: t.field({ type: HealthStatusEnum, resolve: (check) => check.status }),
    latencyMs: t.exposeInt('latencyMs'),
    errorCode: t.exposeString('errorCode', { nullable: true, description: 'Why it failed, as a test failure’s code.' }),
  }),
});

builder.objectField(DatabaseConnection, 'healthHistory', (t) =>
  t.field({
    type: [HealthCheckType],
    description: `The last ${HEALTH_HISTORY_LENGTH} scheduled health checks, oldest first.`,
    resolve: (row, _args, { connections, caller }) => connections.healthHistory(caller, row),
  }),
);
