import { describe, expect, it } from 'vitest';
import { lagsOf, quantile } from './lags.ts';

describe('freshness lags', () => {
  it('times each answer to the first count that reached its rank', () => {
    const answers = [0, 10, 20, 30];
    const samples = [
      { at: 5, count: 0 },
      { at: 15, count: 1 },
      { at: 50, count: 3 },
      { at: 60, count: 3 },
    ];
    expect(lagsOf(answers, samples)).toEqual({ lags: [15, 40, 30, Infinity], unseen: 1 });
  });

  it('never gives a negative lag when the count ran ahead of the answer', () => {
    expect(lagsOf([100], [{ at: 90, count: 1 }]).lags).toEqual([0]);
  });

  it('reads quantiles by nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(sorted, 0.5)).toBe(50);
    expect(quantile(sorted, 0.99)).toBe(99);
    expect(quantile([], 0.5)).toBeNaN();
  });
});
