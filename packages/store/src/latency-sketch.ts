import sketches from '@datadog/sketches-js';

/**
 * Relative accuracy α of every latency figure read from the sketches: a quantile read from them
 * lies within α of the exact order statistic's value, `|read − exact| ≤ α·exact` (DDSketch's
 * guarantee for its logarithmic mapping). 0.5% keeps the p99 ratios the gate judges (limit ×1.5)
 * within about 1% of their exact value.
 */
export const LATENCY_RELATIVE_ACCURACY = 0.005;

// DDSketch's own logarithmic index mapping (bucket i holds (γ^(i−1), γ^i], γ = (1+α)/(1−α)).
// migrations/0011_latency_sketches.sql computes the same index for its backfill.
const mapping = new sketches.DDSketch({ relativeAccuracy: LATENCY_RELATIVE_ACCURACY }).mapping;

/** The bucket of latencies of zero (and below): the log mapping has no index for them. */
export const ZERO_BUCKET = -2_147_483_648;

/**
 * The bucket a latency in milliseconds is counted in. Latencies are stored as Postgres `real`,
 * so the value is rounded to single precision first: the live counters and the migration's
 * backfill from stored exchanges then see the same number.
 */
export function latencyBucket(latencyMs: number): number {
  if (!Number.isFinite(latencyMs)) throw new RangeError(`latency must be a finite number of milliseconds, got ${latencyMs}`);
  const stored = Math.fround(latencyMs);
  return stored <= 0 ? ZERO_BUCKET : mapping.key(stored);
}

/** The value a bucket stands for: within α of every latency counted in it. */
export function bucketValue(bucket: number): number {
  return bucket === ZERO_BUCKET ? 0 : mapping.value(bucket);
}

/** Counts per bucket of one latency series, buckets in ascending order. */
export interface LatencySketch {
  buckets: readonly number[];
  counts: readonly number[];
}

/** Latencies counted in a sketch. */
export function sketchCount(sketch: LatencySketch): number {
  let n = 0;
  for (const c of sketch.counts) n += c;
  return n;
}

/** The value of the order statistic of 0-based rank `rank` (the `rank + 1`-th smallest latency), within α. */
export function valueAtRank(sketch: LatencySketch, rank: number): number {
  let seen = 0;
  for (let i = 0; i < sketch.buckets.length; i++) {
    seen += sketch.counts[i]!;
    if (seen > rank) return bucketValue(sketch.buckets[i]!);
  }
  throw new RangeError(`rank ${rank} is beyond the ${seen} latencies of the sketch`);
}

/**
 * Postgres `percentile_cont(p)` read from a sketch: the value at rank p·(n−1), interpolated
 * between the two order statistics around it. Each is within α, so the result is too. Null when
 * the sketch is empty.
 */
export function continuousQuantile(sketch: LatencySketch, p: number): number | null {
  const n = sketchCount(sketch);
  if (n === 0) return null;
  const rank = p * (n - 1);
  const low = Math.floor(rank);
  const lowValue = valueAtRank(sketch, low);
  if (rank === low) return lowValue;
  return lowValue + (valueAtRank(sketch, Math.ceil(rank)) - lowValue) * (rank - low);
}

/**
 * Postgres `percentile_disc(p)` read from a sketch: the first latency whose rank reaches the
 * fraction p (1-based rank ⌈p·n⌉, at least 1), within α. Null when the sketch is empty.
 */
export function discreteQuantile(sketch: LatencySketch, p: number): number | null {
  const n = sketchCount(sketch);
  if (n === 0) return null;
  return valueAtRank(sketch, Math.min(n, Math.max(1, Math.ceil(p * n))) - 1);
}

/** Adds sketches bucket by bucket: the sketch of all their latencies together. */
export function mergeSketches(parts: readonly LatencySketch[]): LatencySketch {
  const sum = new Map<number, number>();
  for (const part of parts) part.buckets.forEach((b, i) => sum.set(b, (sum.get(b) ?? 0) + part.counts[i]!));
  const buckets = [...sum.keys()].sort((a, b) => a - b);
  return { buckets, counts: buckets.map((b) => sum.get(b)!) };
}

/** The sketch of a list of latencies (for tests and small inputs). */
export function sketchOf(latenciesMs: readonly number[]): LatencySketch {
  return mergeSketches(latenciesMs.map((v) => ({ buckets: [latencyBucket(v)], counts: [1] })));
}
