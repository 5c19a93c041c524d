/**
 * A connection's schema history in REST: GET …/{id}/schemas answers the latest snapshot of its
 * catalog (a weak ETag: its content hash; If-None-Match → 304), scanning it on the first call or with
 * ?refresh=true; GET …/{id}/schema-changes pages the changes scans found, newest first.
 */
import { SCHEMA_CHANGES_PAGE_DEFAULT } from '../graphql/entry.ts';
import { checkCursor, nextPageLink, sinceOf } from './audit-events.ts';
import { COLLECTION_PATH, type MutationResult, notFoundProblem, typedErrorProblem } from './database-connections.ts';
import { restSnapshotOf } from './discovery.ts';
import { type Caller, executeOperation, type RunOperation } from './operations.ts';
import { ProblemResponse } from './problem.ts';
import type { RestResponse } from './response.ts';

interface SnapshotResult {
  databaseConnection: {
    schemaSnapshot: MutationResult['result'] & {
      snapshot?: { contentHash: string };
    };
  } | null;
}

interface ChangesResult {
  databaseConnection: {
    schemaChanges: {
      edges: {
        node: { kind: string; path: string; before: string | null; after: string | null; detectedAt: string };
      }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  } | null;
}

export interface SchemaChangesQuery {
  since?: string;
  limit?: number;
  cursor?: string;
}

/**
 * The snapshot's entity tag: weak, since the body also carries scanned_at and row estimates, which
 * change while the catalog, and so the tag, stays the same.
 */
const entityTagOf = (contentHash: string) => `W/"${contentHash}"`;

/** An entity tag without its weakness: `W/"x"` and `"x"` are the same tag compared weakly. */
const opaqueTagOf = (tag: string) => tag.trim().replace(/^W\//, '');

/** Whether an If-None-Match header is `*` or names this entity tag, weak or strong: the weak comparison RFC 9110 asks of it. */
const matches = (ifNoneMatch: string | undefined, tag: string) =>
  ifNoneMatch?.split(',').some((given) => given.trim() === '*' || opaqueTagOf(given) === opaqueTagOf(tag));

export function createSchemaHistoryHandlers(run: RunOperation) {
  return {
    async schemas(
      caller: Caller,
      id: string,
      refresh: boolean,
      ifNoneMatch: string | undefined,
    ): Promise<RestResponse> {
      const data = await executeOperation<SnapshotResult>(run, 'schemaSnapshot', { id, refresh }, caller);
      if (!data.databaseConnection) throw new ProblemResponse(notFoundProblem(id));
      const result = data.databaseConnection.schemaSnapshot;
      if (!result.snapshot) throw typedErrorProblem(result);
      const headers = { etag: entityTagOf(result.snapshot.contentHash) };
      if (matches(ifNoneMatch, headers.etag)) return { status: 304, body: undefined, headers };
      return { status: 200, body: restSnapshotOf(result.snapshot), headers };
    },

    async schemaChanges(caller: Caller, id: string, query: SchemaChangesQuery): Promise<RestResponse> {
      const since = sinceOf(query.since);
      checkCursor(query.cursor);
      const variables = {
        id,
        first: query.limit ?? SCHEMA_CHANGES_PAGE_DEFAULT,
        after: query.cursor ?? null,
        since: since?.toISOString() ?? null,
      };
      const data = await executeOperation<ChangesResult>(run, 'schemaChanges', variables, caller);
      if (!data.databaseConnection) throw new ProblemResponse(notFoundProblem(id));
      const { edges, pageInfo } = data.databaseConnection.schemaChanges;
      const body = edges.map(({ node: { kind, detectedAt, ...change } }) => ({
        kind: kind.toLowerCase(),
        ...change,
        detected_at: detectedAt,
      }));
      const path = `${COLLECTION_PATH}/${encodeURIComponent(id)}/schema-changes`;
      return { status: 200, body, headers: nextPageLink(path, query, pageInfo) };
    },
  };
}
