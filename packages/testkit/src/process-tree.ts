import { readdirSync, lstatSync, readlinkSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { commandLineOf, processStat } from '@shadowdiff/local-infra';

interface Seen {
  pid: number;
  /** Start time in clock ticks, so a reused pid is not taken for the process that was seen. */
  startTicks: number;
  command: string;
}

function descendants(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const info = processStat(pid);
    if (!info) continue;
    parents.set(info.ppid, [...(parents.get(info.ppid) ?? []), pid]);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of parents.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** The processes `parent` started directly, with their command lines. */
export function childrenOf(parent: number): { pid: number; command: string }[] {
  return readdirSync('/proc')
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && processStat(pid)?.ppid === parent)
    .map((pid) => ({ pid, command: commandLineOf(pid) ?? '?' }));
}

export interface ProcessTreeWatch {
  /** Every process seen under the root so far. */
  seen(): Seen[];
  /** Those of them still running (same pid and start time). */
  stillRunning(): Seen[];
  stop(): void;
}

/**
 * Watches the processes a process starts (children, grandchildren: servers, workers), sampling
 * every `everyMs`, so a test can check afterwards that none outlived it.
 */
export function watchProcessTree(root: number, everyMs = 100): ProcessTreeWatch {
  const seen = new Map<string, Seen>();
  const sample = (): void => {
    for (const pid of descendants(root)) {
      const info = processStat(pid);
      if (info && !seen.has(`${pid}:${info.startTicks}`)) seen.set(`${pid}:${info.startTicks}`, { pid, startTicks: info.startTicks, command: commandLineOf(pid) ?? '?' });
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    seen: () => [...seen.values()],
    stillRunning: () =>
      [...seen.values()].filter((p) => {
        const now = processStat(p.pid);
        return now?.startTicks === p.startTicks && now.state !== 'Z';
      }),
    stop: () => clearInterval(timer),
  };
}

/**
 * Removes a state folder, and the Postgres clusters it links to: run as root from a private
 * folder, a cluster is placed in the system folder and linked from the state folder.
 */
export function removeStateFolder(dir: string): void {
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry);
    if (lstatSync(path).isSymbolicLink()) rmSync(resolve(dirname(path), readlinkSync(path)), { recursive: true, force: true });
  }
  rmSync(dir, { recursive: true, force: true });
}
