/**
 * GET /api/v1/audit-events: the audit trail, newest first, a page at a time,
 * through the auditEvents GraphQL query; the next page is in the Link header.
 */
import { AUDIT_PAGE_DEFAULT, isAuditCursor } from '../graphql/entry.ts';
import { type Caller, executeOperation, type RunOperation } from './operations.ts';
import { invalidInput } from './problem.ts';
import type { RestResponse } from './response.ts';

export const AUDIT_EVENTS_PATH = '/api/v1/audit-events';

interface AuditPage {
  page: {
    edges: { node: Record<string, unknown> }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

/** The REST names of an event's fields. */
const REST_NAMES: Record<string, string> = {
  actorId: 'actor_id',
  connectionId: 'connection_id',
  requestId: 'request_id',
};

export interface AuditQuery {
  connection_id?: string;
  action?: string;
  since?: string;
  limit?: number;
  cursor?: string;
}

export function createAuditEventHandlers(run: RunOperation) {
  return {
    async auditEvents(caller: Caller, query: AuditQuery): Promise<RestResponse> {
      const since = query.since === undefined ? undefined : new Date(query.since);
      // A year of four digits, as the DateTime GraphQL takes it writes one: JavaScript reads years up to 275760.
      if (since !== undefined && !/^\d{4}-/.test(Number.isNaN(since.getTime()) ? '' : since.toISOString())) {
        throw invalidInput(
          [{ field: 'since', message: 'must be a date and time (ISO 8601)' }],
          'query parameter since',
        );
      }
      const filter = {
        ...(query.connection_id && { connectionId: query.connection_id }),
        ...(query.action && { action: query.action.toUpperCase() }),
        ...(since && { since: since.toISOString() }),
      };
      if (query.cursor !== undefined && !isAuditCursor(query.cursor)) {
        throw invalidInput(
          [{ field: 'cursor', message: 'is not a cursor this API returned' }],
          'query parameter cursor',
        );
      }
      const variables = { first: query.limit ?? AUDIT_PAGE_DEFAULT, after: query.cursor ?? null, filter };
      const data = await executeOperation<AuditPage>(run, 'auditEvents', variables, caller);
      const body = data.page.edges.map(({ node }) =>
        Object.fromEntries(
          Object.entries(node).map(([name, value]) => [
            REST_NAMES[name] ?? name,
            name === 'action' ? String(value).toLowerCase() : value,
          ]),
        ),
      );
      const { hasNextPage, endCursor } = data.page.pageInfo;
      const headers: Record<string, string> = {};
      if (hasNextPage && endCursor) {
        const next = new URLSearchParams({
          ...Object.fromEntries(
            Object.entries(query)
              .filter(([, value]) => value !== undefined)
              .map(([name, value]) => [name, String(value)]),
          ),
          cursor: endCursor,
        });
        headers.link = `<${AUDIT_EVENTS_PATH}?${next}>; rel="next"`;
      }
      return { status: 200, body, headers };
    },
  };
}
