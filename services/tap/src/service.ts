import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { ConfigError, type Logger } from '@shadowdiff/core';
import type { ShadowdiffConfig } from '@shadowdiff/config';
import { CAPTURE_QUEUE, createCaptureBatcher, createProducerConnection, type CaptureBatch } from '@shadowdiff/queue';
import { createTap } from './app';
import { createTapMetrics, type TapMetrics } from './metrics';

export interface TapService {
  url: string;
  metrics: TapMetrics;
  close(): Promise<void>;
}

/**
 * Starts the tap in inline mode: listening, mirroring, and batching captures to the queue on
 * `redisUrl`. Shutdown stops accepting first, lets requests finish, then flushes what is buffered.
 */
export async function startTapService(
  config: ShadowdiffConfig,
  deps: { redisUrl: string; logger: Logger; queuePrefix?: string },
): Promise<TapService> {
  const { primary, candidate, secondary } = config.upstreams;
  if (!primary || !candidate) {
    throw new ConfigError('the tap needs upstreams.primary and upstreams.candidate (flags --primary and --candidate)');
  }
  const logger = deps.logger.child({ service: 'tap', run: config.run });
  const metrics = createTapMetrics();
  const connection = createProducerConnection(deps.redisUrl);
  connection.on('error', (error) => logger.debug({ err: error.message }, 'redis connection error'));
  const queue = new Queue<CaptureBatch>(CAPTURE_QUEUE, { connection, ...(deps.queuePrefix ? { prefix: deps.queuePrefix } : {}) });
  queue.on('error', (error) => logger.debug({ err: error.message }, 'queue error'));
  const batcher = createCaptureBatcher(queue, {
    batchSize: config.tap.batchSize,
    flushMs: config.tap.batchFlushMs,
    maxBuffered: config.tap.maxBufferedCaptures,
    logger,
    onDrop: (reason, count) => metrics.dropped.inc({ reason }, count),
    onFlush: (count) => {
      metrics.batchFlushes.inc();
      metrics.capturesQueued.inc(count);
    },
  });
  const tap = createTap(
    {
      run: config.run,
      primaryUrl: primary,
      candidateUrl: candidate,
      ...(secondary ? { secondaryUrl: secondary } : {}),
      mirrorPercentage: config.tap.mirrorPercentage,
      mirrorUnsafeMethods: config.tap.mirrorUnsafeMethods,
      shadowTimeoutMs: config.tap.shadowTimeoutMs,
      maxBodyBytes: config.tap.maxBodyBytes,
      shadowHostSuffix: config.tap.shadowHostSuffix,
      maxInFlightShadows: config.tap.maxInFlightShadows,
    },
    { emit: (capture) => batcher.push(capture), metrics, logger },
  );
  await new Promise<void>((resolve, reject) => {
    tap.server.once('error', reject);
    tap.server.listen(config.tap.port, config.tap.host, () => resolve());
  });
  const address = tap.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url, primary, candidate, secondary }, 'tap listening');
  return {
    url,
    metrics,
    async close() {
      await tap.close();
      await batcher.close();
      await queue.close();
      connection.disconnect();
    },
  };
}
