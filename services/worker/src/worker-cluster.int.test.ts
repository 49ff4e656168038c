import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { silentLogger, type Capture } from '@shadowdiff/core';
import { createDiffOptions } from '@shadowdiff/diff';
import {
  CAPTURE_BATCH_JOB,
  CAPTURE_QUEUE,
  closeCaptureQueues,
  connectProducer,
  createCaptureBatcher,
  createProducerConnection,
  openCaptureQueues,
  readQueueBacklog,
  readyOrTimeout,
  shardPrefixes,
  type CaptureBatch,
  type DropReason,
} from '@shadowdiff/queue';
import { createTestDatabase, eventually, freshQueuePrefix, orderCapture, startRedisCluster, type TestDatabase, type TestRedisCluster } from '@shadowdiff/testkit';
import { createCaptureWorker, type CaptureWorker } from './worker.ts';

const SHARDS = 6;

describe('capture queue on a real 3-master Redis Cluster, spread over shards', () => {
  let cluster: TestRedisCluster;
  let db: TestDatabase;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    [cluster, db] = await Promise.all([startRedisCluster(), createTestDatabase(inject('pgAdminUrl'))]);
  });
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await db?.drop();
    await cluster?.stop();
  });

  const stored = async (run: string): Promise<{ rows: number; distinct: number }> => {
    const { rows } = await db.pool.query<{ rows: string; distinct: string }>('SELECT count(*) AS rows, count(DISTINCT e.id) AS distinct FROM exchanges e JOIN runs r ON r.id = e.run_id WHERE r.name = $1', [run]);
    return { rows: Number(rows[0]!.rows), distinct: Number(rows[0]!.distinct) };
  };

  const startWorker = (prefix: string, redis: { url: string; cluster: boolean }, shards: number): CaptureWorker => {
    const worker = createCaptureWorker({
      redisUrl: redis.url,
      redisCluster: redis.cluster,
      queueShards: shards,
      queuePrefix: prefix,
      pool: db.pool,
      diffOptions: createDiffOptions({}),
      concurrency: 4,
      keepIdenticalShare: 0,
      logger: silentLogger(),
    });
    stops.push(() => worker.close());
    return worker;
  };

  it('spreads the shards over the masters and keeps each queue in one slot', () => {
    const prefixes = shardPrefixes({ prefix: 'bull', shards: SHARDS, cluster: true });
    expect(prefixes).toEqual(['{bull-0}', '{bull-1}', '{bull-2}', '{bull-3}', '{bull-4}', '{bull-5}']);
    // BullMQ's keys of one shard (wait list, job hashes, events) share its hash tag, so its scripts stay in one slot.
    for (const prefix of prefixes) expect(new Set([`${prefix}:${CAPTURE_QUEUE}:wait`, `${prefix}:${CAPTURE_QUEUE}:123`, `${prefix}:${CAPTURE_QUEUE}:events`].map((k) => cluster.masterOf(k))).size).toBe(1);
    expect(new Set(prefixes.map((p) => cluster.masterOf(`${p}:x`))).size).toBe(3);
  });

  it('stores every capture offered exactly once, or counts it dropped, with a master restarted mid-run', async () => {
    const prefix = freshQueuePrefix();
    const run = 'cluster-restart';
    const worker = startWorker(prefix, { url: cluster.url, cluster: true }, SHARDS);
    const connection = connectProducer({ url: cluster.url, cluster: true });
    connection.on('error', () => undefined);
    await readyOrTimeout(connection, 5000);
    const queues = openCaptureQueues(connection, { prefix, shards: SHARDS, cluster: true });
    for (const queue of queues) queue.on('error', () => undefined);
    stops.push(async () => {
      await closeCaptureQueues(queues);
      connection.disconnect();
    });
    let flushed = 0;
    const dropped: Partial<Record<DropReason, number>> = {};
    const batcher = createCaptureBatcher(queues, {
      batchSize: 10,
      flushMs: 5,
      maxBuffered: 100_000,
      onFlush: (n) => (flushed += n),
      onDrop: (reason, n) => (dropped[reason] = (dropped[reason] ?? 0) + n),
    });

    // Traffic for about 6 s, while the master of one shard is killed and started again.
    let offered = 0;
    let sending = true;
    const traffic = (async () => {
      while (sending) {
        for (let i = 0; i < 20; i++) batcher.push(orderCapture(run, { differs: offered++ % 3 === 0 }));
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await new Promise((r) => setTimeout(r, 1500));
    const atKill = offered;
    await cluster.restartMaster(1, 1500);
    const afterRestart = offered;
    await new Promise((r) => setTimeout(r, 1500));
    sending = false;
    await traffic;
    await batcher.close();

    const drops = Object.values(dropped).reduce((sum, n) => sum + n, 0);
    expect(flushed + drops).toBe(offered);
    // Traffic flowed before, while the master was away and after.
    expect(atKill).toBeGreaterThan(0);
    expect(afterRestart - atKill).toBeGreaterThan(200);
    expect(offered).toBeGreaterThan(afterRestart);
    // A batch whose command went unanswered was sent again, so what Redis took is counted queued;
    // only what Redis surely refused is counted dropped.
    expect(Object.keys(dropped).filter((reason) => reason !== 'redis_unavailable')).toEqual([]);
    if (process.env.SHADOWDIFF_TEST_FIGURES) process.stderr.write(`offered ${offered}, queued ${flushed}, dropped ${drops}\n`);
    expect(flushed).toBeGreaterThan(offered / 2);
    await eventually(async () => (await stored(run)).rows >= flushed, 60_000, 200);
    // Retried jobs (a worker's connection broken mid-batch) store nothing twice.
    await new Promise((r) => setTimeout(r, 500));
    expect(await stored(run)).toEqual({ rows: flushed, distinct: flushed });
    const backlog = await readQueueBacklog(queues);
    expect(backlog).toMatchObject({ waitingBatches: 0, waitingCaptures: 0 });
    expect(backlog.lastConsumedMs).not.toBeNull();
    expect((await worker.readiness()).ready).toBe(true);
  });

  it('sums the backlog over every shard, and forms the same jobs when a batch is queued again', async () => {
    const prefix = freshQueuePrefix();
    const connection = connectProducer({ url: cluster.url, cluster: true });
    connection.on('error', () => undefined);
    await readyOrTimeout(connection, 5000);
    const queues = openCaptureQueues(connection, { prefix, shards: SHARDS, cluster: true });
    stops.push(async () => {
      await closeCaptureQueues(queues);
      connection.disconnect();
    });
    const captures: Capture[] = Array.from({ length: 120 }, () => orderCapture('cluster-backlog'));
    for (let round = 0; round < 2; round++) {
      const batcher = createCaptureBatcher(queues, { batchSize: 1000, flushMs: 5, maxBuffered: 1000 });
      for (const capture of captures) batcher.push(capture);
      await batcher.close();
    }
    const backlog = await readQueueBacklog(queues);
    // One job per shard that got captures, each counted once though queued twice.
    expect(backlog.waitingCaptures).toBe(120);
    expect(backlog.waitingBatches).toBe(SHARDS);
    const perShard = await Promise.all(queues.map((q) => q.getWaitingCount()));
    expect(perShard.every((n) => n === 1)).toBe(true);

    startWorker(prefix, { url: cluster.url, cluster: true }, SHARDS);
    await eventually(async () => (await stored('cluster-backlog')).rows === 120, 30_000);
    await eventually(async () => (await readQueueBacklog(queues)).waitingBatches === 0);
  });

  it('on a single Redis with one shard, consumes captures queued under the keys used before shards existed', async () => {
    const prefix = freshQueuePrefix();
    const url = inject('redisUrl');
    const connection = createProducerConnection(url);
    await readyOrTimeout(connection, 5000);
    // Queued as before: one queue, the plain prefix.
    const before = new Queue<CaptureBatch>(CAPTURE_QUEUE, { connection, prefix });
    const old = orderCapture('upgrade');
    await before.add(CAPTURE_BATCH_JOB, { captures: [old] }, { jobId: 'queued-before-upgrade' });
    stops.push(async () => {
      await before.obliterate({ force: true });
      await before.close();
      connection.disconnect();
    });
    expect(shardPrefixes({ prefix, shards: 1, cluster: false })).toEqual([prefix]);
    const queues = openCaptureQueues(connection, { prefix, shards: 1, cluster: false });
    const batcher = createCaptureBatcher(queues, { batchSize: 10, flushMs: 5, maxBuffered: 100 });
    const fresh = orderCapture('upgrade');
    batcher.push(fresh);
    await batcher.close();
    // Today's layout, key for key.
    expect(await connection.exists(`${prefix}:${CAPTURE_QUEUE}:wait`, `${prefix}:${CAPTURE_QUEUE}:queued-before-upgrade`)).toBe(2);
    expect(await connection.keys(`{${prefix}*`)).toEqual([]);
    await closeCaptureQueues(queues);

    startWorker(prefix, { url, cluster: false }, 1);
    await eventually(async () => (await stored('upgrade')).rows === 2, 20_000);
    const { rows } = await db.pool.query<{ id: string }>("SELECT e.id FROM exchanges e JOIN runs r ON r.id = e.run_id WHERE r.name = 'upgrade' ORDER BY e.id");
    expect(rows.map((r) => r.id).sort()).toEqual([old.id, fresh.id].sort());
  });
});
