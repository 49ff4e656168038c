import { describe, expect, it } from 'vitest';
import type { RateResult, WrkResult } from './processes.ts';
import { DIRECT, NGINX, spreadOf, TAP, targetFigures, type LoadResult, type TargetResult } from './targets.ts';

const rate = (p99: number): RateResult => ({ sent: 5000, errors: 0, timeouts: 0, p50: p99 / 4, p90: p99 / 2, p99, max: p99 * 2, mean: p99 / 3 });
const full = (rps: number): WrkResult => ({ rps, p50: 1, p99: 2, errors: 0 });
const target = (name: string, p99s: number[], rpss: number[]): TargetResult => ({ name, rate: rate(0), full: full(0), rounds: { rate: p99s.map(rate), full: rpss.map(full) } });

describe('the tap bench targets', () => {
  it('are per-round ratios to nginx mirror, reported as their median and spread', () => {
    const result: LoadResult = {
      load: 'hog',
      targets: [
        // Round 2 is a busy moment that moves every target: its ratios stay in line.
        target(DIRECT, [1, 5, 1], [50_000, 20_000, 50_000]),
        target(NGINX, [3, 11, 3], [8_000, 4_000, 8_000]),
        target(TAP, [2.5, 9, 4], [12_000, 4_400, 9_600]),
      ],
      slow: [{ name: TAP, fast: [rate(2), rate(2), rate(4)], slow: [rate(2.1), rate(2.4), rate(4)] }],
    };
    const [added, throughput, slow] = targetFigures(result);
    // Added p99 per round: 1.5/2, 4/6, 3/2.
    expect(added!.figure.median).toBeCloseTo(0.75);
    expect(added!.figure.low).toBeCloseTo(0.6667);
    expect(added!.figure.high).toBeCloseTo(1.5);
    expect(added!.met).toBe(true);
    expect(throughput!.figure).toEqual({ median: 1.2, low: 1.1, high: 1.5 });
    expect(throughput!.met).toBe(false);
    expect(slow!.figure.median).toBeCloseTo(5);
    expect(slow!.figure.high).toBeCloseTo(20);
    expect(slow!.met).toBe(true);
  });

  it('name a missing peer instead of reading figures of nothing', () => {
    expect(() => targetFigures({ load: 'idle', targets: [target(DIRECT, [1], [1])], slow: [] })).toThrow(/no "shadowdiff tap, 100% mirrored" in the idle rounds/);
  });

  it('take the median of an even number of rounds as the mean of the middle two', () => {
    expect(spreadOf([4, 1, 3, 2])).toEqual({ median: 2.5, low: 1, high: 4 });
  });
});
