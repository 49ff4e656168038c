import { compileRoutePattern } from '@shadowdiff/core';
import type { ShadowdiffConfig } from '@shadowdiff/config';
import { createDiffOptions } from '@shadowdiff/diff';
import type { CaptureWorkerOptions } from './worker.ts';

/** The worker's settings as the configuration gives them. */
export function workerSettings(
  config: ShadowdiffConfig,
): Pick<CaptureWorkerOptions, 'diffOptions' | 'concurrency' | 'keepIdenticalShare' | 'lockDurationMs' | 'stuckShardMs' | 'queuePrefix' | 'queueShards' | 'redisCluster' | 'retentionDays'> {
  return {
    diffOptions: createDiffOptions({
      ignoreHeaders: config.diff.ignoreHeaders,
      rules: config.diff.rules,
      routePatterns: config.diff.routes.map(compileRoutePattern),
      maxDecodedBytes: config.diff.maxDecodedBytes,
    }),
    concurrency: config.worker.concurrency,
    keepIdenticalShare: config.worker.keepIdenticalShare,
    lockDurationMs: config.worker.lockDurationMs,
    stuckShardMs: config.worker.stuckShardMs,
    queuePrefix: config.redis.prefix,
    queueShards: config.redis.queueShards,
    redisCluster: config.redis.cluster,
    retentionDays: config.retention.days,
  };
}
