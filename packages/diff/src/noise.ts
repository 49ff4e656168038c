/**
 * Noise statistics: decides from counters whether a field's candidate differences are explained
 * by nondeterminism (the secondary, a second copy of production, differs as often) or are real.
 * Pure functions over counts, so a classification can be recomputed whenever counters change.
 */

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
}

/**
 * Classifies a field from its counters (Diffy's relative and absolute thresholds, plus a Wilson
 * confidence bound).
 *
 * With `c = candidateDiffs / exchanges` and `s = secondaryDiffs / secondaryExchanges`:
 * - `insufficient_data` when `exchanges` or `secondaryExchanges` is below `minExchanges`;
 * - `real` when the Wilson lower bound of `c` is above the Wilson upper bound of `s` (the
 *   excess is significant at `z`, not sampling luck) and, if production differs from itself on
 *   this field at all (`s > 0`), the excess is also beyond the tolerated nondeterminism:
 *   `c − s > absolute` and `c − s > relative × s`. Where the secondary never differs the field is
 *   deterministic in production, so a significant excess, however small, is a regression;
 * - `noise` otherwise: the candidate does not differ significantly more often than production
 *   differs from itself (this includes a field that never differs on either side).
 */
export function classifyField(counts: FieldCounts, thresholds: Partial<NoiseThresholds> = {}): FieldClassification {
  const t = { ...DEFAULT_NOISE_THRESHOLDS, ...thresholds };
  const secondaryExchanges = counts.secondaryExchanges ?? counts.exchanges;
  const candidateBound = wilsonInterval(counts.candidateDiffs, counts.exchanges, t.z);
  const secondaryBound = wilsonInterval(counts.secondaryDiffs, secondaryExchanges, t.z);
  const candidateRate = counts.exchanges === 0 ? 0 : counts.candidateDiffs / counts.exchanges;
  const secondaryRate = secondaryExchanges === 0 ? 0 : counts.secondaryDiffs / secondaryExchanges;
  const excess = candidateRate - secondaryRate;
  let verdict: NoiseVerdict;
  if (counts.exchanges < t.minExchanges || secondaryExchanges < t.minExchanges) verdict = 'insufficient_data';
  else {
    const significant = candidateBound.low > secondaryBound.high;
    const beyondTolerance = counts.secondaryDiffs === 0 || (excess > t.absolute && excess > t.relative * secondaryRate);
    verdict = significant && beyondTolerance ? 'real' : 'noise';
  }
  return { verdict, candidateRate, secondaryRate, excess, candidateBound, secondaryBound };
}
