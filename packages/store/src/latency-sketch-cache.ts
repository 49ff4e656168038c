import type { LatencySketch } from './latency-sketch.ts';
import type { LatencySeries } from './traffic-counters.ts';

/** A run's latency sketches by route (null: the whole run) and series. */
export type RunSketches = Map<string | null, Map<LatencySeries, LatencySketch>>;

/**
 * The latency sketches of the runs read last, each with the count of exchanges stored in its run
 * when it was read. Sketches change only when exchanges are stored, in the same transaction that
 * counts them in `route_stats`: while a run's count is the same, so are its sketches, and a read
 * takes them from here instead of summing every bucket of the run again (tens of thousands of
 * rows for a long run). A run that grew is read afresh.
 */
export class LatencySketchCache {
  readonly #entries = new Map<string, { exchanges: number; sketches: RunSketches }>();

  /** Keeps the sketches of at most `runs` runs, dropping the one read longest ago. */
  constructor(readonly runs = 16) {
    if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`a sketch cache keeps at least one run, got ${runs}`);
  }

  /** The sketches of `runId` as they were with `exchanges` stored, if kept. */
  get(runId: string, exchanges: number): RunSketches | undefined {
    const entry = this.#entries.get(runId);
    if (!entry || entry.exchanges !== exchanges) return undefined;
    // Read last: moved to the end of the insertion order, the last to go.
    this.#entries.delete(runId);
    this.#entries.set(runId, entry);
    return entry.sketches;
  }

  /** Keeps the sketches of `runId` read with `exchanges` stored. */
  set(runId: string, exchanges: number, sketches: RunSketches): void {
    this.#entries.delete(runId);
    this.#entries.set(runId, { exchanges, sketches });
    while (this.#entries.size > this.runs) this.#entries.delete(this.#entries.keys().next().value!);
  }
}
