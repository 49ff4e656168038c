/**
 * Posterior probabilities of difference rates. A rate seen as `k` differences in `n` exchanges
 * has, from a uniform prior, the posterior Beta(k + 1, n − k + 1). Evaluated numerically on a
 * grid around each posterior's mass, so it is exact enough at any n, including 0 and n.
 */

interface Grid {
  xs: Float64Array;
  /** Cumulative probability at each point. */
  cdf: Float64Array;
  /** Probability mass of each point. */
  mass: Float64Array;
}

const POINTS = 801;

function betaGrid(k: number, n: number): Grid {
  const a = k + 1;
  const b = n - k + 1;
  const mean = a / (a + b);
  const sd = Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1)));
  const lo = Math.max(0, mean - 14 * sd);
  const hi = Math.min(1, mean + 14 * sd);
  const xs = new Float64Array(POINTS);
  const logs = new Float64Array(POINTS);
  let top = -Infinity;
  for (let i = 0; i < POINTS; i++) {
    // Midpoints, so the log-density stays finite at 0 and 1.
    const x = lo + ((i + 0.5) * (hi - lo)) / POINTS;
    xs[i] = x;
    const log = (a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x);
    logs[i] = log;
    if (log > top) top = log;
  }
  const mass = new Float64Array(POINTS);
  let total = 0;
  for (let i = 0; i < POINTS; i++) {
    mass[i] = Math.exp(logs[i]! - top);
    total += mass[i]!;
  }
  const cdf = new Float64Array(POINTS);
  let running = 0;
  for (let i = 0; i < POINTS; i++) {
    mass[i] = mass[i]! / total;
    running += mass[i]!;
    cdf[i] = running;
  }
  return { xs, cdf, mass };
}

/**
 * P(p₁ − p₂ > margin) where p₁ is the rate behind `k1` of `n1` and p₂ the rate behind `k2` of
 * `n2`, each with a uniform prior. With `n2 = 0` nothing is known of p₂ (uniform).
 */
export function probabilityRateExceeds(k1: number, n1: number, k2: number, n2: number, margin = 0): number {
  // Every read of a run classifies each of its fields again from counts that mostly have not
  // moved since the last read: the same question gets the same answer, computed once.
  const key = `${k1},${n1},${k2},${n2},${margin}`;
  const known = answers.get(key);
  if (known !== undefined) return known;
  const p = computeProbabilityRateExceeds(k1, n1, k2, n2, margin);
  if (answers.size >= MAX_ANSWERS) answers.delete(answers.keys().next().value!);
  answers.set(key, p);
  return p;
}

/** Answers kept, oldest dropped first: a few MB at most. */
const MAX_ANSWERS = 50_000;
const answers = new Map<string, number>();

function computeProbabilityRateExceeds(k1: number, n1: number, k2: number, n2: number, margin: number): number {
  const first = betaGrid(k1, n1);
  const second = betaGrid(k2, n2);
  // The second grid's points, shifted by the margin, rise: one walk along the first grid's CDF.
  const { xs, cdf } = first;
  let p = 0;
  let j = 0;
  for (let i = 0; i < POINTS; i++) {
    const t = second.xs[i]! + margin;
    while (j < POINTS - 1 && xs[j + 1]! <= t) j++;
    let below: number;
    if (t < xs[0]!) below = 0;
    else if (j >= POINTS - 1) below = 1;
    else below = cdf[j]! + ((t - xs[j]!) / (xs[j + 1]! - xs[j]!)) * (cdf[j + 1]! - cdf[j]!);
    p += second.mass[i]! * (1 - below);
  }
  return Math.min(1, Math.max(0, p));
}
