import { createHash } from 'node:crypto';
import { QueueKeys } from 'bullmq';
import type { Capture } from '@shadowdiff/core';

/** The BullMQ queue that carries captures from taps to workers. */
export const CAPTURE_QUEUE = 'shadowdiff-captures';
/**
 * The Redis key of the capture queue's wait list under a key prefix (`redis.prefix`): the batches
 * no worker has taken yet, which an autoscaler watching Redis (KEDA's list-length trigger) scales
 * the workers on. Delayed, active and failed jobs sit under other keys.
 */
export function captureWaitListKey(prefix: string): string {
  return new QueueKeys(prefix).toKey(CAPTURE_QUEUE, 'wait');
}

/** Job name of a batch of captures. */
export const CAPTURE_BATCH_JOB = 'capture-batch';

/**
 * The id of a batch's job: a hash of every capture id in it, and how many captures it holds, so
 * the waiting captures can be counted from the wait list alone, without reading any payload. The
 * same batch always gets the same id, so queueing it twice keeps one job; two batches that only
 * share their first capture (a replay or an upload sent again in another order) stay two jobs.
 */
export function captureBatchJobId(captures: readonly Capture[]): string {
  const hash = createHash('sha256');
  for (const capture of captures) hash.update(capture.id);
  return `${hash.digest('hex').slice(0, 32)}.${captures.length}`;
}

/** How many captures a job holds, read from its id; a job queued under another id counts as one. */
export function capturesInJob(jobId: string): number {
  const count = Number(/\.(\d+)$/.exec(jobId)?.[1]);
  return Number.isSafeInteger(count) && count > 0 ? count : 1;
}

/** Payload of one job: several captures, queued together to keep Redis round trips low. */
export interface CaptureBatch {
  captures: Capture[];
}

/**
 * Retry policy for transient failures (Redis or Postgres away): exponential backoff from 1 s,
 * for about 17 minutes in all, before the job fails for good and keeps its payload in Redis (not
 * yet stored anywhere else: it can be retried). A stored batch is removed at once: captures hold
 * production traffic, and Redis runs with noeviction, so nothing is kept that is not needed.
 */
export const CAPTURE_JOB_OPTIONS = {
  attempts: 12,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: { count: 10000 },
} as const;

/**
 * Options of the queue's producers. Nothing reads the queue's event stream, so it is kept short
 * (BullMQ keeps 10,000 events by default): Redis memory stays flat however long traffic flows.
 */
export const CAPTURE_QUEUE_OPTIONS = { streams: { events: { maxLen: 1000 } } } as const;
