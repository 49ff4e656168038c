import type { LatencySketch } from './latency-sketch.ts';
import type { LatencySeries } from './traffic-counters.ts';

/**
 * Values worked out from a run's rows, each kept with a stamp of the state it was worked out
 * from (how many exchanges were stored, which triage marks…): while the stamp read now is the
 * same, so is the value, and a read takes it from here instead of working it out again. At most
 * `runs` values are kept, the one read longest ago dropped first. (A Map in insertion order is
 * all the LRU this needs.)
 */
export class StampedCache<T> {
  readonly #entries = new Map<string, { stamp: string | number; value: T }>();

  constructor(readonly runs = 16) {
    if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`a cache keeps at least one run, got ${runs}`);
  }

  /** The value of `runId` as it was at `stamp`, if kept. */
  get(runId: string, stamp: string | number): T | undefined {
    const entry = this.#entries.get(runId);
    if (!entry || entry.stamp !== stamp) return undefined;
    // Read last: moved to the end of the insertion order, the last to go.
    this.#entries.delete(runId);
    this.#entries.set(runId, entry);
    return entry.value;
  }

  /** The value of `runId` last kept, whatever its stamp: what a read may bring up to date instead of working out again. */
  latest(runId: string): T | undefined {
    return this.#entries.get(runId)?.value;
  }

  /** Keeps the value of `runId` worked out at `stamp`, in place of any older one. */
  set(runId: string, stamp: string | number, value: T): void {
    this.#entries.delete(runId);
    this.#entries.set(runId, { stamp, value });
    while (this.#entries.size > this.runs) this.#entries.delete(this.#entries.keys().next().value!);
  }
}

/** A run's latency sketches by route (null: the whole run) and series. */
export type RunSketches = Map<string | null, Map<LatencySeries, LatencySketch>>;

/** A run's sketches as of a Postgres snapshot (`pg_snapshot` text; null when read before the run had any bucket). */
export interface KeptSketches {
  snapshot: string | null;
  sketches: RunSketches;
}

/**
 * Latency sketches of the runs read last, stamped with the count of exchanges stored in the run.
 * Sketches change only when exchanges are stored, in the same transaction that counts them in
 * `route_stats`: while the count is the same, so are the sketches, and a read is spared summing
 * every bucket of the run again (tens of thousands of rows for a long run). Once the count has
 * moved on, the snapshot they were read at tells which buckets changed since: only those are read.
 */
export class LatencySketchCache extends StampedCache<KeptSketches> {}
