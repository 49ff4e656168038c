import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addSamples, type KeptDifferenceSample } from './finding-inputs.ts';

/** Each field's first `n` samples by id: what a whole read returns, fields in order of route then field. */
function firstByField(samples: readonly KeptDifferenceSample[], n: number): KeptDifferenceSample[] {
  const byField = new Map<string, KeptDifferenceSample[]>();
  for (const s of [...samples].sort((a, b) => a.id - b.id)) {
    const k = `${s.route}\u0000${s.field}`;
    byField.set(k, [...(byField.get(k) ?? []), s]);
  }
  return [...byField.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .flatMap(([, list]) => list.slice(0, n));
}

const inOrder = (samples: readonly KeptDifferenceSample[]): KeptDifferenceSample[] => [...samples].sort((a, b) => (a.route + a.field < b.route + b.field ? -1 : a.route + a.field > b.route + b.field ? 1 : a.id - b.id));

// Differences of a few fields, ids unique across the run (a sequence): the stored ones, then the ones stored since.
const differences = fc
  .uniqueArray(fc.record({ route: fc.constantFrom('/a', '/b'), field: fc.constantFrom('x', 'y', 'z'), id: fc.integer({ min: 1, max: 10_000 }) }), { selector: (d) => d.id, maxLength: 120 })
  .map((list) => list.map((d): KeptDifferenceSample => ({ ...d, exchangeId: `e${d.id}`, kind: 'changed', primaryValue: d.id, otherValue: null })));

describe('samples brought up to date with the differences stored since', () => {
  it('are each field’s first by id among all its differences, as a whole read gives them', () => {
    fc.assert(
      fc.property(differences, fc.integer({ min: 0, max: 120 }), fc.integer({ min: 1, max: 8 }), (all, split, perField) => {
        // Stored since may hold lower ids than some kept: a transaction that committed later.
        const [before, since] = [all.slice(0, split), all.slice(split)];
        const kept = firstByField(before, perField);
        const now = addSamples(kept, since, perField);
        expect(inOrder(now)).toEqual(inOrder(firstByField(all, perField)));
      }),
    );
  });

  it('leave the kept samples as they were', () => {
    const kept: KeptDifferenceSample[] = [{ route: '/a', field: 'x', id: 5, exchangeId: 'e5', kind: 'changed', primaryValue: 1, otherValue: 2 }];
    const now = addSamples(kept, [{ ...kept[0]!, id: 3, exchangeId: 'e3' }], 1);
    expect(now.map((s) => s.id)).toEqual([3]);
    expect(kept.map((s) => s.id)).toEqual([5]);
  });
});
