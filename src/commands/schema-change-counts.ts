/**
 * How many schema changes of each kind this instance's scans found, by workspace: what /metrics
 * shows as schema_changes_detected_total. Kept in memory (a counter of the instance, as Prometheus
 * counts); the scans add to it and a workspace's rename moves its counts to the new name, so that
 * they stay the renamed workspace's and a workspace later given the old name starts from none.
 */
import type { SchemaChangeFound, SchemaChangeKind } from '../schema-history/kinds.ts';

/** The counts by workspace, then by kind. */
export type SchemaChangeCounts = ReadonlyMap<string, ReadonlyMap<SchemaChangeKind, number>>;

export function schemaChangeCounts() {
  const counts = new Map<string, Map<SchemaChangeKind, number>>();
  return {
    /** Counts the changes a scan of a connection of `workspace` found. */
    add(workspace: string, changes: SchemaChangeFound[]): void {
      const ofWorkspace = counts.get(workspace) ?? new Map<SchemaChangeKind, number>();
      for (const { kind } of changes) ofWorkspace.set(kind, (ofWorkspace.get(kind) ?? 0) + 1);
      counts.set(workspace, ofWorkspace);
    },
    /**
     * The counts of `from` become those of `to`. Any left under `to` were of a workspace of that name
     * since deleted or renamed away: they are not the renamed one's, so they go.
     */
    moveWorkspace(from: string, to: string): void {
      const moved = counts.get(from);
      counts.delete(from);
      if (moved) counts.set(to, moved);
      else counts.delete(to);
    },
    /** The counts so far (they only grow, but for a rename). */
    read: (): SchemaChangeCounts => counts,
  };
}

export type SchemaChangeCounter = ReturnType<typeof schemaChangeCounts>;
