import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyBucketCounts, sketchOfBuckets, type BucketCount } from './latency-sketch-reads.ts';
import { mergeSketches, type LatencySketch } from './latency-sketch.ts';
import type { RunSketches } from './stamped-cache.ts';
import type { LatencySeries } from './traffic-counters.ts';

const SERIES: LatencySeries[] = ['primary', 'candidate', 'candidate_alike', 'reference_alike'];

/** A table of bucket rows as `latency_buckets` holds them: (route, series, bucket) → count. */
type Table = Map<string, BucketCount>;
const rowKey = (r: Pick<BucketCount, 'route' | 'series' | 'bucket'>): string => `${r.route}\u0000${r.series}\u0000${r.bucket}`;

/** The sketches a whole read gives of a table: each route's, and the whole run's merged from them. */
function sketchesOfTable(table: Table): RunSketches {
  const rows = new Map<string, BucketCount[]>();
  for (const r of table.values()) rows.set(`${r.route}\u0000${r.series}`, [...(rows.get(`${r.route}\u0000${r.series}`) ?? []), r]);
  const sketches: RunSketches = new Map();
  const bySeries = new Map<LatencySeries, LatencySketch[]>();
  for (const list of rows.values()) {
    const { route, series } = list[0]!;
    const sketch = sketchOfBuckets(list.map((r) => r.bucket), list.map((r) => r.count));
    sketches.set(route, (sketches.get(route) ?? new Map()).set(series, sketch));
    bySeries.set(series, [...(bySeries.get(series) ?? []), sketch]);
  }
  if (bySeries.size > 0) sketches.set(null, new Map([...bySeries].map(([s, parts]) => [s, mergeSketches(parts)])));
  return sketches;
}

// Increments as a worker's batches add them: a route, a series, a bucket (a few hundred a series, the zero bucket too) and a count.
const increment = fc.record({
  route: fc.constantFrom('/a', '/b', '/c', '/d'),
  series: fc.constantFrom(...SERIES),
  bucket: fc.oneof(fc.integer({ min: -300, max: 800 }), fc.constant(-2_147_483_648)),
  count: fc.integer({ min: 1, max: 1_000_000 }),
});

function add(table: Table, increments: readonly BucketCount[]): { table: Table; changed: BucketCount[] } {
  const next = new Map([...table].map(([k, r]) => [k, { ...r }]));
  const changed = new Map<string, BucketCount>();
  for (const inc of increments) {
    const k = rowKey(inc);
    const row = next.get(k) ?? { ...inc, count: 0 };
    row.count += inc.count;
    next.set(k, row);
    changed.set(k, row);
  }
  return { table: next, changed: [...changed.values()] };
}

describe('latency sketches brought up to date from changed buckets', () => {
  it('equal the sketches read whole after the change, every route and the whole run', () => {
    fc.assert(
      fc.property(fc.array(increment, { maxLength: 300 }), fc.array(increment, { maxLength: 60 }), (before, batch) => {
        const old = add(new Map(), before).table;
        const { table, changed } = add(old, batch);
        expect(applyBucketCounts(sketchesOfTable(old), changed)).toEqual(sketchesOfTable(table));
      }),
    );
  });

  it('leave the sketches they started from as they were', () => {
    const { table } = add(new Map(), [
      { route: '/a', series: 'primary', bucket: 10, count: 3 },
      { route: '/b', series: 'primary', bucket: 12, count: 1 },
    ]);
    const kept = sketchesOfTable(table);
    const copy = structuredClone(kept);
    const now = applyBucketCounts(kept, [
      { route: '/a', series: 'primary', bucket: 10, count: 5 },
      { route: '/c', series: 'candidate', bucket: 7, count: 2 },
    ]);
    expect(kept).toEqual(copy);
    expect(now.get('/a')!.get('primary')).toEqual({ buckets: [10], counts: [5] });
    expect(now.get(null)!.get('primary')).toEqual({ buckets: [10, 12], counts: [5, 1] });
    expect(now.get(null)!.get('candidate')).toEqual({ buckets: [7], counts: [2] });
    // Routes not changed are the same objects.
    expect(now.get('/b')).toBe(kept.get('/b'));
    expect(applyBucketCounts(kept, [])).toBe(kept);
  });
});
