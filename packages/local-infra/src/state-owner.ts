import { linkSync, mkdirSync, renameSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DependencyError } from '@shadowdiff/core';

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

function startTicksOf(pid: number): number | null {
  try {
    // Field 22 of /proc/PID/stat, counted after the command name, which may hold spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return null;
  }
}

function isAlive(owner: StateOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return owner.startTicks === null || startTicksOf(owner.pid) === owner.startTicks;
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
  const me: StateOwner = { pid: process.pid, startTicks: startTicksOf(process.pid), command, ports: {} };
  for (let attempt = 0; ; attempt++) {
    try {
      // Written whole under a private name, then linked into place: the link fails if the
      // file exists, and no reader ever sees a half-written claim.
      const mine = `${file}.${process.pid}`;
      writeFileSync(mine, JSON.stringify(me), { mode: 0o644 });
      try {
        linkSync(mine, file);
      } finally {
        rmSync(mine, { force: true });
      }
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
      const next = `${file}.${process.pid}`;
      writeFileSync(next, JSON.stringify(me), { mode: 0o644 });
      renameSync(next, file);
    },
    release() {
      if (released) return;
      released = true;
      if (readOwner(file)?.pid === process.pid) rmSync(file, { force: true });
    },
  };
}
