import type { Worker } from 'node:worker_threads';
import type { Capture, Logger } from '@shadowdiff/core';
import type { DropReason } from '@shadowdiff/queue';
import type { ShadowJob } from './shadow-jobs.ts';
import type { FromShadowThread, LoopDelay, QueueState, ShadowThreadData, ShadowThreadStart, ToShadowThread } from './shadow-thread-messages.ts';
import type { ShadowHandlers, Shadows } from './shadows.ts';
import { siblingModule, startThread } from './thread-entry.ts';

/**
 * The shadow thread's young generation, in MB. A copy's state lives as long as the candidate takes
 * to answer: with V8's default, a slow candidate's hundreds of copies in flight survive into the
 * old generation, whose concurrent collection runs on the process's shared GC helper threads and
 * took CPU from the thread serving clients (primary p99 +35–70% behind a 500 ms candidate). Room
 * for a few seconds of copies lets them die young: +0–10% in the same measurement.
 */
const YOUNG_GENERATION_MB = 128;

/**
 * Jobs are handed to the thread every HAND_OVER_MS, or as soon as HAND_OVER_JOBS are waiting: a
 * message per request would wake the thread once per request, and each wake-up costs both threads
 * CPU (at 1000 requests/s, handing over every 5 ms instead of every turn of the event loop took
 * the shadow thread from about 210 to 140 µs of CPU per copy). A copy leaves at most 5 ms later;
 * its timing is measured from when it leaves.
 */
const HAND_OVER_MS = 5;
const HAND_OVER_JOBS = 128;

/** The thread's module, run from sources or compiled alike. */
const WORKER_ENTRY = siblingModule(import.meta.url, './shadow-thread-worker');

/** Why a capture never reached the queue. */
export type CaptureDropReason = DropReason | 'shadow_thread_failed' | 'unflushed_at_shutdown';

/** The shadow thread, seen from the serving thread. */
export interface ShadowThread extends Shadows {
  /** Hands over a finished, redacted capture (a recorder's pair) to be queued; never throws, never waits. */
  push(capture: Capture): void;
  /** Captures not yet queued or dropped (waiting here or in the thread). */
  readonly held: number;
  /** Resolves once the thread has started and seen Redis (or given up waiting for it). */
  readonly ready: Promise<void>;
  /** What capturing depends on, for the tap's /readyz. */
  status(): ShadowThreadStatus;
}

/** The thread, and the thread's connection to Redis. */
export interface ShadowThreadStatus {
  /** `down`: it died, and a new one starts with the next job or capture. */
  thread: 'starting' | 'running' | 'down' | 'stopped';
  redis: 'up' | 'down';
}

export interface ShadowThreadHandlers extends ShadowHandlers {
  onFlush: (count: number) => void;
  onDrop: (reason: CaptureDropReason, count: number) => void;
  /** The queue's backlog as last read: batches waiting for a worker, and the oldest one's age. */
  onBacklog?: (waiting: number, oldestAgeMs: number | null) => void;
  onLoopDelay?: (delay: LoopDelay) => void;
  logger: Logger;
}

/**
 * Starts the shadow thread (see shadow-thread-worker.ts). Jobs and captures are handed over in
 * batches (see HAND_OVER_MS), one message each; the thread reports back in batches too. Pushed
 * captures are bounded by `maxBuffered` here, counting those still on their way; the thread
 * bounds its own queue. A thread that dies takes what it held with it (dropped and counted); the
 * next job or capture starts a new one.
 */
export function startShadowThread(data: ShadowThreadData, handlers: ShadowThreadHandlers, entry: URL = WORKER_ENTRY): ShadowThread {
  let worker: Worker | undefined;
  let jobs: ShadowJob[] = [];
  let captures: Capture[] = [];
  let timer: NodeJS.Timeout | undefined;
  // Jobs handed to the current thread and not yet done, counted by both threads.
  let jobsInFlight = new Int32Array(new SharedArrayBuffer(4));
  let posted = 0;
  let thread: QueueState = { held: 0, received: 0 };
  let closed: (() => void) | undefined;
  let stopped = false;
  let isReady: () => void = () => undefined;
  let status: ShadowThreadStatus = { thread: 'starting', redis: 'down' };
  const ready = new Promise<void>((resolve) => (isReady = resolve));
  const inTransit = (): number => posted - thread.received;
  const held = (): number => captures.length + inTransit() + thread.held;

  const onMessage = (message: FromShadowThread): void => {
    if ('held' in message) thread = { held: message.held, received: message.received };
    switch (message.type) {
      case 'done':
        for (const [exchangeId, report] of message.reports) handlers.onDone(report, exchangeId);
        break;
      case 'flushed':
        handlers.onFlush(message.count);
        break;
      case 'dropped':
        handlers.onDrop(message.reason, message.count);
        if (message.error) handlers.logger.warn({ err: message.error, captures: message.count }, 'capture batch dropped: redis unavailable');
        break;
      case 'ready':
        if (message.priority && 'error' in message.priority) handlers.logger.warn({ err: message.priority.error }, 'shadow thread runs at the serving thread\'s priority');
        else if (message.priority) handlers.logger.debug({ nice: message.priority.nice }, 'shadow thread priority lowered');
        // Until now the thread kept the process alive, so that waiting for it could not end it.
        worker?.unref();
        status = { thread: 'running', redis: message.redis ? 'up' : 'down' };
        isReady();
        break;
      case 'redis':
        status = { ...status, redis: message.up ? 'up' : 'down' };
        break;
      case 'backlog':
        handlers.onBacklog?.(message.waiting, message.oldestAgeMs);
        break;
      case 'loop-delay':
        handlers.onLoopDelay?.(message.delay);
        break;
      case 'closed':
        closed?.();
        break;
    }
  };

  /** Counts what a thread took with it, and forgets it. */
  const lose = (reason: CaptureDropReason): void => {
    const jobs = Atomics.exchange(jobsInFlight, 0, 0);
    if (jobs > 0) handlers.onLost(jobs);
    const lost = inTransit() + thread.held;
    if (lost > 0) handlers.onDrop(reason, lost);
    posted = 0;
    thread = { held: 0, received: 0 };
  };

  const spawn = (): Worker => {
    jobsInFlight = new Int32Array(new SharedArrayBuffer(4));
    const start: ShadowThreadStart = { ...data, jobsInFlight: jobsInFlight.buffer };
    const w = startThread(entry, { workerData: start, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    w.on('message', onMessage);
    w.on('error', (error) => handlers.logger.error({ err: error.message }, 'shadow thread failed'));
    w.on('exit', () => {
      if (worker !== w) return;
      worker = undefined;
      status = { thread: stopped ? 'stopped' : 'down', redis: 'down' };
      lose('shadow_thread_failed');
      isReady();
      closed?.();
    });
    return w;
  };

  /** The current thread, or a new one when the last died. */
  const current = (): Worker => {
    if (!worker) status = { ...status, thread: 'starting' };
    worker ??= spawn();
    return worker;
  };

  const handOver = (): void => {
    clearTimeout(timer);
    timer = undefined;
    const sending = { jobs, captures };
    jobs = [];
    captures = [];
    try {
      if (sending.jobs.length > 0) {
        const w = current();
        Atomics.add(jobsInFlight, 0, sending.jobs.length);
        w.postMessage({ type: 'jobs', jobs: sending.jobs } satisfies ToShadowThread);
      }
      if (sending.captures.length > 0) {
        posted += sending.captures.length;
        current().postMessage({ type: 'captures', captures: sending.captures } satisfies ToShadowThread);
      }
    } catch (error) {
      handlers.logger.error({ err: (error as Error).message }, 'shadow thread unavailable');
      lose('shadow_thread_failed');
    }
  };
  const schedule = (): void => {
    timer ??= setTimeout(handOver, HAND_OVER_MS);
  };

  worker = spawn();
  return {
    ready,
    status: () => status,
    send(job) {
      if (stopped) return handlers.onLost(1);
      jobs.push(job);
      if (jobs.length >= HAND_OVER_JOBS) handOver();
      else schedule();
    },
    push(capture) {
      if (stopped) return handlers.onDrop('shadow_thread_failed', 1);
      if (held() >= data.maxBuffered) return handlers.onDrop('buffer_full', 1);
      captures.push(capture);
      schedule();
    },
    get inFlight() {
      return Atomics.load(jobsInFlight, 0) + jobs.length;
    },
    get held() {
      return held();
    },
    async close(graceMs) {
      handOver();
      stopped = true;
      const w = worker;
      if (!w) return;
      const done = new Promise<void>((resolve) => (closed = resolve));
      w.postMessage({ type: 'close', graceMs } satisfies ToShadowThread);
      // The thread waits `graceMs` for copies, then flushes: give the flush a little more.
      const timer = setTimeout(() => closed?.(), graceMs + 2000);
      await done;
      clearTimeout(timer);
      worker = undefined;
      status = { thread: 'stopped', redis: 'down' };
      // What the thread could not finish in time (Redis away, copies unanswered) is lost with it.
      lose('unflushed_at_shutdown');
      await w.terminate();
    },
  };
}
