/**
 * Where a replay got to, kept in the state folder so `--resume` sends only what a stopped
 * replay had not: the exchanges done (as index ranges) and the replay's start, which fixes the
 * capture ids, so an exchange sent again is still stored once.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ReplayState {
  recordingId: string;
  run: string;
  startedAtMs: number;
  total: number;
  done: Set<number>;
  finished: boolean;
}

interface StoredState {
  recordingId: string;
  run: string;
  startedAtMs: number;
  total: number;
  /** `[first, last]` index ranges, inclusive. */
  done: [number, number][];
  finished: boolean;
}

export function replayStatePath(stateDir: string, run: string, recordingId: string): string {
  return join(stateDir, 'replays', `${run.replace(/[^A-Za-z0-9._-]/g, '_')}-${recordingId.slice(0, 16)}.json`);
}

function toRanges(done: Set<number>): [number, number][] {
  const sorted = [...done].sort((a, b) => a - b);
  const ranges: [number, number][] = [];
  for (const i of sorted) {
    const last = ranges.at(-1);
    if (last && last[1] === i - 1) last[1] = i;
    else ranges.push([i, i]);
  }
  return ranges;
}

export function readReplayState(path: string): ReplayState | undefined {
  let stored: StoredState;
  try {
    stored = JSON.parse(readFileSync(path, 'utf8')) as StoredState;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`the replay's saved progress (${path}) cannot be read: ${(error as Error).message}; remove it to start afresh`);
  }
  const done = new Set<number>();
  for (const [first, last] of stored.done) for (let i = first; i <= last; i++) done.add(i);
  return { recordingId: stored.recordingId, run: stored.run, startedAtMs: stored.startedAtMs, total: stored.total, done, finished: stored.finished };
}

/** Written whole to a temporary file, then renamed: a crash mid-write leaves the previous state. */
export function writeReplayState(path: string, state: ReplayState): void {
  const stored: StoredState = { recordingId: state.recordingId, run: state.run, startedAtMs: state.startedAtMs, total: state.total, done: toRanges(state.done), finished: state.finished };
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(`${path}.tmp`, `${JSON.stringify(stored)}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}
