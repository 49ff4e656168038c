import type { Logger } from '@shadowdiff/core';
import { createHalfPairer, type HalfPairer, type RedisConnection } from '@shadowdiff/queue';
import type { IngestMetrics } from './ingest-metrics.ts';

/** The pairers of the runs halves were posted to, each swept for halves left without a partner. */
export interface HalfPairers {
  /** The pairer of a run; the run is then swept until its halves' keys would have expired. */
  of(run: string): HalfPairer;
  close(): void;
}

/**
 * Pairers in Redis exactly as the mesh recorders make them (same keys, same join window), so a
 * half posted here pairs with a recorder's. Unmatched halves are swept a few times per window and
 * counted, as the recorders count theirs.
 */
export function createHalfPairers(redis: RedisConnection, options: { joinWindowMs: number; prefix?: string }, deps: { metrics: IngestMetrics; logger: Logger }): HalfPairers {
  const pairers = new Map<string, { pairer: HalfPairer; lastUsed: number }>();
  // Halves outlive their window by this much in Redis (the pairer's own expiry): sweeping stops after it.
  const idleMs = options.joinWindowMs * 3 + 60_000;
  let sweeping = false;
  const sweep = async (): Promise<void> => {
    const now = Date.now();
    for (const [run, entry] of pairers) {
      const unmatched = await entry.pairer.sweep();
      for (const side of ['primary', 'candidate'] as const) if (unmatched[side] > 0) deps.metrics.unmatchedHalves.inc({ side }, unmatched[side]);
      if (now - entry.lastUsed > idleMs) pairers.delete(run);
    }
  };
  const timer = setInterval(() => {
    if (sweeping || pairers.size === 0) return;
    sweeping = true;
    sweep()
      .catch((error: Error) => deps.logger.debug({ err: error.message }, 'sweep of unmatched halves failed'))
      .finally(() => (sweeping = false));
  }, Math.min(1000, Math.max(50, Math.floor(options.joinWindowMs / 4))));
  timer.unref();
  return {
    of(run) {
      let entry = pairers.get(run);
      if (!entry) {
        entry = { pairer: createHalfPairer(redis, { run, joinWindowMs: options.joinWindowMs, ...(options.prefix ? { prefix: options.prefix } : {}) }), lastUsed: 0 };
        pairers.set(run, entry);
      }
      entry.lastUsed = Date.now();
      return entry.pairer;
    },
    close() {
      clearInterval(timer);
    },
  };
}
