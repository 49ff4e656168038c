import type { Logger } from '@shadowdiff/core';
import type { TapMetrics } from '../metrics.ts';
import type { SideObservation } from './shadow-processor.ts';
import type { ShadowThreadHandlers } from './shadow-thread.ts';
import type { ShadowHandlers } from './shadows.ts';

/** How the shadows' reports count in the tap's metrics: each side's outcome and latency, and what was lost. */
export function shadowReportHandlers(metrics: TapMetrics, logger: Logger): ShadowHandlers {
  const latency = {
    candidate: metrics.shadowLatency.labels({ side: 'candidate' }),
    secondary: metrics.shadowLatency.labels({ side: 'secondary' }),
  };
  const record = (side: 'candidate' | 'secondary', observation: SideObservation): void => {
    metrics.shadowOutcomes.inc({ side, outcome: observation.outcome });
    latency[side].observe(observation.latencyMs / 1000);
  };
  return {
    onDone: (report, exchangeId) => {
      record('candidate', report.candidate);
      if (report.secondary) record('secondary', report.secondary);
      if (report.redactionError !== undefined) {
        // Never queued: what could not be redacted.
        metrics.dropped.inc({ reason: 'redaction_failed' });
        logger.error({ err: report.redactionError, exchangeId }, 'capture dropped: redaction failed');
      }
    },
    onLost: (jobs) => {
      metrics.dropped.inc({ reason: 'shadow_thread_failed' }, jobs);
    },
  };
}

/** The shadow thread's reports in the tap's metrics: the shadows', and the queue's (batches, drops, backlog). */
export function shadowThreadHandlers(metrics: TapMetrics, logger: Logger): ShadowThreadHandlers {
  return {
    ...shadowReportHandlers(metrics, logger),
    logger,
    onDrop: (reason, count) => metrics.dropped.inc({ reason }, count),
    onBacklog: (waiting, oldestAgeMs) => {
      metrics.queueWaiting.set(waiting);
      metrics.queueOldestAge.set(oldestAgeMs === null ? 0 : oldestAgeMs / 1000);
    },
    onLoopDelay: (delay) => {
      metrics.shadowLoopDelay.set({ quantile: '0.5' }, delay.p50Ms / 1000);
      metrics.shadowLoopDelay.set({ quantile: '0.99' }, delay.p99Ms / 1000);
      metrics.shadowLoopDelay.set({ quantile: '1' }, delay.maxMs / 1000);
    },
    onFlush: (count) => {
      metrics.batchFlushes.inc();
      metrics.capturesQueued.inc(count);
    },
  };
}
