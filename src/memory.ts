/**
 * The process's memory: how big V8 may let its heap grow, and giving back what starting took.
 *
 * The heap is sized only where a limit is known: MEMORY_LIMIT_MB, else the memory limit of the
 * container (its cgroup). Without one, V8 sizes the heap from the machine's memory, as Node.js
 * does by default, and nothing is capped: a cap costs throughput (docs/benchmark.md, "Sizing the
 * heap"), which only a limit that would otherwise end the process is worth.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from './logger.ts';

export interface MemoryLimit {
  mb: number;
  /** Where it comes from: the setting, or the container's cgroup. */
  source: 'MEMORY_LIMIT_MB' | 'cgroup';
}

/** Where Linux shows a cgroup's memory limit: cgroup v2, then v1. */
export const CGROUP_ROOT = '/sys/fs/cgroup';
const CGROUP_LIMIT_FILES = ['memory.max', 'memory/memory.limit_in_bytes'];

/**
 * The memory limit of this process's cgroup, in MB; undefined when there is none: no file, v2's
 * `max`, or v1's "no limit" (a number near 2^63), or any limit at or above the machine's memory.
 */
export function cgroupLimitMb(root = CGROUP_ROOT): number | undefined {
  for (const file of CGROUP_LIMIT_FILES) {
    let text: string;
    try {
      text = readFileSync(`${root}/${file}`, 'utf8').trim();
    } catch {
      continue;
    }
    const bytes = Number(text);
    if (!Number.isFinite(bytes) || bytes <= 0 || bytes >= os.totalmem()) return undefined;
    return Math.floor(bytes / 2 ** 20);
  }
  return undefined;
}

/** The limit the heap is sized to: the setting, else the container's; undefined: none known. */
export function memoryLimit(setting: number | undefined, cgroupRoot = CGROUP_ROOT): MemoryLimit | undefined {
  if (setting !== undefined) return { mb: setting, source: 'MEMORY_LIMIT_MB' };
  const cgroup = cgroupLimitMb(cgroupRoot);
  return cgroup === undefined ? undefined : { mb: cgroup, source: 'cgroup' };
}

/**
 * V8's old generation gets three quarters of the limit; the rest is for what is not in it: the
 * young generation, compiled code, Prisma's query compiler, buffers, Node.js itself.
 */
export const oldSpaceMb = (limit: MemoryLimit) => Math.floor(limit.mb * 0.75);

const OLD_SPACE_FLAG = '--max-old-space-size';

/** Whether the process was started with its own old-space size (command line or NODE_OPTIONS): that one is kept. */
function hasOldSpaceFlag(): boolean {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return given.some((option) => option.startsWith(OLD_SPACE_FLAG) || option.startsWith('--max_old_space_size'));
}

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

export type HeapSizing =
  /** No limit known: V8's own sizing. */
  | { outcome: 'unlimited' }
  /** The process runs with an old-space size: this code's, after starting again, or the operator's. */
  | { outcome: 'sized'; limit: MemoryLimit }
  /** A limit is known, but this Node.js cannot start itself again: NODE_OPTIONS says how. */
  | { outcome: 'cannot'; limit: MemoryLimit; nodeOptions: string };

/**
 * Sizes the heap to the limit, if one is known and the process was not given its own size. V8
 * sizes its heap once, as the process starts: on a Node.js that has process.execve (22.15 and
 * later), the process starts itself again in place (the same pid) with the flag, and this call
 * does not return; on one without (Node.js 20), it can only say which NODE_OPTIONS to start with.
 */
export function sizeHeap(limit: MemoryLimit | undefined): HeapSizing {
  if (!limit) return { outcome: 'unlimited' };
  if (hasOldSpaceFlag()) return { outcome: 'sized', limit };
  const flag = `${OLD_SPACE_FLAG}=${oldSpaceMb(limit)}`;
  const execve = (process as { execve?: Execve }).execve;
  if (!execve) return { outcome: 'cannot', limit, nodeOptions: flag };
  return execve(process.execPath, [process.execPath, flag, ...process.execArgv, ...process.argv.slice(1)], process.env);
}

/** What the start-up log says of the heap's size. */
export function logHeapSizing(sizing: HeapSizing, logger: Logger): void {
  const heap = { heapLimitMb: heapLimitMb() };
  if (sizing.outcome === 'unlimited') {
    logger.info(heap, 'heap sized by V8 from the machine: no MEMORY_LIMIT_MB and no container memory limit');
    return;
  }
  const limit = { memoryLimitMb: sizing.limit.mb, memoryLimitFrom: sizing.limit.source };
  if (sizing.outcome === 'sized') logger.info({ ...limit, ...heap }, 'heap sized to the memory limit');
  else
    logger.warn(
      { ...limit, ...heap },
      `this Node.js cannot size its heap to the memory limit once started: start it with NODE_OPTIONS=${sizing.nodeOptions}`,
    );
}

/** The heap's limit in this process as V8 holds it, in MB (both generations). */
export const heapLimitMb = () => Math.round(v8.getHeapStatistics().heap_size_limit / 2 ** 20);

/**
 * One collection that gives back to the system what starting took. Loading the schema, the
 * libraries and the query compiler grows V8's young generation to its largest size (32–64 MB
 * on a machine with much memory), which it then keeps while idle. A collection asked to reduce
 * memory (what V8 does when memory runs short) shrinks it again; under load it grows back as V8
 * decides. V8 versions whose gc() has no such option (Node.js 20's) run a full collection.
 */
export function releaseStartupMemory(): void {
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (options: object) => void;
  v8.setFlagsFromString('--no-expose-gc');
  gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}
