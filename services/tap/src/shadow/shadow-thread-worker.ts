/**
 * The shadow thread: everything that happens after a client has its answer. It sends the copies
 * to the candidate (and secondary), assembles and redacts each capture, and batches captures into
 * BullMQ jobs. However many copies are in flight (a slow candidate keeps hundreds waiting), their
 * sockets, timers and buffers, and the batches' serialisation, live in this thread's heap and
 * event loop, so they never pause the thread that serves clients. Every job is reported back
 * once, and every capture once, as queued or dropped with the reason.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { createRedactor } from '@shadowdiff/core';
import { closeCaptureQueues, connectProducer, createCaptureBatcher, openCaptureQueues, readyOrTimeout } from '@shadowdiff/queue';
import { nameThread, SHADOW_THREAD_NAME } from './thread-name.ts';
import { lowerThreadPriority } from './thread-priority.ts';
import { createShadowProcessor, type JobReport } from './shadow-processor.ts';
import { LOOP_DELAY_WINDOW_MS, REPORT_INTERVAL_MS, type FromShadowThread, type QueueState, type ShadowThreadStart, type ToShadowThread } from './shadow-thread-messages.ts';
import { drainShadowSides, openShadowSides } from './shadows.ts';

const data = workerData as ShadowThreadStart;
const jobsInFlight = new Int32Array(data.jobsInFlight);
nameThread(SHADOW_THREAD_NAME);
// Before anything runs here: on a busy host this thread yields CPU to the one serving clients.
const priority = data.niceIncrement ? lowerThreadPriority(data.niceIncrement) : undefined;
const port = parentPort!;
const tell = (message: FromShadowThread): void => port.postMessage(message);

const cluster = data.redisCluster ?? false;
const connection = connectProducer({ url: data.redisUrl, cluster });
// An unreachable Redis shows as dropped batches, reported below; the events themselves say nothing more.
connection.on('error', () => undefined);
const queues = openCaptureQueues(connection, { prefix: data.queuePrefix ?? 'bull', shards: data.queueShards ?? 1, cluster });
for (const queue of queues) queue.on('error', () => undefined);
let received = 0;
const state = (): QueueState => ({ held: batcher.held, received });
// The queue's backlog, read every `backlogPollMs`: beyond `maxQueuedBatches` waiting for a worker,
// new captures are dropped (backlog_full) rather than queued, so Redis memory stays bounded.
let backlogFull = false;
const readBacklog = async (): Promise<void> => {
  // The oldest waiting job is a wait list's tail; only its timestamp is read, not its captures.
  const shards = await Promise.all(
    queues.map(async (queue) => {
      const [waiting, oldestId] = await Promise.all([queue.getWaitingCount(), connection.lindex(queue.keys.wait!, -1)]);
      const createdAt = oldestId ? Number(await connection.hget(queue.toKey(oldestId), 'timestamp')) : NaN;
      return { waiting, createdAt: Number.isFinite(createdAt) ? createdAt : Infinity };
    }),
  );
  const waiting = shards.reduce((sum, shard) => sum + shard.waiting, 0);
  const createdAt = Math.min(...shards.map((shard) => shard.createdAt));
  backlogFull = waiting >= (data.maxQueuedBatches ?? Infinity);
  tell({ type: 'backlog', waiting, oldestAgeMs: Number.isFinite(createdAt) ? Date.now() - createdAt : null });
};
const backlogTimer = setInterval(() => void readBacklog().catch(() => undefined), data.backlogPollMs ?? 1000);
backlogTimer.unref();

// A response that arrives while this thread waits for a core, or runs other work, is timed late by
// that much, on every side alike: how late the loop runs tells how finely shadow latencies can be
// compared on this host. Sampled every 10 ms, which costs next to nothing; the histogram holds the
// time between samples, so the sampling interval itself is taken out.
const LOOP_DELAY_RESOLUTION_MS = 10;
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
loopDelay.enable();
const loopDelayTimer = setInterval(() => {
  if (loopDelay.count === 0) return;
  const ms = (ns: number): number => Math.max(0, Math.round(ns / 1e4) / 100 - LOOP_DELAY_RESOLUTION_MS);
  tell({ type: 'loop-delay', delay: { p50Ms: ms(loopDelay.percentile(50)), p99Ms: ms(loopDelay.percentile(99)), maxMs: ms(loopDelay.max) } });
  loopDelay.reset();
}, data.loopDelayWindowMs ?? LOOP_DELAY_WINDOW_MS);
loopDelayTimer.unref();

const batcher = createCaptureBatcher(queues, {
  batchSize: data.batchSize,
  flushMs: data.flushMs,
  maxBuffered: data.maxBuffered,
  backlogFull: () => backlogFull,
  onFlush: (count) => tell({ type: 'flushed', count, ...state() }),
  onDrop: (reason, count, error) => tell({ type: 'dropped', reason, count, ...(error ? { error } : {}), ...state() }),
});

const settings = data.shadows;
const sides = settings && openShadowSides(settings);
const processJob = sides && settings && createShadowProcessor({ sides, settings, redactor: createRedactor(data.redaction), emit: (capture) => batcher.push(capture) });

// Reports go back in one message every REPORT_INTERVAL_MS: a message per job would wake the
// serving thread once per request.
let inFlight = 0;
let reports: [string, JobReport][] = [];
let scheduled = false;
const sendReports = (): void => {
  scheduled = false;
  const batch = reports;
  reports = [];
  if (batch.length === 0) return;
  tell({ type: 'done', reports: batch, ...state() });
};

const close = async (graceMs: number): Promise<void> => {
  clearInterval(backlogTimer);
  clearInterval(loopDelayTimer);
  loopDelay.disable();
  if (sides) await drainShadowSides(sides, () => inFlight, graceMs);
  if (reports.length > 0) sendReports();
  await batcher.close();
  await closeCaptureQueues(queues);
  connection.disconnect();
  tell({ type: 'closed' });
};

port.on('message', (message: ToShadowThread) => {
  switch (message.type) {
    case 'jobs':
      for (const job of message.jobs) {
        inFlight += 1;
        void processJob!(job).then((report) => {
          inFlight -= 1;
          Atomics.sub(jobsInFlight, 0, 1);
          reports.push([job.exchangeId, report]);
          if (!scheduled) {
            scheduled = true;
            setTimeout(sendReports, REPORT_INTERVAL_MS);
          }
        });
      }
      break;
    case 'captures':
      received += message.captures.length;
      for (const capture of message.captures) batcher.push(capture);
      break;
    case 'close':
      void close(message.graceMs);
      break;
  }
});

await readyOrTimeout(connection, 2000);
tell({ type: 'ready', redis: connection.status === 'ready', ...(priority ? { priority } : {}) });
// Redis coming and going, for the tap's /readyz.
connection.on('ready', () => tell({ type: 'redis', up: true }));
connection.on('close', () => tell({ type: 'redis', up: false }));
