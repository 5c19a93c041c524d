/**
 * GET /api/v1/audit-events: the audit trail, newest first, a page at a time,
 * through the auditEvents GraphQL query; the next page is in the Link header.
 */
import { DateTimeResolver } from 'graphql-scalars';
import { AUDIT_PAGE_DEFAULT, isNumberedCursor } from '../graphql/entry.ts';
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

/**
 * The `?since=` query parameter as a moment; bad input unless it is a date and time as GraphQL's
 * DateTime reads one (RFC 3339: a four-digit year, a time and its offset), by the same library's rule.
 */
export function sinceOf(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  try {
    return DateTimeResolver.parseValue(text) as Date;
  } catch {
    throw invalidInput(
      [{ field: 'since', message: 'must be a date and time with its offset (RFC 3339), such as 2026-12-07T10:00:00Z' }],
      'query parameter since',
    );
  }
}

/** The `?cursor=` query parameter of a page of numbered rows: bad input unless it is of the form the pages give. */
export function checkCursor(cursor: string | undefined): void {
  if (cursor !== undefined && !isNumberedCursor(cursor)) {
    throw invalidInput([{ field: 'cursor', message: 'is not a cursor this API returned' }], 'query parameter cursor');
  }
}

/** The Link header of the next page, when there is one: the same query, from the page's last cursor. */
export function nextPageLink(
  path: string,
  query: object,
  { hasNextPage, endCursor }: { hasNextPage: boolean; endCursor: string | null },
): Record<string, string> {
  if (!hasNextPage || !endCursor) return {};
  const given = Object.entries(query).filter(([, value]) => value !== undefined);
  const next = new URLSearchParams({
    ...Object.fromEntries(given.map(([name, value]) => [name, String(value)])),
    cursor: endCursor,
  });
  return { link: `<${path}?${next}>; rel="next"` };
}

export function createAuditEventHandlers(run: RunOperation) {
  return {
    async auditEvents(caller: Caller, query: AuditQuery): Promise<RestResponse> {
      const since = sinceOf(query.since);
      const filter = {
        ...(query.connection_id && { connectionId: query.connection_id }),
        ...(query.action && { action: query.action.toUpperCase() }),
        ...(since && { since: since.toISOString() }),
      };
      checkCursor(query.cursor);
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
      return { status: 200, body, headers: nextPageLink(AUDIT_EVENTS_PATH, query, data.page.pageInfo) };
    },
  };
}
