import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { silentLogger } from '@shadowdiff/core';
import { createDiffOptions } from '@shadowdiff/diff';
import { CAPTURE_BATCH_JOB, CAPTURE_JOB_OPTIONS, CAPTURE_QUEUE, captureBatchJobId, closeCaptureQueues, createProducerConnection, openCaptureQueues, readyOrTimeout, shardPrefixes } from '@shadowdiff/queue';
import { createTestDatabase, freshQueuePrefix, orderCapture, startFreezingProxy, type FreezingProxy, type TestDatabase } from '@shadowdiff/testkit';
import { createCaptureWorker, type CaptureWorker } from './worker.ts';

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('a queue shard whose consumer hangs on its blocking connection', () => {
  let db: TestDatabase;
  let proxy: FreezingProxy;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    const redis = new URL(inject('redisUrl'));
    proxy = await startFreezingProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
  });
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await proxy?.close();
    await db?.drop();
  });

  const stored = async (run: string): Promise<number> =>
    Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM exchanges e JOIN runs r ON r.id = e.run_id WHERE r.name = $1', [run])).rows[0]!.n);

  it('gets a new consumer once its batches wait with none taken, and the other shard is left alone', { timeout: 90_000 }, async () => {
    const prefix = freshQueuePrefix();
    const layout = { prefix, shards: 2, cluster: false };
    // The worker reaches Redis through the proxy; the producer directly.
    const viaProxy = new URL(inject('redisUrl'));
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const worker: CaptureWorker = createCaptureWorker({
      redisUrl: viaProxy.toString(),
      queueShards: 2,
      queuePrefix: prefix,
      pool: db.pool,
      diffOptions: createDiffOptions({}),
      concurrency: 2,
      keepIdenticalShare: 0,
      lockDurationMs: 5000,
      stuckShardMs: 3000,
      logger: silentLogger(),
    });
    stops.push(() => worker.close());
    const connection = createProducerConnection(inject('redisUrl'));
    await readyOrTimeout(connection, 5000);
    const queues = openCaptureQueues(connection, layout);
    stops.push(async () => {
      await Promise.all(queues.map((queue) => queue.obliterate({ force: true }).catch(() => undefined)));
      await closeCaptureQueues(queues);
      connection.disconnect();
    });
    const offer = async (shard: number, run: string, n: number): Promise<void> => {
      const captures = Array.from({ length: n }, () => orderCapture(run));
      await queues[shard]!.add(CAPTURE_BATCH_JOB, { captures }, { ...CAPTURE_JOB_OPTIONS, jobId: captureBatchJobId(captures) });
    };
    const restarts = async (shard: number): Promise<number> => {
      const metric = await worker.registry.getSingleMetric('shadowdiff_worker_shard_consumer_restarts_total')!.get();
      return metric.values.find((v) => v.labels.shard === String(shard))?.value ?? 0;
    };

    await offer(0, 'stuck-before-0', 3);
    await offer(1, 'stuck-before-1', 3);
    await vi.waitFor(async () => expect((await stored('stuck-before-0')) + (await stored('stuck-before-1'))).toBe(6), { timeout: 15_000, interval: 100 });

    // Shard 1's blocking connection hangs, and so does every connection opened while it does:
    // BullMQ's own reconnection of it, some seconds after its block should have timed out, hangs too,
    // and the consumer waits on it for good, as after a Redis Cluster master's restart.
    const shard1Marker = `${shardPrefixes(layout)[1]}:${CAPTURE_QUEUE}:marker`;
    proxy.freeze(new RegExp(`bzpopmin\\r\\n\\$\\d+\\r\\n${escape(shard1Marker)}`, 'i'));
    // The hung blocking connection, then the one BullMQ opens in its place once its block times out.
    await vi.waitFor(() => expect(proxy.frozen()).toBeGreaterThanOrEqual(2), { timeout: 30_000, interval: 100 });
    proxy.thaw();

    await offer(0, 'stuck-after-0', 2);
    await offer(1, 'stuck-after-1', 2);
    // Shard 0 never stopped; shard 1's batches are taken once its consumer is made anew.
    await vi.waitFor(async () => expect(await stored('stuck-after-0')).toBe(2), { timeout: 10_000, interval: 100 });
    await vi.waitFor(async () => expect(await stored('stuck-after-1')).toBe(2), { timeout: 30_000, interval: 250 });
    expect(await restarts(1)).toBeGreaterThanOrEqual(1);
    expect(await restarts(0)).toBe(0);
    expect((await worker.readiness()).consuming).toBe(true);
    expect(await queues[1]!.getWaitingCount()).toBe(0);
  });
});
