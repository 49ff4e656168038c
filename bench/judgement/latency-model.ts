/**
 * Service times of the latency scenarios: a log-normal body, and for the heavy tail a share of
 * requests several times slower. The true p50 and p99 come from the same models by sampling.
 */

export interface LatencyModel {
  /** Median of the log-normal body, ms. */
  medianMs: number;
  /** Its log-scale spread. */
  sigma: number;
  /** Every time multiplied by this. */
  scale?: number;
  /** This share of requests is `tailFactor` times slower. */
  tailShare?: number;
  tailFactor?: number;
}

/** The reference every latency scenario starts from: p50 8 ms, p99 about 26 ms. */
export const BASE_LATENCY: LatencyModel = { medianMs: 8, sigma: 0.5 };

/** A standard normal draw (Box–Muller) from a uniform source. */
function normal(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** One service time in ms. */
export function sampleLatency(model: LatencyModel, random: () => number = Math.random): number {
  let ms = model.medianMs * Math.exp(model.sigma * normal(random)) * (model.scale ?? 1);
  if (model.tailShare && random() < model.tailShare) ms *= model.tailFactor ?? 1;
  return ms;
}

/** A seeded uniform source (mulberry32), so the true figures are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The model's true p50 and p99, from 200 000 seeded draws. */
export function truePercentiles(model: LatencyModel): { p50: number; p99: number } {
  const random = seededRandom(42);
  const draws = Float64Array.from({ length: 200_000 }, () => sampleLatency(model, random)).sort();
  return { p50: draws[Math.floor(draws.length * 0.5)]!, p99: draws[Math.floor(draws.length * 0.99)]! };
}
