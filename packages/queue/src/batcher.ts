import type { Queue } from 'bullmq';
import type { Capture, Logger } from '@shadowdiff/core';
import { CAPTURE_BATCH_JOB, CAPTURE_JOB_OPTIONS, captureBatchJobId, type CaptureBatch } from './names.ts';
import { shardOf } from './shards.ts';

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
  /**
   * How long a batch whose sending ended without an answer (the connection broke after the
   * command may have reached Redis) is sent again before it is counted dropped. Default 5 s.
   */
  unsureRetryMs?: number;
}

/** Errors ioredis gives for a command it never sent: Redis surely does not have the batch. */
const NEVER_SENT = /isn't writeable|isn't ready|enableOfflineQueue/;
const UNSURE_RETRY_DELAY_MS = 250;

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
 * memory stays flat and its clients never wait for Redis. Given several queues (the shards), each
 * capture goes to its own shard's (by id), and a job only ever holds captures of one shard.
 */
export function createCaptureBatcher(queues: Queue<CaptureBatch> | readonly Queue<CaptureBatch>[], options: BatcherOptions): CaptureBatcher {
  const shards: readonly Queue<CaptureBatch>[] = Array.isArray(queues) ? queues : [queues as Queue<CaptureBatch>];
  const maxFlushes = options.maxConcurrentFlushes ?? 4;
  const buffers: Capture[][] = shards.map(() => []);
  let buffered = 0;
  let inFlight = 0;
  let flushes = 0;
  let timer: NodeJS.Timeout | undefined;
  const pending = new Set<Promise<void>>();

  const send = (shard: number, captures: Capture[]): void => {
    flushes += 1;
    inFlight += captures.length;
    // Settled before reporting, so `held` read from a report no longer counts the batch.
    const settle = (): void => {
      flushes -= 1;
      inFlight -= captures.length;
    };
    const jobId = captureBatchJobId(captures);
    const giveUpAt = Date.now() + (options.unsureRetryMs ?? 5000);
    let unsure = false;
    // A batch whose command may have reached Redis is sent again (the same job id, so Redis keeps
    // one job) until Redis answers or the time is up: counting it dropped while Redis had it would
    // break "queued or counted dropped", and a worker would store what the tap said it lost.
    const add = (): Promise<unknown> =>
      shards[shard]!.add(CAPTURE_BATCH_JOB, { captures }, { ...CAPTURE_JOB_OPTIONS, jobId }).catch(async (error: Error) => {
        // Once unsure, a later refusal says nothing about the first attempt: only the time ends it.
        unsure ||= !NEVER_SENT.test(error.message);
        if (!unsure || Date.now() >= giveUpAt) throw error;
        await new Promise((resolve) => setTimeout(resolve, UNSURE_RETRY_DELAY_MS));
        return add();
      });
    const job = add()
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
        if (buffers.some((buffer) => buffer.length >= options.batchSize)) drain(false);
      });
    pending.add(job);
  };

  const take = (shard: number): void => {
    const buffer = buffers[shard]!;
    const batch = buffer.splice(0, options.batchSize);
    buffered -= batch.length;
    send(shard, batch);
  };

  // Full batches go first; partial ones only when `partial` (their flush delay is over).
  const drain = (partial: boolean): void => {
    // A full batch leaves the flush delay of the others running, so a quiet shard is never starved.
    if (partial && timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    for (let shard = 0; shard < buffers.length && flushes < maxFlushes; shard += 1) {
      while (buffers[shard]!.length >= options.batchSize && flushes < maxFlushes) take(shard);
    }
    for (let shard = 0; partial && shard < buffers.length && flushes < maxFlushes; shard += 1) {
      while (buffers[shard]!.length > 0 && flushes < maxFlushes) take(shard);
    }
    if (buffered > 0 && !timer) timer = setTimeout(() => drain(true), options.flushMs);
  };

  return {
    push(capture) {
      if (options.backlogFull?.()) {
        options.onDrop?.('backlog_full', 1);
        return;
      }
      if (buffered + inFlight >= options.maxBuffered) {
        options.onDrop?.('buffer_full', 1);
        return;
      }
      const buffer = buffers[shardOf(capture.id, buffers.length)]!;
      buffer.push(capture);
      buffered += 1;
      if (buffer.length >= options.batchSize) drain(false);
      else if (!timer) timer = setTimeout(() => drain(true), options.flushMs);
    },
    get held() {
      return buffered + inFlight;
    },
    async flush() {
      drain(true);
      while (pending.size > 0 || buffered > 0) {
        await Promise.allSettled([...pending]);
        drain(true);
      }
    },
    async close() {
      await this.flush();
      if (timer) clearTimeout(timer);
    },
  };
}
