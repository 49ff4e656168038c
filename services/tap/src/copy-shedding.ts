import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/**
 * The share of copies kept when the thread answering clients stays busy: never none, so that an
 * overloaded tap still sends a trickle of exchanges to judge.
 */
export const MIN_COPY_SHARE = 0.01;

/** How often the serving thread's utilization is read and the share adjusted. */
export const SHEDDING_INTERVAL_MS = 100;

/**
 * The utilization is taken over this many intervals (1 s): a moment's burst of work, such as
 * compiling hot code in a new tap's first second, or a neighbour (a worker, Postgres) taking the
 * cores for a few hundred milliseconds, is not yet a busy thread.
 */
export const SHEDDING_WINDOW_INTERVALS = 10;

/**
 * Copies the window must have seen before the thread counts as busy with clients (100 a second):
 * a thread busy with few requests is busy with something else (starting up, compiling), and
 * shedding their few copies would give nothing back.
 */
export const MIN_WINDOW_COPIES = 100;

/**
 * The share of copies to keep after one interval: halved while the serving thread was busy more
 * than `busyAbove` of the window with at least MIN_WINDOW_COPIES copies asked for (a few
 * intervals take it to the floor), raised by a tenth once it is clearly below (back to all copies
 * within a second). The gap between the two keeps the share from swinging around the threshold.
 */
export function nextCopyShare(share: number, window: { utilization: number; copies: number }, busyAbove: number): number {
  const { utilization } = window;
  if (utilization > busyAbove && window.copies >= MIN_WINDOW_COPIES) return Math.max(MIN_COPY_SHARE, share / 2);
  // The band below the threshold: 0.1 wide, or half the threshold when that is lower, so that a
  // low threshold still has a utilization to recover below.
  if (utilization < busyAbove - Math.min(0.1, busyAbove / 2)) return Math.min(1, share + 0.1);
  return share;
}

/** Decides, request by request, whether a copy may be made while the tap is busy. */
export interface CopyShedding {
  /** Whether this request's copy is kept; false while shedding, for all but the current share. */
  admit(): boolean;
  /** The share of copies currently kept (1: all). */
  readonly share: number;
  /** The serving thread's utilization over the last window (0–1). */
  readonly utilization: number;
  stop(): void;
}

/**
 * Sheds copies while the thread answering clients is busy more than `busyAbove` (0–1) of the
 * time: the copies' recording and hand-over, and on a crowded host the CPU the shadow side, the
 * candidate and Redis take for them, then go to the clients instead. Copies kept are spread
 * evenly (a running credit, not a coin toss). `busyAbove` 1 never sheds. Must be created on the
 * serving thread: it reads that thread's event-loop utilization, the signal load-shedding servers
 * commonly use (as @fastify/under-pressure does).
 */
export function createCopyShedding(busyAbove: number, read: () => EventLoopUtilization = () => performance.eventLoopUtilization()): CopyShedding {
  let share = 1;
  let utilization = 0;
  let credit = 0;
  // Readings over the last window, oldest first, each with the copies asked for until then.
  let asked = 0;
  const readings = [{ at: read(), asked }];
  const timer =
    busyAbove < 1
      ? setInterval(() => {
          const now = { at: read(), asked };
          const oldest = readings[0]!;
          utilization = performance.eventLoopUtilization(now.at, oldest.at).utilization;
          readings.push(now);
          if (readings.length > SHEDDING_WINDOW_INTERVALS) readings.shift();
          share = nextCopyShare(share, { utilization, copies: now.asked - oldest.asked }, busyAbove);
        }, SHEDDING_INTERVAL_MS)
      : undefined;
  timer?.unref();
  return {
    admit() {
      asked += 1;
      if (share >= 1) return true;
      credit += share;
      if (credit < 1) return false;
      credit -= 1;
      return true;
    },
    get share() {
      return share;
    },
    get utilization() {
      return utilization;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
