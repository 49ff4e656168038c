import type { Queue } from 'bullmq';
import type { Capture, Logger } from '@shadowdiff/core';
import { CAPTURE_BATCH_JOB, CAPTURE_JOB_OPTIONS, captureBatchJobId, type CaptureBatch } from './names.ts';

/** Why a capture never reached the queue. */
export type DropReason = 'buffer_full' | 'redis_unavailable' | 'backlog_full';

export interface BatcherOptions {
  /** Captures per job. */
  batchSize: number;
  /** A partial batch is sent after this many milliseconds. */
  flushMs: number;
  /** Captures held (buffered and in flight) at most; beyond it new ones are dropped. */
  maxBuffered: number;
  /** Batches being sent at once. */
  maxConcurrentFlushes?: number;
  logger?: Logger;
  /** Captures that will never reach the queue, with why (and Redis's error, when it refused them). */
  onDrop?: (reason: DropReason, count: number, error?: string) => void;
  onFlush?: (captures: number) => void;
  /** True while the queue's backlog is at its bound: new captures are dropped as `backlog_full`. */
  backlogFull?: () => boolean;
}

export interface CaptureBatcher {
  /** Queues a capture for the next batch; never throws, never waits. */
  push(capture: Capture): void;
  /** Captures held right now (buffered plus in flight). */
  readonly held: number;
  /** Sends what is buffered and waits for every batch in flight. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Groups captures into BullMQ jobs, flushed by size or after a few milliseconds. Bounded: when
 * Redis is slow or away, captures beyond `maxBuffered` are dropped and counted, so the tap's
 * memory stays flat and its clients never wait for Redis.
 */
export function createCaptureBatcher(queue: Queue<CaptureBatch>, options: BatcherOptions): CaptureBatcher {
  const maxFlushes = options.maxConcurrentFlushes ?? 4;
  let buffer: Capture[] = [];
  let inFlight = 0;
  let flushes = 0;
  let timer: NodeJS.Timeout | undefined;
  const pending = new Set<Promise<void>>();

  const send = (captures: Capture[]): void => {
    flushes += 1;
    inFlight += captures.length;
    // Settled before reporting, so `held` read from a report no longer counts the batch.
    const settle = (): void => {
      flushes -= 1;
      inFlight -= captures.length;
    };
    const job = queue
      .add(CAPTURE_BATCH_JOB, { captures }, { ...CAPTURE_JOB_OPTIONS, jobId: captureBatchJobId(captures) })
      .then(
        () => {
          settle();
          options.onFlush?.(captures.length);
        },
        (error: Error) => {
          settle();
          options.logger?.warn({ err: error.message, captures: captures.length }, 'capture batch dropped: redis unavailable');
          options.onDrop?.('redis_unavailable', captures.length, error.message);
        },
      )
      .finally(() => {
        pending.delete(job);
        if (buffer.length >= options.batchSize) drain();
      });
    pending.add(job);
  };

  const drain = (): void => {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    while (buffer.length > 0 && flushes < maxFlushes) {
      send(buffer.slice(0, options.batchSize));
      buffer = buffer.slice(options.batchSize);
    }
    if (buffer.length > 0 && !timer) timer = setTimeout(drain, options.flushMs);
  };

  return {
    push(capture) {
      if (options.backlogFull?.()) {
        options.onDrop?.('backlog_full', 1);
        return;
      }
      if (buffer.length + inFlight >= options.maxBuffered) {
        options.onDrop?.('buffer_full', 1);
        return;
      }
      buffer.push(capture);
      if (buffer.length >= options.batchSize) drain();
      else if (!timer) timer = setTimeout(drain, options.flushMs);
    },
    get held() {
      return buffer.length + inFlight;
    },
    async flush() {
      drain();
      while (pending.size > 0 || buffer.length > 0) {
        await Promise.allSettled([...pending]);
        drain();
      }
    },
    async close() {
      await this.flush();
      if (timer) clearTimeout(timer);
    },
  };
}
