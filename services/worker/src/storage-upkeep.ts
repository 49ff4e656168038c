import { ShadowdiffError, type Logger } from '@shadowdiff/core';
import { ensureDayPartitions, pruneOlderThan, type Pool } from '@shadowdiff/store';

const DAY_MS = 86_400_000;

/** What the worker keeps up in storage between batches. */
export interface StorageUpkeepOptions {
  pool: Pool;
  logger: Logger;
  /** Days of exchanges kept; unset: nothing is pruned, partitions are still made ahead. */
  retentionDays?: number | undefined;
  /** How often; an hour by default. */
  intervalMs?: number;
  /** Told the number of exchanges each prune removed. */
  onPruned?: (exchanges: number) => void;
}

/**
 * Makes the coming days' partitions, and prunes days older than the retention, at start and then
 * every interval. Every worker does it: the schema lock lets one at a time work, the others skip
 * that round. A failure is logged and tried again next round; batches are never held up by it.
 * @returns a function that stops it and waits for a round in progress.
 */
export function startStorageUpkeep(options: StorageUpkeepOptions): () => Promise<void> {
  const { pool, logger } = options;
  let stopped = false;
  let round: Promise<void> = Promise.resolve();
  const upkeep = async (): Promise<void> => {
    try {
      const made = await ensureDayPartitions(pool);
      if (made.length > 0) logger.info({ days: made }, 'partitions made ahead');
      if (options.retentionDays === undefined || stopped) return;
      const report = await pruneOlderThan(pool, { olderThanMs: options.retentionDays * DAY_MS });
      options.onPruned?.(report.exchanges);
      if (report.days.length > 0 || report.runs.length > 0 || report.defaultPartition.exchanges > 0) {
        logger.info({ days: report.days.map((d) => d.day), runs: report.runs, exchanges: report.exchanges, differences: report.differences, bytes: report.bytes, defaultPartition: report.defaultPartition }, 'pruned');
      }
    } catch (error) {
      if (error instanceof ShadowdiffError && error.code === 'prune_busy') logger.debug('prune skipped: another one is running');
      else logger.warn({ err: (error as Error).message }, 'storage upkeep failed; tried again next round');
    }
  };
  round = upkeep();
  const timer = setInterval(() => {
    round = round.then(upkeep);
  }, options.intervalMs ?? 3_600_000);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await round;
  };
}
