import { Worker, type Job } from 'bullmq';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from '@shadowdiff/core';
import type { DiffOptions } from '@shadowdiff/diff';
import { CAPTURE_QUEUE, LAST_CONSUMED_KEY, connectWorker, shardPrefixes, type CaptureBatch } from '@shadowdiff/queue';
import { insertDeadLetters, type Pool } from '@shadowdiff/store';
import type { Readiness } from './admin-server.ts';
import { processBatch } from './process-batch.ts';
import { startShardWatchdog } from './shard-watchdog.ts';
import { startStorageUpkeep } from './storage-upkeep.ts';
import { createRunDiffOptions } from './run-diff-options.ts';

export interface CaptureWorkerOptions {
  /** One redis:// URL, or with `redisCluster`, a cluster's seed URLs, comma-separated. */
  redisUrl: string;
  /** The Redis is a Redis Cluster. */
  redisCluster?: boolean;
  /** Queue shards to consume (all of them: a capture's shard is chosen by its producer); 1 unless given. */
  queueShards?: number;
  pool: Pool;
  /** Options for every run; each run's own rules are added to them. */
  diffOptions: DiffOptions;
  /** Batches processed at once, over all shards. */
  concurrency: number;
  keepIdenticalShare: number;
  /** How long a crashed worker's job stays locked before another worker takes it over. */
  lockDurationMs?: number;
  /** How long a shard's batches may wait, none taken while this worker has room, before its consumer is made anew (default 30 s). */
  stuckShardMs?: number;
  logger: Logger;
  queuePrefix?: string;
  /** Days of exchanges kept (`retention.days`): older days are pruned every hour. Unset keeps all. */
  retentionDays?: number | undefined;
}

export interface CaptureWorker {
  /** One BullMQ worker per queue shard, in shard order (a shard's is replaced when it is restarted). */
  workers: Worker<CaptureBatch>[];
  registry: Registry;
  /** Redis and Postgres reachable, and consuming (running, not closing), for `/readyz`. */
  readiness(): Promise<Readiness>;
  /** Waits for jobs in progress to finish, then disconnects. Unfinished jobs return to the queue. */
  close(): Promise<void>;
}

/** A check that has not answered within this long counts as failed. */
const CHECK_TIMEOUT_MS = 2000;

async function answers(check: () => Promise<unknown>): Promise<boolean> {
  return (await withinCheckTimeout(check().then(() => true))) ?? false;
}

/** The value of `read`, or undefined if it has not answered within CHECK_TIMEOUT_MS or failed. */
function withinCheckTimeout<T>(read: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), CHECK_TIMEOUT_MS)));
  return Promise.race([read.catch(() => undefined), timeout]).finally(() => clearTimeout(timer));
}

/** Closes a BullMQ worker (its batches in progress finish first); false if that took longer than `ms`. */
async function closeWithin(worker: Worker, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  return Promise.race([worker.close().then(() => true, () => true), late]).finally(() => clearTimeout(timer));
}

/** The BullMQ consumer of capture batches. */
export function createCaptureWorker(options: CaptureWorkerOptions): CaptureWorker {
  const logger = options.logger.child({ service: 'worker' });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'shadowdiff_worker_' });
  const exchanges = new Counter({
    name: 'shadowdiff_worker_exchanges_total',
    help: 'Captures processed, by result',
    labelNames: ['result'],
    registers: [registry],
  });
  const lastConsumed = new Gauge({
    name: 'shadowdiff_worker_last_consumed_timestamp_seconds',
    help: 'When this worker last finished a batch (Unix time; 0: not yet)',
    registers: [registry],
  });
  const diffOptions = createRunDiffOptions({ pool: options.pool, base: options.diffOptions, logger });
  const connection = connectWorker({ url: options.redisUrl, cluster: options.redisCluster ?? false });
  connection.on('error', (error) => logger.debug({ err: error.message }, 'redis connection error'));
  const handle = async (job: Job<CaptureBatch>, shard: Worker<CaptureBatch>) => {
    // Producers queue batches only: anything else can never be processed, and is dead-lettered whole.
    if (!Array.isArray(job.data?.captures)) {
      await insertDeadLetters(options.pool, [{ captureId: null, runName: null, reason: 'job is not a capture batch', payload: job.data ?? null }]);
      exchanges.inc({ result: 'dead_letter' });
      return { stored: 0, duplicates: 0, deadLettered: 1 };
    }
    const result = await processBatch(job.data.captures, {
      pool: options.pool,
      diffOptions,
      keepIdenticalShare: options.keepIdenticalShare,
      logger,
    });
    exchanges.inc({ result: 'stored' }, result.stored);
    exchanges.inc({ result: 'duplicate' }, result.duplicates);
    exchanges.inc({ result: 'dead_letter' }, result.deadLettered);
    noteConsumed(shard);
    return result;
  };
  const prefixes = shardPrefixes({ prefix: options.queuePrefix ?? 'bull', shards: options.queueShards ?? 1, cluster: options.redisCluster ?? false });
  // The concurrency is shared out over the shards, so Postgres sees about as many batches at once
  // however many shards there are.
  const perShard = Math.max(1, Math.ceil(options.concurrency / prefixes.length));
  let closing = false;
  const makeConsumer = (shard: number): Worker<CaptureBatch> => {
    const worker: Worker<CaptureBatch> = new Worker<CaptureBatch>(
      CAPTURE_QUEUE,
      async (job) => {
        watchdog.taken(shard);
        try {
          return await handle(job, worker);
        } finally {
          watchdog.finished(shard);
        }
      },
      {
        connection,
        concurrency: perShard,
        lockDuration: options.lockDurationMs ?? 30_000,
        stalledInterval: Math.min(options.lockDurationMs ?? 30_000, 30_000),
        // A job whose lock expired is retried by the next worker, up to this many times, before
        // it is failed as stalled; a SIGKILLed worker must not make a batch poison.
        maxStalledCount: 5,
        prefix: prefixes[shard]!,
      },
    );
    worker.on('failed', (job, error) => logger.warn({ job: job?.id, attempt: job?.attemptsMade, err: error.message }, 'batch failed, will retry'));
    worker.on('error', (error) => logger.debug({ err: error.message }, 'worker error'));
    return worker;
  };
  const consumerRestarts = new Counter({
    name: 'shadowdiff_worker_shard_consumer_restarts_total',
    help: 'Queue shard consumers closed and made anew because their batches waited and none were taken',
    labelNames: ['shard'],
    registers: [registry],
  });
  // Consumers being closed after a restart: their batches in progress finish, and close() waits for them.
  const retiring = new Set<Promise<void>>();
  const watchdog = startShardWatchdog({
    shards: prefixes.length,
    capacity: perShard,
    stuckAfterMs: options.stuckShardMs ?? 30_000,
    logger,
    // A read that never answers (a master's slot left hanging) counts as unknown, not as a stall of every check.
    waiting: async (shard) => (await withinCheckTimeout(connection.llen(workers[shard]!.keys.wait!))) ?? -1,
    consuming: (shard) => !closing && workers[shard]!.isRunning() && !workers[shard]!.isPaused(),
    async restart(shard) {
      const stuck = workers[shard]!;
      workers[shard] = makeConsumer(shard);
      consumerRestarts.inc({ shard: String(shard) });
      // The new consumer takes the shard's batches at once; the old one is closed meanwhile,
      // waited for no longer than a batch's lock (a hung connection may never let it close).
      markedAt.delete(stuck);
      const retired = closeWithin(stuck, options.lockDurationMs ?? 30_000).then(async (closed) => {
        if (closed) return;
        // Its connection hangs, so a graceful close waits for ever: stop its timers and drop its
        // connections instead; a batch it still held returns to the queue once its lock expires.
        logger.warn({ shard }, 'stuck queue shard consumer did not close in time; closed by force');
        await Promise.race([Promise.allSettled([stuck.close(true), stuck.disconnect()]), new Promise((resolve) => setTimeout(resolve, CHECK_TIMEOUT_MS).unref())]);
      });
      retiring.add(retired);
      void retired.finally(() => retiring.delete(retired));
    },
  });
  const workers = prefixes.map((_, shard) => makeConsumer(shard));
  // Marks in Redis when a batch was last finished, at most once a second, so that anyone reading
  // the queue (the API's /readyz) can tell a backlog with no consumer from one being worked off.
  const markedAt = new Map<Worker<CaptureBatch>, number>();
  let consumedAt = 0;
  function noteConsumed(worker: Worker<CaptureBatch>): void {
    const now = Date.now();
    consumedAt = now;
    lastConsumed.set(now / 1000);
    if (now - (markedAt.get(worker) ?? 0) < 1000) return;
    markedAt.set(worker, now);
    connection.set(worker.toKey(LAST_CONSUMED_KEY), String(now)).catch((error: Error) => logger.debug({ err: error.message }, 'last-consumed mark not written'));
  }
  const pruned = new Counter({
    name: 'shadowdiff_worker_pruned_exchanges_total',
    help: 'Exchanges removed by the retention prune this worker ran',
    registers: [registry],
  });
  const stopUpkeep = startStorageUpkeep({ pool: options.pool, logger, retentionDays: options.retentionDays, onPruned: (n) => pruned.inc(n) });
  return {
    workers,
    registry,
    async readiness() {
      const [redis, postgres] = await Promise.all([answers(() => connection.ping()), answers(() => options.pool.query('SELECT 1'))]);
      const consuming = !closing && workers.every((worker) => worker.isRunning() && !worker.isPaused());
      return { ready: redis && postgres && consuming, redis, postgres, consuming, lastConsumedAt: consumedAt ? new Date(consumedAt).toISOString() : null };
    },
    async close() {
      closing = true;
      watchdog.stop();
      await stopUpkeep();
      await Promise.all([...workers.map((worker) => worker.close()), ...retiring]);
      connection.disconnect();
    },
  };
}
