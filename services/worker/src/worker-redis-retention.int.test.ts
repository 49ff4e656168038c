import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CAPTURE_BATCH_JOB, CAPTURE_JOB_OPTIONS } from '@shadowdiff/queue';
import { createTestDatabase, eventually, orderCapture, type TestDatabase } from '@shadowdiff/testkit';
import { startTestWorker, type TestWorker } from '../test/test-worker.ts';

const CAPTURES = 100_000;
const BATCH = 100;

/** Bytes Redis holds for every key of the queue (MEMORY USAGE, keys and values). */
async function queueMemory(redis: Redis, prefix: string): Promise<{ keys: number; bytes: number; payloads: number }> {
  let bytes = 0;
  let payloads = 0;
  const keys = await redis.keys(`${prefix}:*`);
  for (const key of keys) {
    bytes += (await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) as number;
    if ((await redis.type(key)) === 'hash' && (await redis.hexists(key, 'data'))) payloads += 1;
  }
  return { keys: keys.length, bytes, payloads };
}

/**
 * Captures hold production traffic: once a batch is stored in Postgres nothing of it stays in
 * Redis, so Redis memory does not grow with traffic (and runs with noeviction safely).
 */
describe('what a stored batch leaves in Redis', () => {
  let db: TestDatabase;
  let running: TestWorker;
  let redis: Redis;

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    running = startTestWorker(db.pool, { keepIdenticalShare: 0 });
    redis = new Redis(inject('redisUrl'));
  });

  afterAll(async () => {
    redis?.disconnect();
    await running?.stop();
    await db?.drop();
  });

  /** Sends `count` captures in batches and waits until all of them (and those before) are stored. */
  const drive = async (count: number, before: number): Promise<void> => {
    for (let i = 0; i < count; i += BATCH * 10) {
      const jobs = Array.from({ length: 10 }, (_, j) => {
        const captures = Array.from({ length: BATCH }, (_, k) => orderCapture('retention', { bytes: 240, differs: (i + j * BATCH + k) % 10 === 0 }));
        return { name: CAPTURE_BATCH_JOB, data: { captures }, opts: { ...CAPTURE_JOB_OPTIONS, jobId: captures[0]!.id } };
      });
      await running.queue.addBulk(jobs);
    }
    const stored = await eventually(async () => {
      const n = Number((await db.pool.query('SELECT count(*) AS n FROM exchanges')).rows[0].n);
      return n === before + count ? n : 0;
    }, 90_000, 250);
    expect(stored).toBe(before + count);
    await eventually(async () => (await running.queue.getActiveCount()) === 0 && (await running.queue.getWaitingCount()) === 0, 10_000);
  };

  it(`keeps no payload, and memory flat, over ${CAPTURES} captures`, async () => {
    const prefix = `${running.queue.opts.prefix}:${running.queue.name}`;
    await drive(CAPTURES / 2, 0);
    const half = await queueMemory(redis, prefix);
    await drive(CAPTURES / 2, CAPTURES / 2);
    const all = await queueMemory(redis, prefix);
    expect(half.payloads).toBe(0);
    expect(all.payloads).toBe(0);
    // Queue bookkeeping only (ids, meta, an event stream capped at 1,000 events), none of the
    // captures of ~1 KB each: the second half of the traffic adds (almost) nothing.
    expect(all.bytes).toBeLessThan(256 * 1024);
    expect(all.bytes - half.bytes).toBeLessThan(64 * 1024);
  });
});
