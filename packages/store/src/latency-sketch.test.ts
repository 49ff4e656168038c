import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { p99Bounds } from './latency-bounds.ts';
import {
  bucketValue,
  continuousQuantile,
  discreteQuantile,
  LATENCY_RELATIVE_ACCURACY as ALPHA,
  latencyBucket,
  mergeSketches,
  sketchCount,
  sketchOf,
  valueAtRank,
  ZERO_BUCKET,
} from './latency-sketch.ts';

// Latencies as Postgres stores them (single precision), from 1 µs to 10 minutes, and zeros.
const latency = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 20, arbitrary: fc.double({ min: -6, max: Math.log(600_000), noNaN: true }).map((x) => Math.fround(Math.exp(x))) },
);
const latencies = fc.array(latency, { minLength: 1, maxLength: 400 });

/** Postgres percentile_cont over exact values. */
function exactCont(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const low = Math.floor(rank);
  return sorted[low]! + (sorted[Math.ceil(rank)]! - sorted[low]!) * (rank - low);
}

/** Postgres percentile_disc over exact values. */
function exactDisc(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1]!;
}

const within = (read: number | null, exact: number): boolean => read !== null && Math.abs(read - exact) <= ALPHA * exact + 1e-12;

describe('latency buckets', () => {
  it('gives every latency a bucket whose value is within α of it', () => {
    fc.assert(fc.property(latency, (v) => within(bucketValue(latencyBucket(v)), v)));
  });

  it('keeps buckets in the order of the latencies', () => {
    fc.assert(fc.property(latency, latency, (a, b) => (a <= b ? latencyBucket(a) <= latencyBucket(b) : latencyBucket(a) >= latencyBucket(b))));
  });

  it('counts zero in a bucket of its own, below every other', () => {
    expect(latencyBucket(0)).toBe(ZERO_BUCKET);
    expect(bucketValue(ZERO_BUCKET)).toBe(0);
    expect(latencyBucket(1e-6)).toBeGreaterThan(ZERO_BUCKET);
  });

  it('refuses a latency that is not a number', () => {
    expect(() => latencyBucket(Number.NaN)).toThrow(/finite number of milliseconds/);
    expect(() => latencyBucket(Number.POSITIVE_INFINITY)).toThrow(/finite number/);
  });
});

describe('quantiles read from a sketch', () => {
  it('reads percentile_cont within α of the exact figure', () => {
    fc.assert(
      fc.property(latencies, fc.double({ min: 0, max: 1, noNaN: true }), (values, p) => within(continuousQuantile(sketchOf(values), p), exactCont(values, p))),
      { numRuns: 300 },
    );
  });

  it('reads percentile_disc, the order statistic, within α of the exact one', () => {
    fc.assert(
      fc.property(latencies, fc.double({ min: 0, max: 1, noNaN: true }), (values, p) => within(discreteQuantile(sketchOf(values), p), exactDisc(values, p))),
      { numRuns: 300 },
    );
  });

  it('gives the same quantiles from sketches merged as from one sketch of everything', () => {
    fc.assert(
      fc.property(latencies, latencies, (a, b) => {
        const merged = mergeSketches([sketchOf(a), sketchOf(b)]);
        expect(merged).toEqual(sketchOf([...a, ...b]));
        expect(sketchCount(merged)).toBe(a.length + b.length);
      }),
    );
  });

  it('has no quantile without latencies, and no rank beyond them', () => {
    const empty = { buckets: [], counts: [] };
    expect(continuousQuantile(empty, 0.5)).toBeNull();
    expect(discreteQuantile(empty, 0.99)).toBeNull();
    expect(() => valueAtRank(sketchOf([1, 2]), 2)).toThrow(RangeError);
  });

  it('bounds the p99 by the order statistics at the adjusted ranks, within α', () => {
    const z = 1.645 / Math.SQRT2;
    fc.assert(
      fc.property(latencies, latencies, (c, r) => {
        const bounds = p99Bounds(sketchOf(c), sketchOf(r), z);
        const low = Math.max(0, 0.99 - z * Math.sqrt(0.0099 / c.length));
        const high = Math.min(1, 0.99 + z * Math.sqrt(0.0099 / r.length));
        return within(bounds.candidateLow, exactDisc(c, low)) && within(bounds.referenceHigh, exactDisc(r, high));
      }),
      { numRuns: 300 },
    );
  });

  it("takes the slowest answer as the reference's bound when latencies are few", () => {
    const bounds = p99Bounds(sketchOf([10, 10, 10]), sketchOf([10, 400, 10]), 1.645 / Math.SQRT2);
    expect(within(bounds.referenceHigh, 400)).toBe(true);
    expect(within(bounds.candidateLow, 10)).toBe(true);
    expect(p99Bounds(sketchOf([]), sketchOf([]), 1)).toEqual({ candidateLow: null, referenceHigh: null });
  });
});
