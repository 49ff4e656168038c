import { describe, expect, it } from 'vitest';
import { silentLogger } from '@shadowdiff/core';
import { startShardWatchdog } from './shard-watchdog.ts';

/** A watchdog over two shards on a clock the test moves, with the backlog the test sets. */
function watchedShards() {
  let clock = 1_000_000;
  const waiting = [0, 0];
  const restarts: number[] = [];
  const watchdog = startShardWatchdog({
    shards: 2,
    capacity: 2,
    stuckAfterMs: 30_000,
    checkEveryMs: 3_600_000,
    logger: silentLogger(),
    now: () => clock,
    waiting: async (shard) => waiting[shard]!,
    consuming: () => true,
    restart: async (shard) => void restarts.push(shard),
  });
  const after = async (ms: number): Promise<void> => {
    clock += ms;
    await watchdog.check();
  };
  return { watchdog, waiting, restarts, after };
}

describe('shard watchdog', () => {
  it('restarts a shard whose batches wait with none taken for the bound, not before, and not the other', async () => {
    const { watchdog, waiting, restarts, after } = watchedShards();
    // Idle for an hour, then batches arrive: the hour without a batch taken does not count.
    await after(3_600_000);
    waiting[1] = 3;
    await after(0);
    await after(29_000);
    expect(restarts).toEqual([]);
    await after(2_000);
    expect(restarts).toEqual([1]);
    // Made anew, the consumer has its own bound again.
    await after(10_000);
    expect(restarts).toEqual([1]);
    watchdog.stop();
  });

  it('leaves alone a consumer that takes batches, or has no room for more', async () => {
    const { watchdog, waiting, restarts, after } = watchedShards();
    waiting[0] = 5;
    await after(0);
    for (let i = 0; i < 10; i++) {
      watchdog.taken(0);
      watchdog.finished(0);
      await after(10_000);
    }
    // Busy at its concurrency with slow batches: a backlog, yet nothing is stuck.
    watchdog.taken(0);
    watchdog.taken(0);
    await after(60_000);
    await after(60_000);
    expect(restarts).toEqual([]);
    // A batch done frees a slot; if nothing is taken into it for the bound, the consumer is stuck.
    watchdog.finished(0);
    await after(1_000);
    await after(31_000);
    expect(restarts).toEqual([0]);
    watchdog.stop();
  });

  it('forgets batches that were waiting once the queue is found empty', async () => {
    const { watchdog, waiting, restarts, after } = watchedShards();
    waiting[0] = 1;
    await after(0);
    await after(20_000);
    waiting[0] = 0;
    await after(5_000);
    waiting[0] = 1;
    await after(5_000);
    await after(20_000);
    expect(restarts).toEqual([]);
    watchdog.stop();
  });
});
