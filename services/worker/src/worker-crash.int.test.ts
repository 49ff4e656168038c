import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CAPTURE_BATCH_JOB, CAPTURE_JOB_OPTIONS, CAPTURE_QUEUE, createProducerConnection, type CaptureBatch } from '@shadowdiff/queue';
import { createTestDatabase, eventually, freshQueuePrefix, orderCapture, runCli, type CliProcess, type TestDatabase } from '@shadowdiff/testkit';

const BATCHES = 150;
const PER_BATCH = 50;
const TOTAL = BATCHES * PER_BATCH;

/**
 * A worker process stopped mid-run, politely (SIGTERM: it finishes or returns its jobs) or not
 * (SIGKILL: its jobs' locks expire and the next worker takes them over), loses nothing and
 * counts nothing twice.
 */
describe.each(['SIGTERM', 'SIGKILL'] as const)('worker stopped with %s and restarted', (signal) => {
  let db: TestDatabase;
  let queue: Queue<CaptureBatch>;
  const prefix = freshQueuePrefix();
  const connection = createProducerConnection(inject('redisUrl'));
  const workers: CliProcess[] = [];
  let differing = 0;

  const startWorker = () => {
    const worker = runCli(['worker', '--concurrency', '4'], {
      DATABASE_URL: db.url,
      REDIS_URL: inject('redisUrl'),
      SHADOWDIFF_REDIS_PREFIX: prefix,
      SHADOWDIFF_WORKER_LOCK_DURATION_MS: '2000',
      SHADOWDIFF_WORKER_ADMIN_PORT: '0',
      SHADOWDIFF_LOG_LEVEL: 'warn',
    });
    workers.push(worker);
    return worker;
  };
  const stored = async () => Number((await db.pool.query('SELECT count(*) AS n FROM exchanges')).rows[0].n);

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    queue = new Queue<CaptureBatch>(CAPTURE_QUEUE, { connection, prefix });
    const jobs = Array.from({ length: BATCHES }, (_, b) => {
      const captures = Array.from({ length: PER_BATCH }, (_, i) => orderCapture('crash', { differs: (b * PER_BATCH + i) % 10 === 0 }));
      differing += captures.filter((_, i) => (b * PER_BATCH + i) % 10 === 0).length;
      return { name: CAPTURE_BATCH_JOB, data: { captures }, opts: { ...CAPTURE_JOB_OPTIONS, jobId: captures[0]!.id } };
    });
    await queue.addBulk(jobs);
  });

  afterAll(async () => {
    for (const worker of workers) await worker.stop(2000);
    await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
    await db.drop();
  });

  it('stores every capture exactly once', async () => {
    const first = startWorker();
    await first.waitFor(/worker consuming/);
    const partial = await eventually(async () => {
      const n = await stored();
      return n > 0 ? n : 0;
    }, 30_000, 10);
    first.child.kill(signal);
    const code = await first.exited();
    if (signal === 'SIGTERM') expect(code).toBe(0);
    const afterKill = await stored();
    expect(partial).toBeGreaterThan(0);
    expect(afterKill).toBeLessThan(TOTAL);

    const second = startWorker();
    await second.waitFor(/worker consuming/);
    await eventually(async () => (await stored()) === TOTAL, 60_000, 200);

    const { rows } = await db.pool.query(`
      SELECT (SELECT count(*) FROM exchanges) AS exchanges,
             (SELECT count(DISTINCT id) FROM exchanges) AS distinct_ids,
             (SELECT sum(exchanges)::bigint FROM route_stats) AS counted,
             (SELECT sum(with_differences)::bigint FROM route_stats) AS counted_differing,
             (SELECT count(DISTINCT exchange_id) FROM differences) AS differing_rows`);
    expect(rows[0]).toEqual({ exchanges: TOTAL, distinct_ids: TOTAL, counted: TOTAL, counted_differing: differing, differing_rows: differing });
  });
});
