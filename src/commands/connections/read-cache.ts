/**
 * The read cache of connections: rows by id, and the pages and counts of lists, kept in this
 * process (lru-cache, bounded in entries, bytes and time) and never wrong. Every committed change
 * reaches it through the change events (src/events): the row it names is forgotten, and every
 * list, since any change may add a row to a list, take one out or move one. While the changes
 * of other processes are not heard (the listener broke), it holds nothing and answers nothing.
 *
 * A read that was under way while a change was told may have read the row as it was before:
 * it is answered, but not kept (each change moves `generation` on, and a read keeps what it read
 * only if no change came since it started).
 *
 * It keeps rows as stored: secrets encrypted, and masked copies. What depends on the caller (its
 * workspaces, its scopes, a reveal) is checked on every read, on top of it; a list is kept under
 * the workspaces its caller sees.
 */
import { LRUCache } from 'lru-cache';
import type { ConnectionRow } from '../../db/tables/connections.ts';
import type { ChangeWatcher } from '../../events/connection-events.ts';
import { EVERY_CONNECTION } from '../../events/connection-events.ts';

export interface ReadCacheSettings {
  /** How many entries (rows, pages, counts) at most; 0 turns the cache off. */
  maxEntries: number;
  /** How many bytes of rows at most, as bytesOf estimates them. */
  maxBytes: number;
  /** How long an entry is answered at most, changed or not (a bound on what no event tells). */
  ttlMs: number;
}

/** How a read was answered, counted for /metrics and the bench. */
export interface ReadCacheStats {
  hits: number;
  misses: number;
  /** Read from the database without looking: asked so (Cache-Control: no-cache), or not hearing changes. */
  bypassed: number;
  entries: number;
  bytes: number;
}

type Entry = { row: ConnectionRow } | { rows: ConnectionRow[] } | { count: number };

/**
 * What an entry weighs in memory, about: a row's columns (text, numbers, dates) with what V8 spends
 * around each (a property, a string's header, a Date object), measured close enough on Node.js 20.
 */
function bytesOf(entry: Entry): number {
  const rows = 'row' in entry ? [entry.row] : 'rows' in entry ? entry.rows : [];
  let bytes = 64;
  for (const row of rows) {
    bytes += 64;
    for (const value of Object.values(row)) bytes += typeof value === 'string' ? value.length + 32 : 48;
  }
  return bytes;
}

export interface ReadCache extends ChangeWatcher {
  /** Whether it keeps anything (a bound of 0 entries turns it off). */
  enabled: boolean;
  row(id: string, fresh: boolean, load: () => Promise<ConnectionRow | null>): Promise<ConnectionRow | null>;
  /** The row kept under this id, if any, without reading the database or counting a read (a write's starting point). */
  held(id: string): ConnectionRow | undefined;
  page(key: unknown, fresh: boolean, load: () => Promise<ConnectionRow[]>): Promise<ConnectionRow[]>;
  count(key: unknown, fresh: boolean, load: () => Promise<number>): Promise<number>;
  stats(): ReadCacheStats;
}

/** What one read cache holds and knows, made once with it. */
interface State {
  readonly enabled: boolean;
  readonly entries: LRUCache<string, Entry>;
  /** The keys of pages and counts: any change forgets them all. */
  readonly lists: Set<string>;
  /** Moved on by every change told. */
  generation: number;
  /** Whether the changes of other processes are heard. */
  heard: boolean;
  readonly counted: { hits: number; misses: number; bypassed: number };
}

/** The entry under `key`, or what `load` reads, kept if no change came meanwhile. */
async function read<T>(
  state: State,
  key: string,
  fresh: boolean,
  load: () => Promise<T>,
  wrap: (value: T) => Entry | null,
) {
  const { entries, counted } = state;
  if (!state.enabled || !state.heard || fresh) {
    counted.bypassed++;
    return { loaded: await load() };
  }
  const kept = entries.get(key);
  if (kept) {
    counted.hits++;
    return { kept };
  }
  counted.misses++;
  const started = state.generation;
  const loaded = await load();
  const entry = wrap(loaded);
  if (entry && started === state.generation && state.heard) {
    entries.set(key, entry);
    if (!key.startsWith('row:')) state.lists.add(key);
  }
  return { loaded };
}

export function createReadCache(settings: ReadCacheSettings): ReadCache {
  const lists = new Set<string>();
  const entries = new LRUCache<string, Entry>({
    max: Math.max(settings.maxEntries, 1),
    maxSize: Math.max(settings.maxBytes, 1),
    sizeCalculation: bytesOf,
    ttl: settings.ttlMs,
    dispose: (_entry, key) => lists.delete(key),
  });
  const counted = { hits: 0, misses: 0, bypassed: 0 };
  const state: State = { enabled: settings.maxEntries > 0, entries, lists, generation: 0, heard: false, counted };

  return {
    enabled: state.enabled,
    async row(id, fresh, load) {
      const { kept, loaded } = await read(state, `row:${id}`, fresh, load, (row) => (row ? { row } : null));
      return kept && 'row' in kept ? kept.row : (loaded ?? null);
    },
    held(id) {
      if (!state.enabled || !state.heard) return undefined;
      const kept = entries.get(`row:${id}`);
      return kept && 'row' in kept ? kept.row : undefined;
    },
    async page(key, fresh, load) {
      const { kept, loaded } = await read(state, `page:${JSON.stringify(key)}`, fresh, load, (rows) => ({ rows }));
      return kept && 'rows' in kept ? kept.rows : (loaded as ConnectionRow[]);
    },
    async count(key, fresh, load) {
      const { kept, loaded } = await read(state, `count:${JSON.stringify(key)}`, fresh, load, (count) => ({ count }));
      return kept && 'count' in kept ? kept.count : (loaded as number);
    },
    changed(connectionId) {
      state.generation++;
      if (connectionId === EVERY_CONNECTION) entries.clear();
      else {
        entries.delete(`row:${connectionId}`);
        // Any change may add a row to a list, take one out or move one.
        for (const key of [...lists]) entries.delete(key);
      }
    },
    hearing(now) {
      state.generation++;
      state.heard = now;
      // What was kept may have changed unheard: start again from nothing.
      entries.clear();
    },
    stats: () => ({ ...counted, entries: entries.size, bytes: entries.calculatedSize }),
  };
}
