import { describe, expect, it } from 'vitest';
import { seededRandom } from '@shadowdiff/core';
import { diffExchange } from './diff-exchange.ts';
import { classifyField, wilsonInterval } from './noise.ts';
import { createDiffOptions } from './options.ts';
import { makeCapture } from '../test/captures.ts';

describe('wilsonInterval', () => {
  it.each<[number, number, number, number]>([
    [0, 10, 0, 0.27754],
    [5, 10, 0.23659, 0.76341],
    [10, 10, 0.72246, 1],
    [50, 100, 0.40383, 0.59617],
    [1, 300, 0.00059, 0.01864],
  ])('%d of %d → [%d, %d]', (successes, n, low, high) => {
    const interval = wilsonInterval(successes, n);
    expect(interval.low).toBeCloseTo(low, 5);
    expect(interval.high).toBeCloseTo(high, 5);
  });

  it('knows nothing from no data', () => {
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });

  it('narrows with a smaller z', () => {
    expect(wilsonInterval(5, 10, 1).high - wilsonInterval(5, 10, 1).low).toBeLessThan(wilsonInterval(5, 10).high - wilsonInterval(5, 10).low);
  });

  it('rejects impossible counts', () => {
    expect(() => wilsonInterval(11, 10)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 10)).toThrow(RangeError);
  });
});

describe('classifyField', () => {
  it.each<[string, Parameters<typeof classifyField>[0], string]>([
    ['too few exchanges to tell', { exchanges: 4, candidateDiffs: 2, secondaryDiffs: 1 }, 'insufficient_data'],
    ['conclusive early: the candidate differs in all 25, the secondary in none', { exchanges: 25, candidateDiffs: 25, secondaryDiffs: 0 }, 'real'],
    ['conclusive early: both sides differ in every one of 20', { exchanges: 20, candidateDiffs: 20, secondaryDiffs: 20 }, 'noise'],
    ['a value volatile 30% of the time on both sides', { exchanges: 300, candidateDiffs: 92, secondaryDiffs: 88 }, 'noise'],
    ['few secondary exchanges, but conclusive', { exchanges: 500, candidateDiffs: 400, secondaryDiffs: 0, secondaryExchanges: 10 }, 'real'],
    ['few secondary exchanges, not conclusive', { exchanges: 500, candidateDiffs: 400, secondaryDiffs: 8, secondaryExchanges: 10 }, 'insufficient_data'],
    ['never differs', { exchanges: 100, candidateDiffs: 0, secondaryDiffs: 0 }, 'noise'],
    ['differs as often as production does', { exchanges: 200, candidateDiffs: 100, secondaryDiffs: 98 }, 'noise'],
    ['candidate only, clearly', { exchanges: 200, candidateDiffs: 60, secondaryDiffs: 0 }, 'real'],
    ['small but significant where production never differs', { exchanges: 1000, candidateDiffs: 25, secondaryDiffs: 0 }, 'real'],
    ['a few where production never differs: undecided', { exchanges: 1000, candidateDiffs: 2, secondaryDiffs: 0 }, 'insufficient_data'],
    ['2% where production never differs, over 300 exchanges', { exchanges: 300, candidateDiffs: 6, secondaryDiffs: 0 }, 'real'],
    ['below the absolute threshold over nondeterministic production', { exchanges: 10000, candidateDiffs: 600, secondaryDiffs: 400 }, 'noise'],
    ['above absolute, below relative (20% of a high secondary rate)', { exchanges: 10000, candidateDiffs: 5400, secondaryDiffs: 5000 }, 'noise'],
    ['above both thresholds but not significant', { exchanges: 30, candidateDiffs: 3, secondaryDiffs: 1 }, 'insufficient_data'],
    ['well above the secondary', { exchanges: 1000, candidateDiffs: 700, secondaryDiffs: 300 }, 'real'],
  ])('%s', (_name, counts, verdict) => {
    expect(classifyField(counts).verdict).toBe(verdict);
  });

  it('returns the rates and bounds behind the verdict', () => {
    const result = classifyField({ exchanges: 100, candidateDiffs: 50, secondaryDiffs: 10 });
    expect(result.verdict).toBe('real');
    expect(result.candidateRate).toBe(0.5);
    expect(result.secondaryRate).toBe(0.1);
    expect(result.excess).toBeCloseTo(0.4, 10);
    expect(result.candidateBound.low).toBeCloseTo(0.40383, 5);
    expect(result.secondaryBound.high).toBeCloseTo(0.17437, 5);
  });

  it('honours custom thresholds', () => {
    const counts = { exchanges: 40, candidateDiffs: 6, secondaryDiffs: 4 };
    expect(classifyField(counts).verdict).toBe('insufficient_data');
    expect(classifyField(counts, { absolute: 0.1 }).verdict).toBe('noise');
    expect(classifyField(counts, { absolute: 0.1, minExchanges: 50 }).verdict).toBe('insufficient_data');
    expect(classifyField(counts, { relative: 2 }).verdict).toBe('noise');
  });
});

describe('noise classification over a simulated run', () => {
  /** Runs `exchanges` captures through diffExchange and counts differences per (field, side). */
  function simulate(exchanges: number) {
    // Seeded, so the run is the same every time.
    const next = seededRandom(42);
    const options = createDiffOptions();
    const counts = new Map<string, { candidateDiffs: number; secondaryDiffs: number }>();
    for (let i = 0; i < exchanges; i++) {
      const base = { id: i, price: 100, updatedAt: '2025-01-01T00:00:00.000Z' };
      const clock = (side: number) => (next() < 0.5 ? `2025-01-01T00:00:0${side}.000Z` : base.updatedAt);
      const result = diffExchange(
        makeCapture({
          url: `/products/${i}`,
          primary: { json: base },
          candidate: { json: { ...base, updatedAt: clock(1), price: next() < 0.3 ? 120 : 100 } },
          secondary: { json: { ...base, updatedAt: clock(2) } },
        }),
        options,
      );
      for (const d of result.differences) {
        const c = counts.get(d.field) ?? { candidateDiffs: 0, secondaryDiffs: 0 };
        if (d.side === 'candidate') c.candidateDiffs++;
        else c.secondaryDiffs++;
        counts.set(d.field, c);
      }
    }
    const classify = (field: string) => classifyField({ exchanges, candidateDiffs: 0, secondaryDiffs: 0, ...counts.get(field) });
    return { counts, classify };
  }

  it('over 400 exchanges: the timestamp is noise, the price is real', () => {
    const { counts, classify } = simulate(400);
    expect([...counts.keys()].sort()).toEqual(['body.price', 'body.updatedAt']);
    expect(counts.get('body.price')!.secondaryDiffs).toBe(0);
    expect(counts.get('body.price')!.candidateDiffs).toBeGreaterThan(80);
    expect(counts.get('body.updatedAt')!.candidateDiffs).toBeGreaterThan(150);
    expect(counts.get('body.updatedAt')!.secondaryDiffs).toBeGreaterThan(150);
    expect(classify('body.updatedAt').verdict).toBe('noise');
    expect(classify('body.price').verdict).toBe('real');
  });

  it('over 10 exchanges: insufficient data for both', () => {
    const { classify } = simulate(10);
    expect(classify('body.updatedAt').verdict).toBe('insufficient_data');
    expect(classify('body.price').verdict).toBe('insufficient_data');
  });
});
