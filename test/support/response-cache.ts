/** What the response cache's tests share: a caller of the service, its kept-result hits, the reveals recorded. */
import type { RunningService } from '../../src/service.ts';
import { clientFor } from './service.ts';
import { until } from './until.ts';

/** REST and GraphQL requests of the service (`service()`, read when asked) with API key `key`. */
export function callerOf(service: () => RunningService, key: string) {
  const headers = { authorization: `Bearer ${key}` };
  return {
    rest: (method: string, path: string, body?: unknown) =>
      clientFor(service().url).request(method, path, body, headers),
    gql: (query: string, variables: Record<string, unknown> = {}) =>
      clientFor(service().url).request('POST', '/graphql', { query, variables }, headers),
  };
}

export type Caller = ReturnType<typeof callerOf>;

/** Results answered whole from memory so far, as /metrics counts them (`admin` may read it). */
export async function resultHits(admin: Caller): Promise<number> {
  const text = (await admin.rest('GET', '/metrics')).text;
  return Number(/^read_cache_result_hits_total (\d+)/m.exec(text)?.[1] ?? 0);
}

/** Waits until the service keeps results: only once it hears change events. */
export async function untilKeeping(admin: Caller): Promise<void> {
  await until(
    async () => {
      await admin.gql('{ databaseConnections(first: 1) { totalCount } }');
      return resultHits(admin);
    },
    (count) => count > 0,
    5_000,
  );
}

/** How many reveals of the connection the audit trail records (`admin` may read it). */
export async function revealsRecorded(admin: Caller, id: string): Promise<number> {
  const events = (await admin.rest('GET', `/api/v1/audit-events?connection_id=${id}`)).body as { action: string }[];
  return events.filter((event) => event.action === 'reveal').length;
}
