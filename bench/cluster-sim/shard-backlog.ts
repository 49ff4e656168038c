/** What each queue shard still holds, read from the cluster with redis-cli: where a backlog that does not drain sits. */
import { spawnSync } from 'node:child_process';
import { CAPTURE_QUEUE } from '@shadowdiff/queue';
import type { TestRedisCluster } from '@shadowdiff/testkit';

/** One shard's lists at the end. */
export interface ShardBacklog {
  shard: number;
  /** The master holding the shard's slot. */
  master: number;
  waiting: number;
  active: number;
  delayed: number;
}

function count(cluster: TestRedisCluster, master: number, command: string, key: string): number {
  const result = spawnSync('redis-cli', ['-p', String(cluster.ports[master]), command, key], {
    encoding: 'utf8',
    env: { ...process.env, REDISCLI_AUTH: cluster.password },
    timeout: 5000,
  });
  const n = Number(result.stdout.trim());
  return Number.isInteger(n) ? n : -1;
}

/** Each shard's waiting, active and delayed batches (BullMQ's lists under the shard's prefix; -1: unreadable). */
export function shardBacklogs(cluster: TestRedisCluster, shards: number, prefix = 'bull'): ShardBacklog[] {
  return Array.from({ length: shards }, (_, shard) => {
    const keyOf = (list: string): string => `{${prefix}-${shard}}:${CAPTURE_QUEUE}:${list}`;
    const master = cluster.masterOf(keyOf('wait'));
    return {
      shard,
      master,
      waiting: count(cluster, master, 'LLEN', keyOf('wait')),
      active: count(cluster, master, 'LLEN', keyOf('active')),
      delayed: count(cluster, master, 'ZCARD', keyOf('delayed')),
    };
  });
}
