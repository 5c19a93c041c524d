/** Reads of connections: one, a page, a count, a health history; answered from the read cache where it holds them. */

import type { HealthCheckRecord } from '../../connections/fields/health.ts';
import type { Position } from '../../connections/stored/cursor.ts';
import { checkedRow, checkedRowOrNull, isConnectionId } from '../../connections/stored/records.ts';
import type { ConnectionFilter, ConnectionRow } from '../../db/tables/connections.ts';
import type { Caller } from './dependencies.ts';
import { type ConnectionsKit, requireScope, visible, visibleTo } from './kit.ts';

/** A page of the list: the rows, and whether there are more on either side. */
export interface Page {
  rows: ConnectionRow[];
  hasPreviousPage: boolean;
  hasNextPage: boolean;
}

export interface PageOptions {
  filter: ConnectionFilter;
  after?: Position;
  before?: Position;
  /** How many rows, at most. */
  size: number;
  /** From the end backwards (`last`/`before`); the rows still come in list order. */
  fromEnd: boolean;
}

async function page({ cache, store }: ConnectionsKit, caller: Caller, options: PageOptions): Promise<Page> {
  const { filter, after, before, size, fromEnd } = options;
  // One row more than asked for says whether there are more.
  const request = { filter: visibleTo(caller, filter), after, before, take: size + 1, backwards: fromEnd };
  const rows = await cache.page(request, caller.fresh === true, async () =>
    (await store.page(request)).map(checkedRow),
  );
  const more = rows.length > size;
  const shown = rows.slice(0, size);
  if (fromEnd) shown.reverse();
  return { rows: shown, hasPreviousPage: fromEnd ? more : false, hasNextPage: fromEnd ? false : more };
}

export function connectionReads(kit: ConnectionsKit) {
  const { cache, store } = kit;
  return {
    /** The connection with this id, or null (also when the caller may not see it); from the read cache where it holds it. */
    get: async (caller: Caller, id: string) =>
      visible(
        caller,
        isConnectionId(id)
          ? await cache.row(id, caller.fresh === true, async () => checkedRowOrNull(await store.byId(id)))
          : null,
      ),

    /** A page of the connections the caller sees, oldest first. */
    page: (caller: Caller, options: PageOptions) => page(kit, caller, options),

    /** How many connections the caller sees match the filter. */
    count(caller: Caller, filter: ConnectionFilter) {
      const visibleFilter = visibleTo(caller, filter);
      return cache.count(visibleFilter, caller.fresh === true, () => store.count(visibleFilter));
    },

    /** How reads were answered: from the cache, from the database, or past it. */
    readCacheStats: () => cache.stats(),

    /** The connection's last scheduled health checks, oldest first (read apart: pages do not carry them). */
    async healthHistory(caller: Caller, row: ConnectionRow): Promise<HealthCheckRecord[]> {
      requireScope(caller, 'connections:read', row.workspace);
      return JSON.parse((await store.healthHistoryOf(row.id)) ?? '[]') as HealthCheckRecord[];
    },

    /** One row for each encryption key the stored ciphertexts name, to check at start that none is missing. */
    rowsOfEachKey: () => store.oneRowPerKey(),
  };
}
