import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The kernel's id of the calling thread (Linux: `/proc/thread-self` links to `<pid>/task/<tid>`), or undefined elsewhere. */
export function currentThreadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Raises the calling thread's nice value by `increment` (from the process's own, at most 19):
 * on a busy host the scheduler then gives this thread less CPU than the process's other threads.
 * Only the calling thread is changed (on Linux a thread id names one thread to setpriority).
 * Returns the thread's nice value, or an error's message where threads cannot be told apart.
 */
export function lowerThreadPriority(increment: number): { nice: number } | { error: string } {
  const tid = currentThreadId();
  if (tid === undefined) return { error: 'thread priorities are set on Linux only' };
  try {
    const nice = Math.min(19, getPriority(tid) + increment);
    setPriority(tid, nice);
    return { nice: getPriority(tid) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}
