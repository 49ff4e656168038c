import type { Queue } from 'bullmq';
import { capturesInJob } from './names.ts';

/** Key (under the queue's own prefix) where workers note when they last finished a batch. */
export const LAST_CONSUMED_KEY = 'shadowdiff-last-consumed';

/** The capture queue's backlog, as read at one moment. */
export interface QueueBacklog {
  /** Batches waiting for a worker. */
  waitingBatches: number;
  /** Captures in those batches, counted exactly from their job ids. */
  waitingCaptures: number;
  /** Age of the oldest waiting batch (null: none waiting). */
  oldestWaitingMs: number | null;
  /** Time since a worker last finished a batch (null: never, as far as this Redis knows). */
  lastConsumedMs: number | null;
  /** Worker connections on the queue (null: this Redis does not list its clients). */
  workers: number | null;
}

/**
 * Reads the backlog: the wait list's ids (bounded by the taps' `tap.maxQueuedBatches`; no
 * payload is read), the oldest waiting job's timestamp, the workers' last-consumed mark and the
 * worker connections.
 */
export async function readQueueBacklog(queue: Queue): Promise<QueueBacklog> {
  const client = await queue.client;
  const [ids, consumedAt, workers] = await Promise.all([
    client.lrange(queue.keys.wait!, 0, -1),
    client.get(queue.toKey(LAST_CONSUMED_KEY)),
    queue.getWorkersCount().catch(() => null),
  ]);
  // The wait list's tail is the oldest job.
  const oldest = ids.at(-1);
  const createdAt = oldest ? Number(await client.hget(queue.toKey(oldest), 'timestamp')) : NaN;
  const now = Date.now();
  return {
    waitingBatches: ids.length,
    waitingCaptures: ids.reduce((sum, id) => sum + capturesInJob(id), 0),
    oldestWaitingMs: Number.isFinite(createdAt) ? Math.max(0, now - createdAt) : null,
    lastConsumedMs: consumedAt === null ? null : Math.max(0, now - Number(consumedAt)),
    workers,
  };
}
