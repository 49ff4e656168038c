import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countersOf, type DifferenceRecord, type ExchangeRecord } from '@shadowdiff/store';
import { boundedDifferenceRows, MAX_EXTRA_DIFFERENCE_ROWS } from './to-record.ts';

const row: fc.Arbitrary<DifferenceRecord> = fc.record({
  side: fc.constantFrom('candidate', 'secondary'),
  field: fc.constantFrom('body.items[*].price', 'body.items[*].sku', 'body.total', 'header.etag', 'status'),
  path: fc.nat(2000).map((i) => `body.items[${i}].price`),
  kind: fc.constantFrom('changed', 'added', 'removed', 'type_changed'),
  primaryValue: fc.integer(),
  otherValue: fc.integer(),
  suspectedNoise: fc.boolean(),
  ignoredBy: fc.constantFrom(null, null, 'meta'),
});

const record = (differences: DifferenceRecord[]): ExchangeRecord => ({ id: 'e1', runId: 'r1', route: 'GET /orders/{id}', differences, statusMismatch: false, candidateError: false, secondaryOutcome: 'ok' }) as unknown as ExchangeRecord;

describe('the difference rows an exchange stores', () => {
  it('are bounded, yet give every counter exactly what all the rows would', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 1500 }), (rows) => {
        const kept = boundedDifferenceRows(rows);
        const representatives = new Set(rows.map((d) => `${d.side} ${d.field} ${d.kind} ${d.ignoredBy} ${d.suspectedNoise}`)).size;
        expect(kept.length).toBeLessThanOrEqual(representatives + MAX_EXTRA_DIFFERENCE_ROWS);
        expect(kept.length).toBe(Math.min(rows.length, representatives + MAX_EXTRA_DIFFERENCE_ROWS));
        expect(countersOf([record(kept)])).toEqual(countersOf([record(rows)]));
      }),
      { numRuns: 200 },
    );
  });

  it('stores a few hundred rows for an array of 100,000 differing elements', () => {
    const rows = Array.from({ length: 100_000 }, (_, i): DifferenceRecord => ({ side: 'candidate', field: 'body.items[*]', path: `body.items[${i}]`, kind: 'changed', primaryValue: i, otherValue: i + 1, suspectedNoise: false, ignoredBy: null }));
    expect(boundedDifferenceRows(rows)).toHaveLength(1 + MAX_EXTRA_DIFFERENCE_ROWS);
  });
});
