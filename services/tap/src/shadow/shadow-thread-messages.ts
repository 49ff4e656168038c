import type { Capture, RedactorOptions } from '@shadowdiff/core';
import type { DropReason } from '@shadowdiff/queue';
import type { ShadowJob, ShadowSettings } from './shadow-jobs.ts';
import type { JobReport } from './shadow-processor.ts';
import type { ShadowTargets } from './shadows.ts';

/** How often the thread reports the jobs it has done. */
export const REPORT_INTERVAL_MS = 100;

/** The window over which the thread's event-loop delay is summarised and reported. */
export const LOOP_DELAY_WINDOW_MS = 5000;

/** What the shadow thread is given at start: where copies go, how to redact, where the queue is. */
export interface ShadowThreadData {
  /** Absent for a recorder: it only queues captures. */
  shadows?: ShadowSettings & ShadowTargets;
  redaction: RedactorOptions;
  /** One redis:// URL, or with `redisCluster`, a cluster's seed URLs, comma-separated. */
  redisUrl: string;
  redisCluster?: boolean;
  queuePrefix?: string;
  /** Queue shards the captures are spread over (1 unless given). */
  queueShards?: number;
  batchSize: number;
  flushMs: number;
  maxBuffered: number;
  /** Batches waiting for a worker at most (none: unbounded), and how often the backlog is read (default 1 s). */
  maxQueuedBatches?: number;
  backlogPollMs?: number;
  /** Added to the thread's nice value (Linux), so that on a busy host it yields CPU to the serving thread. */
  niceIncrement?: number;
  /** How often the event-loop delay is reported (default LOOP_DELAY_WINDOW_MS). */
  loopDelayWindowMs?: number;
}

/**
 * What a thread is started with: its settings, and the count of its jobs in flight, shared with
 * the serving thread (which adds the jobs it hands over; the thread takes away each one done),
 * so the in-flight bound holds without a message per job.
 */
export interface ShadowThreadStart extends ShadowThreadData {
  jobsInFlight: SharedArrayBuffer;
}

/** An event loop's delay over a window, ms: median, 99th percentile and the longest. */
export interface LoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Main thread → shadow thread. */
export type ToShadowThread =
  | { type: 'jobs'; jobs: ShadowJob[] }
  | { type: 'captures'; captures: Capture[] }
  | { type: 'close'; graceMs: number };

/** The thread's queue, as of a message: captures held, and captures received from `captures` messages so far. */
export interface QueueState {
  held: number;
  received: number;
}

/** Shadow thread → main thread. */
export type FromShadowThread =
  | { type: 'ready'; redis: boolean; priority?: { nice: number } | { error: string } }
  | { type: 'redis'; up: boolean }
  | { type: 'backlog'; waiting: number; oldestAgeMs: number | null }
  /** How late the thread's event loop ran over the last window: every shadow timing includes such a delay. */
  | { type: 'loop-delay'; delay: LoopDelay }
  /** Reports of the jobs done since the last one, sent every few milliseconds (not per job). */
  | ({ type: 'done'; reports: [exchangeId: string, report: JobReport][] } & QueueState)
  | ({ type: 'flushed'; count: number } & QueueState)
  | ({ type: 'dropped'; reason: DropReason; count: number; error?: string } & QueueState)
  | { type: 'closed' };
