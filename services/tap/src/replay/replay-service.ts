/**
 * A replay wired from the configuration, as the tap would be: the sides' connection pools, the
 * tap's redaction key and rules, and a bounded batcher onto the capture queue.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ShadowdiffConfig } from '@shadowdiff/config';
import { createRedactor, redactionFromConfig, type Logger } from '@shadowdiff/core';
import { closeCaptureQueues, connectProducer, createCaptureBatcher, openCaptureQueues, readQueueBacklog, readyOrTimeout, type DropReason } from '@shadowdiff/queue';
import type { RecordedExchange } from '@shadowdiff/recordings';
import { createUpstream } from '../proxy-server.ts';
import { replayExchanges, type ReplayOptions, type ReplaySummary } from './replay.ts';

export interface ReplayRequest extends Pick<ReplayOptions, 'recordingId' | 'replayOf' | 'startedAtMs' | 'pace' | 'concurrency' | 'allowUnsafe' | 'redacted' | 'done' | 'signal' | 'onSent' | 'onSkipped' | 'env'> {
  exchanges: readonly RecordedExchange[];
  /** Where the queue is: the configuration's Redis unless given. */
  redisUrl: string;
}

export interface FiledReplay extends ReplaySummary {
  /** Captures that never reached the queue (Redis away, or its backlog full), by reason. */
  dropped: Partial<Record<DropReason, number>>;
}

/** Replays `request.exchanges` against the configuration's upstreams into its run; resolves once every capture is queued. */
export async function replayIntoRun(config: ShadowdiffConfig, request: ReplayRequest, logger: Logger): Promise<FiledReplay> {
  const { primary, candidate, secondary } = config.upstreams;
  if (!candidate) throw new Error('a replay needs the candidate (--candidate URL)');
  const { cluster, queueShards: shards, prefix } = config.redis;
  const connection = connectProducer({ url: request.redisUrl, cluster });
  connection.on('error', () => undefined);
  const queue = openCaptureQueues(connection, { prefix, shards, cluster });
  for (const shard of queue) shard.on('error', () => undefined);
  const dropped: Partial<Record<DropReason, number>> = {};
  const batcher = createCaptureBatcher(queue, {
    batchSize: config.tap.batchSize,
    flushMs: config.tap.batchFlushMs,
    maxBuffered: Math.max(config.tap.maxBufferedCaptures, request.concurrency * 4),
    logger,
    onDrop: (reason, count) => (dropped[reason] = (dropped[reason] ?? 0) + count),
  });
  const concurrency = Math.max(1, request.concurrency);
  // Held captures stay under the batcher's own bound, so none is dropped as buffer_full.
  const limit = Math.max(1, Math.min(Math.max(config.tap.batchSize * 4, concurrency * 2), config.tap.maxBufferedCaptures - concurrency));
  // The queue's backlog, read at most every 250 ms: while it is at the tap's bound (workers
  // behind), the replay waits rather than grow Redis without end.
  let backlogReadAt = 0;
  let full = false;
  const backlogFull = async (): Promise<boolean> => {
    if (Date.now() - backlogReadAt >= 250) {
      backlogReadAt = Date.now();
      full = (await readQueueBacklog(queue).catch(() => ({ waitingBatches: 0 }))).waitingBatches >= config.tap.maxQueuedBatches;
    }
    return full;
  };
  const sides = {
    ...(primary ? { primary: createUpstream(primary, concurrency) } : {}),
    candidate: createUpstream(candidate, concurrency),
    ...(secondary ? { secondary: createUpstream(secondary, concurrency) } : {}),
  };
  try {
    // readyOrTimeout resolves either way; whether Redis answered is the connection's status.
    await readyOrTimeout(connection, 10_000).catch(() => undefined);
    if (connection.status !== 'ready') throw new Error(`Redis at ${request.redisUrl.replace(/\/\/[^@,]*@/g, '//')} is not reachable: nothing is sent`);
    const started = performance.now();
    const summary = await replayExchanges({
      ...request,
      run: config.run,
      sides,
      shadowHostSuffix: config.tap.shadowHostSuffix,
      timeoutMs: config.tap.shadowTimeoutMs,
      maxBodyBytes: config.tap.maxBodyBytes,
      redactor: createRedactor(redactionFromConfig(config)),
      emit: (capture) => batcher.push(capture),
      // Unlike the tap, nobody waits on a replay: it waits for Redis to take what it holds
      // rather than drop captures, so a replay at full speed files every exchange.
      backpressure: async () => {
        while (batcher.held >= limit || (await backlogFull())) await sleep(10);
      },
    });
    await batcher.flush();
    // Until every capture is queued: what was sent is not filed before Redis has it.
    return { ...summary, elapsedMs: performance.now() - started, dropped };
  } finally {
    await batcher.close();
    await closeCaptureQueues(queue);
    connection.disconnect();
    await Promise.all(Object.values(sides).map((side) => side.dispatcher.close()));
  }
}
