import { Queue } from 'bullmq';
import type { Capture } from '@shadowdiff/core';
import type { RedisConnection } from './connection.ts';
import { CAPTURE_QUEUE, CAPTURE_QUEUE_OPTIONS, type CaptureBatch } from './names.ts';

/** How the capture queue is laid out in Redis; taps, workers and the API must agree on it. */
export interface QueueLayout {
  /** `redis.prefix`. */
  prefix: string;
  /** Queues the captures are spread over (`redis.queueShards`); 1 keeps one queue. */
  shards: number;
  /** On a Redis Cluster every shard's keys carry a hash tag, so each queue lives in one slot. */
  cluster: boolean;
}

/** Most queue shards a layout may have. */
export const MAX_QUEUE_SHARDS = 256;

/**
 * The BullMQ prefix of each shard. On a single Redis, shard 0 keeps the plain prefix, so a Redis
 * that held captures before sharding existed (or before shards were added) still has them
 * consumed. Every other shard, and every shard on a cluster, is hash-tagged by its own name
 * (`{bull-3}`): all keys of one queue share a slot, and different shards land on different slots.
 */
export function shardPrefixes(layout: QueueLayout): string[] {
  if (!Number.isSafeInteger(layout.shards) || layout.shards < 1 || layout.shards > MAX_QUEUE_SHARDS) {
    throw new Error(`queue shards must be a whole number from 1 to ${MAX_QUEUE_SHARDS}, not ${layout.shards}`);
  }
  return Array.from({ length: layout.shards }, (_, i) => (i === 0 && !layout.cluster ? layout.prefix : `{${layout.prefix}-${i}}`));
}

/**
 * The shard a capture goes to, from its id alone (FNV-1a): the same capture always goes to the same
 * shard, so a batch sent again forms the same jobs, which BullMQ keeps once by their ids.
 */
export function shardOf(captureId: string, shards: number): number {
  if (shards <= 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < captureId.length; i += 1) {
    hash ^= captureId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

/** Captures grouped by shard, each group in the order given. */
export function groupByShard(captures: readonly Capture[], shards: number): Capture[][] {
  const groups: Capture[][] = Array.from({ length: shards }, () => []);
  for (const capture of captures) groups[shardOf(capture.id, shards)]!.push(capture);
  return groups;
}

/** The producers' queues, one per shard, over one connection. */
export function openCaptureQueues(connection: RedisConnection, layout: QueueLayout): Queue<CaptureBatch>[] {
  return shardPrefixes(layout).map((prefix) => new Queue<CaptureBatch>(CAPTURE_QUEUE, { ...CAPTURE_QUEUE_OPTIONS, connection, prefix }));
}

/** Closes every shard's queue; the connection stays open for its owner to close. */
export async function closeCaptureQueues(queues: readonly Queue[]): Promise<void> {
  await Promise.all(queues.map((queue) => queue.close().catch(() => undefined)));
}
