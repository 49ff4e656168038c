import { linkSync, mkdirSync, renameSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DependencyError } from '@shadowdiff/core';
import { pidExists, processStat } from './process-info.ts';

/** What a state folder's owner file says about the process that uses the folder. */
export interface StateOwner {
  pid: number;
  /** The process's start time in clock ticks since boot (from /proc), so a reused pid is told apart. */
  startTicks: number | null;
  command: string;
  /** Addresses it listens on, filled in as its parts start: `tap`, `api`, `postgres`, `redis`. */
  ports: Record<string, number>;
}

export interface StateClaim {
  /** Records a part's port, so a second start can say what the first one uses. */
  notePort(part: string, port: number): void;
  release(): void;
}

/** Thrown when another live process uses the state folder. */
export class StateFolderBusyError extends DependencyError {
  constructor(
    readonly folder: string,
    readonly owner: StateOwner,
  ) {
    const ports = Object.entries(owner.ports).map(([part, port]) => `${part} :${port}`).join(', ');
    super(
      `another shadowdiff (pid ${owner.pid}, "${owner.command}"${ports ? `; ${ports}` : ''}) is using the state folder ${folder}. ` +
        `Stop it first (kill -INT ${owner.pid}), or give this one a folder of its own with --state-dir DIR (and ports of its own: --tap-port, --api-port, --admin-port).`,
    );
  }
}

function isAlive(owner: StateOwner): boolean {
  return pidExists(owner.pid) && (owner.startTicks === null || processStat(owner.pid)?.startTicks === owner.startTicks);
}

function readOwner(file: string): StateOwner | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StateOwner;
  } catch {
    return undefined;
  }
}

/**
 * Claims a state folder for this process. A folder whose owner is alive is refused with a
 * message that names it; an owner that died (killed outright) leaves its claim, which is taken
 * over, and its servers, which the caller then stops as orphans.
 */
export function claimStateFolder(dir: string, command: string): StateClaim {
  const folder = resolve(dir);
  mkdirSync(folder, { recursive: true });
  const file = join(folder, 'owner.json');
  const me: StateOwner = { pid: process.pid, startTicks: processStat(process.pid)?.startTicks ?? null, command, ports: {} };
  // Written whole under a private name, then put in place: no reader ever sees half a claim.
  const mine = `${file}.${process.pid}`;
  const put = (place: (from: string) => void): void => {
    writeFileSync(mine, JSON.stringify(me), { mode: 0o644 });
    try {
      place(mine);
    } finally {
      rmSync(mine, { force: true });
    }
  };
  for (let attempt = 0; ; attempt++) {
    try {
      // A link fails if the file exists: only one claim wins.
      put((from) => linkSync(from, file));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 3) throw error;
      const owner = readOwner(file);
      if (owner && owner.pid !== process.pid && isAlive(owner)) throw new StateFolderBusyError(folder, owner);
      rmSync(file, { force: true });
    }
  }
  let released = false;
  return {
    notePort(part, port) {
      if (released) return;
      me.ports[part] = port;
      put((from) => renameSync(from, file));
    },
    release() {
      if (released) return;
      released = true;
      if (readOwner(file)?.pid === process.pid) rmSync(file, { force: true });
    },
  };
}
