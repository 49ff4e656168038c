/**
 * Noise statistics: decides from counters whether a field's candidate differences are explained
 * by nondeterminism (the secondary, a second copy of production, differs as often) or are real.
 * Pure functions over counts, so a classification can be recomputed whenever counters change.
 */

import { probabilityRateExceeds } from './posterior.ts';

/** A confidence interval for a proportion. */
export interface ProportionInterval {
  low: number;
  high: number;
}

/**
 * Wilson score interval of `successes` out of `n` at normal quantile `z` (1.96 ≈ 95%). Unlike the
 * normal approximation it stays inside [0, 1] and is sensible for small `n` and rates near 0 or 1.
 * With `n = 0` nothing is known: `{ low: 0, high: 1 }`.
 */
export function wilsonInterval(successes: number, n: number, z = 1.96): ProportionInterval {
  if (!Number.isFinite(successes) || !Number.isFinite(n) || n < 0 || successes < 0 || successes > n) {
    throw new RangeError(`wilsonInterval needs 0 <= successes <= n, got ${successes} of ${n}`);
  }
  if (n === 0) return { low: 0, high: 1 };
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const margin = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return { low: Math.max(0, centre - margin), high: Math.min(1, centre + margin) };
}

/** Counters of one (route, field). */
export interface FieldCounts {
  /** Exchanges of the route compared against the candidate. */
  exchanges: number;
  /** Of those, how many had this field differ between primary and candidate. */
  candidateDiffs: number;
  /** How many had this field differ between primary and secondary. */
  secondaryDiffs: number;
  /** Exchanges compared against a secondary, when not all of them were. Default: `exchanges`. */
  secondaryExchanges?: number;
}

/** Thresholds of `classifyField`. */
export interface NoiseThresholds {
  /** The candidate's rate must exceed the secondary's by more than this fraction of it. Default 0.2 (20%). */
  relative: number;
  /** The candidate's rate must exceed the secondary's by more than this, in rate points. Default 0.03 (3%). */
  absolute: number;
  /** Below this many exchanges (on either side) the verdict is `insufficient_data`. Default 30. */
  minExchanges: number;
  /** Normal quantile of the Wilson intervals. Default 1.96 (95%). */
  z: number;
}

export const DEFAULT_NOISE_THRESHOLDS: NoiseThresholds = Object.freeze({
  relative: 0.2,
  absolute: 0.03,
  minExchanges: 30,
  z: 1.96,
});

export type NoiseVerdict = 'noise' | 'real' | 'insufficient_data';

/** A field's verdict with the numbers behind it. */
export interface FieldClassification {
  verdict: NoiseVerdict;
  /** candidateDiffs / exchanges. */
  candidateRate: number;
  /** secondaryDiffs / secondaryExchanges. */
  secondaryRate: number;
  /** candidateRate − secondaryRate. */
  excess: number;
  candidateBound: ProportionInterval;
  secondaryBound: ProportionInterval;
  /** The excess the candidate may have over the secondary and still be noise. */
  tolerance: number;
  /** Posterior probability that the candidate's rate exceeds the secondary's by more than `tolerance`. */
  probabilityReal: number;
}

/** Posterior probability at or above which a field is real, and at or below which it is noise, at any sample size. */
export const DECISIVE_PROBABILITY = 0.99;

/**
 * Classifies a field from its counters: a sequential Bayesian decision, read again whenever
 * the counters change.
 *
 * Each side's rate has a uniform prior, so after `k` differences in `n` exchanges its posterior
 * is Beta(k + 1, n − k + 1). The tolerated excess is Diffy's: none where the secondary never
 * differs (production is deterministic on this field), else `max(absolute, relative × s)`.
 * With `P` the posterior probability that the candidate's rate exceeds the secondary's by more
 * than that:
 * - `real` when `P ≥ 0.99`, at any number of exchanges: conclusive evidence decides early
 *   (the candidate differing in 5 of 5 exchanges and the secondary in none of 5 gives P = 0.999);
 * - `noise` when `P ≤ 0.01` (both sides differing in every exchange: by the 20th), or once
 *   both sides have `minExchanges` and the excess is more likely within tolerance than not
 *   (`P < 0.5`);
 * - `insufficient_data` otherwise: the evidence does not decide yet.
 */
export function classifyField(counts: FieldCounts, thresholds: Partial<NoiseThresholds> = {}): FieldClassification {
  const t = { ...DEFAULT_NOISE_THRESHOLDS, ...thresholds };
  const secondaryExchanges = counts.secondaryExchanges ?? counts.exchanges;
  const candidateBound = wilsonInterval(counts.candidateDiffs, counts.exchanges, t.z);
  const secondaryBound = wilsonInterval(counts.secondaryDiffs, secondaryExchanges, t.z);
  const candidateRate = counts.exchanges === 0 ? 0 : counts.candidateDiffs / counts.exchanges;
  const secondaryRate = secondaryExchanges === 0 ? 0 : counts.secondaryDiffs / secondaryExchanges;
  const excess = candidateRate - secondaryRate;
  const tolerance = counts.secondaryDiffs === 0 ? 0 : Math.max(t.absolute, t.relative * secondaryRate);
  const probabilityReal =
    counts.exchanges === 0 ? 0 : probabilityRateExceeds(counts.candidateDiffs, counts.exchanges, counts.secondaryDiffs, secondaryExchanges, tolerance);
  const enough = counts.exchanges >= t.minExchanges && secondaryExchanges >= t.minExchanges;
  let verdict: NoiseVerdict = 'insufficient_data';
  if (counts.exchanges > 0 && probabilityReal >= DECISIVE_PROBABILITY) verdict = 'real';
  else if (counts.exchanges > 0 && (probabilityReal <= 1 - DECISIVE_PROBABILITY || (enough && probabilityReal < 0.5))) verdict = 'noise';
  return { verdict, candidateRate, secondaryRate, excess, candidateBound, secondaryBound, tolerance, probabilityReal };
}
