import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@shadowdiff/core';
import { findFreePort, startEmbeddedPostgres, type LocalPostgres } from '@shadowdiff/local-infra';
import { CAPTURE_BATCH_JOB, CAPTURE_JOB_OPTIONS, type CaptureBatch } from '@shadowdiff/queue';
import { createPool, migrate, type Pool } from '@shadowdiff/store';
import { eventually, orderCapture, removeStateFolder } from '@shadowdiff/testkit';
import { startTestWorker, type TestWorker } from '../test/test-worker.ts';

/** Postgres goes away while captures wait in the queue; once it is back they are all stored, once. */
describe('worker across a Postgres outage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shadowdiff-pg-outage-'));
  let port: number;
  let postgres: LocalPostgres;
  let pool: Pool;
  let running: TestWorker;
  let queue: Queue<CaptureBatch>;

  beforeAll(async () => {
    port = await findFreePort();
    postgres = await startEmbeddedPostgres({ dir: join(dir, 'pg'), port });
    pool = createPool(postgres.url, { logger: silentLogger() });
    await migrate(pool);
    running = startTestWorker(pool, { keepIdenticalShare: 0 });
    queue = running.queue;
  });

  afterAll(async () => {
    await running.stop();
    await pool.end();
    await postgres.stop();
    removeStateFolder(dir);
  });

  it('retries with backoff and stores everything after recovery', async () => {
    const warmup = orderCapture('outage');
    await queue.add(CAPTURE_BATCH_JOB, { captures: [warmup] }, { ...CAPTURE_JOB_OPTIONS, jobId: warmup.id });
    await eventually(async () => Number((await pool.query('SELECT count(*) AS n FROM exchanges')).rows[0].n) === 1);

    await postgres.stop();
    const captures = Array.from({ length: 200 }, (_, i) => orderCapture('outage', { differs: i % 4 === 0 }));
    for (let i = 0; i < captures.length; i += 50) {
      const batch = captures.slice(i, i + 50);
      await queue.add(CAPTURE_BATCH_JOB, { captures: batch }, { ...CAPTURE_JOB_OPTIONS, jobId: batch[0]!.id });
    }
    // The worker is failing its attempts now; the jobs wait for their backoff in Redis.
    await eventually(async () => (await queue.getDelayedCount()) > 0, 10_000);

    postgres = await startEmbeddedPostgres({ dir: join(dir, 'pg'), port });
    const stored = await eventually(async () => {
      const n = Number((await pool.query('SELECT count(*) AS n FROM exchanges').catch(() => ({ rows: [{ n: 0 }] }))).rows[0].n);
      return n === 201 ? n : 0;
    }, 40_000, 250);
    expect(stored).toBe(201);
    const { rows } = await pool.query('SELECT sum(exchanges)::bigint AS n, sum(with_differences)::bigint AS d FROM route_stats');
    expect(rows[0]).toEqual({ n: 201, d: 50 });
  });
});
