/** A capture worker on real Redis, on a queue prefix of its own, with the queue that feeds it. */
import { Queue } from 'bullmq';
import { inject } from 'vitest';
import { silentLogger } from '@shadowdiff/core';
import { createDiffOptions } from '@shadowdiff/diff';
import { CAPTURE_QUEUE, CAPTURE_QUEUE_OPTIONS, createProducerConnection, type CaptureBatch } from '@shadowdiff/queue';
import type { Pool } from '@shadowdiff/store';
import { freshQueuePrefix } from '@shadowdiff/testkit';
import { createCaptureWorker, type CaptureWorker } from '../src/worker.ts';

export interface TestWorker {
  worker: CaptureWorker;
  queue: Queue<CaptureBatch>;
  /** Stops the worker, then removes the queue and its keys. */
  stop(): Promise<void>;
}

/** Starts a worker (concurrency 2, default diff options) storing into `pool`. */
export function startTestWorker(pool: Pool, options: { keepIdenticalShare: number }): TestWorker {
  const prefix = freshQueuePrefix();
  const connection = createProducerConnection(inject('redisUrl'));
  const queue = new Queue<CaptureBatch>(CAPTURE_QUEUE, { ...CAPTURE_QUEUE_OPTIONS, connection, prefix });
  const worker = createCaptureWorker({
    redisUrl: inject('redisUrl'),
    pool,
    diffOptions: createDiffOptions({}),
    concurrency: 2,
    keepIdenticalShare: options.keepIdenticalShare,
    logger: silentLogger(),
    queuePrefix: prefix,
  });
  return {
    worker,
    queue,
    async stop() {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
      connection.disconnect();
    },
  };
}
