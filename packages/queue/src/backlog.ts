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
 * Reads one queue's backlog: the wait list's ids (bounded by the taps' `tap.maxQueuedBatches`; no
 * payload is read), the oldest waiting job's timestamp, the workers' last-consumed mark and the
 * worker connections.
 */
async function readShardBacklog(queue: Queue): Promise<QueueBacklog> {
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

const oldestOf = (values: (number | null)[]): number | null => values.reduce<number | null>((max, v) => (v === null ? max : max === null ? v : Math.max(max, v)), null);
const latestOf = (values: (number | null)[]): number | null => values.reduce<number | null>((min, v) => (v === null ? min : min === null ? v : Math.min(min, v)), null);

/**
 * Reads the backlog of the capture queue, summed over its shards: batches and captures waiting in
 * all of them, the oldest wait of any, the latest consumption of any, and the workers consuming
 * the least-served shard (every worker consumes every shard, so that is the workers on the queue).
 */
export async function readQueueBacklog(queues: Queue | readonly Queue[]): Promise<QueueBacklog> {
  const shards = await Promise.all((Array.isArray(queues) ? queues : [queues as Queue]).map(readShardBacklog));
  const workers = shards.map((shard) => shard.workers);
  return {
    waitingBatches: shards.reduce((sum, shard) => sum + shard.waitingBatches, 0),
    waitingCaptures: shards.reduce((sum, shard) => sum + shard.waitingCaptures, 0),
    oldestWaitingMs: oldestOf(shards.map((shard) => shard.oldestWaitingMs)),
    lastConsumedMs: latestOf(shards.map((shard) => shard.lastConsumedMs)),
    workers: workers.includes(null) ? null : Math.min(...(workers as number[])),
  };
}
