/**
 * Service times of the latency scenarios: a log-normal body, and for the heavy tail a share of
 * requests several times slower. The true p50 and p99 come from the same models by sampling.
 */
import { seededRandom } from '@shadowdiff/core';

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

/** The reference the latency scenarios start from, a typical web API: p50 30 ms, p99 about 96 ms. */
export const BASE_LATENCY: LatencyModel = { medianMs: 30, sigma: 0.5 };

/**
 * A fast service: p50 8 ms, p99 about 26 ms. On a crowded host the milliseconds the shadow timings
 * gain while waiting for a core are of the same order as its p99, which pulls a measured ratio
 * towards 1: the scenario shows where that limit lies.
 */
export const FAST_LATENCY: LatencyModel = { medianMs: 8, sigma: 0.5 };

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


/** The model's true p50 and p99, from 200 000 seeded draws. */
export function truePercentiles(model: LatencyModel): { p50: number; p99: number } {
  const random = seededRandom(42);
  const draws = Float64Array.from({ length: 200_000 }, () => sampleLatency(model, random)).sort();
  return { p50: draws[Math.floor(draws.length * 0.5)]!, p99: draws[Math.floor(draws.length * 0.99)]! };
}
