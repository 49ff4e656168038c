import { describe, expect, it } from 'vitest';
import { probabilityRateExceeds } from './posterior.ts';

describe('probabilityRateExceeds', () => {
  it('matches the closed form: 1 of 1 against 0 of 1 is P(Beta(2,1) > Beta(1,2)) = 5/6', () => {
    expect(probabilityRateExceeds(1, 1, 0, 1)).toBeCloseTo(5 / 6, 3);
  });

  it('is one half for equal evidence, and falls as the margin grows', () => {
    expect(probabilityRateExceeds(30, 100, 30, 100)).toBeCloseTo(0.5, 2);
    expect(probabilityRateExceeds(30, 100, 30, 100, 0.1)).toBeLessThan(0.1);
  });

  it('stays exact at the edges and at large counts', () => {
    expect(probabilityRateExceeds(0, 0, 0, 0)).toBeCloseTo(0.5, 2);
    expect(probabilityRateExceeds(100_000, 100_000, 0, 100_000)).toBeCloseTo(1, 6);
    expect(probabilityRateExceeds(50_000, 100_000, 49_000, 100_000)).toBeGreaterThan(0.999);
    expect(probabilityRateExceeds(50_000, 100_000, 49_900, 100_000)).toBeGreaterThan(0.6);
    expect(probabilityRateExceeds(50_000, 100_000, 49_900, 100_000)).toBeLessThan(0.8);
  });
});
