import { discreteQuantile, sketchCount, type LatencySketch } from './latency-sketch.ts';

/** Confidence bounds on the p99s of the candidate and its reference, over exchanges timed alike. */
export interface P99Bounds {
  /** The candidate's p99 is at least this, at the confidence asked. */
  candidateLow: number | null;
  /** The reference's p99 is at most this, at the confidence asked. */
  referenceHigh: number | null;
}

/**
 * Distribution-free confidence bounds on the p99 of the candidate and of its reference (the
 * secondary or control copy that answered the same exchanges). Among n latencies, the p99 lies
 * between the order statistics of ranks n·0.99 ∓ z·√(n·0.99·0.01) (the binomial count of values
 * below it, in its normal form): with few exchanges the reference's upper bound is its slowest
 * answer, so one stall proves nothing.
 *
 * The order statistics are read from the latency sketches at exactly those ranks, so each bound
 * is the exact order statistic's value within the sketches' relative accuracy α
 * (`LATENCY_RELATIVE_ACCURACY`): |bound − exact| ≤ α·exact. The ranks themselves are exact.
 */
export function p99Bounds(candidate: LatencySketch, reference: LatencySketch, z: number): P99Bounds {
  const low = (n: number): number => Math.max(0, 0.99 - z * Math.sqrt(0.0099 / n));
  const high = (n: number): number => Math.min(1, 0.99 + z * Math.sqrt(0.0099 / n));
  const nc = sketchCount(candidate);
  const nr = sketchCount(reference);
  return {
    candidateLow: nc > 0 ? discreteQuantile(candidate, low(nc)) : null,
    referenceHigh: nr > 0 ? discreteQuantile(reference, high(nr)) : null,
  };
}
