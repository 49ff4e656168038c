import type { Server } from 'node:http';
import type { Logger, RedactorOptions } from '@shadowdiff/core';
import type { ShadowdiffConfig } from '@shadowdiff/config';
import type { TapMetrics } from './metrics.ts';
import type { ShadowThreadData } from './shadow/shadow-thread-messages.ts';
import { shadowThreadHandlers } from './shadow/shadow-reports.ts';
import { startShadowThread, type ShadowThread, type ShadowThreadStatus } from './shadow/shadow-thread.ts';

/** A tap mode (inline or recorder), built and ready to listen. */
export interface TapMode {
  /** Not yet listening. */
  server: Server;
  /** What capturing depends on: the shadow thread, and Redis as this mode reaches it. */
  status(): ShadowThreadStatus;
  /** Captures not yet queued or dropped. */
  readonly held: number;
  /** Stops accepting, lets requests finish, then flushes what is buffered and stops the thread. */
  close(): Promise<void>;
}

/** What every mode is built with. */
export interface TapModeDeps {
  redisUrl: string;
  queuePrefix?: string;
  /** How captures are redacted, the key already loaded. */
  redaction: RedactorOptions;
  metrics: TapMetrics;
  logger: Logger;
}

/**
 * Starts the shadow thread with its reports wired to the tap's metrics, and resolves once it is
 * ready. `shadows`: where the inline tap's copies go; a recorder has none, the thread only
 * queues its captures.
 */
export async function startShadowSide(config: ShadowdiffConfig, deps: TapModeDeps, shadows?: ShadowThreadData['shadows']): Promise<ShadowThread> {
  const { tap } = config;
  const thread = startShadowThread(
    {
      ...(shadows ? { shadows } : {}),
      redaction: deps.redaction,
      redisUrl: deps.redisUrl,
      ...(deps.queuePrefix ? { queuePrefix: deps.queuePrefix } : {}),
      redisCluster: config.redis.cluster,
      queueShards: config.redis.queueShards,
      batchSize: tap.batchSize,
      flushMs: tap.batchFlushMs,
      maxBuffered: tap.maxBufferedCaptures,
      maxQueuedBatches: tap.maxQueuedBatches,
      backlogPollMs: tap.backlogPollMs,
      niceIncrement: tap.shadowThreadNice,
    },
    shadowThreadHandlers(deps.metrics, deps.logger),
  );
  deps.metrics.readBufferedFrom(() => thread.held);
  await thread.ready;
  return thread;
}
