/**
 * Reading a run's latency sketches from `latency_buckets`: all of them, or only the buckets
 * changed since a snapshot a reader kept them at, applied to what it kept.
 */
import { mergeSketches, sketchCount, type LatencySketch } from './latency-sketch.ts';
import type { KeptSketches, RunSketches } from './stamped-cache.ts';
import type { LatencySeries } from './traffic-counters.ts';
import type { Pool } from './pool.ts';
import { changedSince } from './snapshot-changes.ts';

/** A run's sketches as of a snapshot, with the exchanges stored in the run as of the same snapshot. */
export interface SketchRead extends KeptSketches {
  exchanges: number;
}

/** One bucket's count as it is now (not an increment): what a change read returns. */
export interface BucketCount {
  route: string;
  series: LatencySeries;
  bucket: number;
  count: number;
}

/** The numbers of a Postgres integer array literal (`{1,-2,3}`). */
const integers = (literal: string): number[] => JSON.parse(`[${literal.slice(1, -1)}]`) as number[];

/** Positions a sketch's buckets are packed with: 2^20, far more buckets than a sketch holds. */
const POSITIONS = 2 ** 20;

/**
 * A sketch from buckets and counts in any order (paired by position). Each bucket (an int32) is
 * packed with its position into one exact double, `bucket·2^20 + position` (under 2^52), and
 * the doubles sorted by the typed array's own numeric sort: no comparator called per pair, which
 * cost more than the rest of reading a run's sketches once Postgres had returned them.
 */
export function sketchOfBuckets(buckets: readonly number[], counts: readonly number[]): LatencySketch {
  if (buckets.length >= POSITIONS) throw new RangeError(`a sketch of ${buckets.length} buckets is more than ${POSITIONS - 1}`);
  const packed = new Float64Array(buckets.length);
  for (let i = 0; i < buckets.length; i++) packed[i] = buckets[i]! * POSITIONS + i;
  packed.sort();
  const sortedBuckets = new Array<number>(buckets.length);
  const sortedCounts = new Array<number>(buckets.length);
  for (let k = 0; k < packed.length; k++) {
    const position = ((packed[k]! % POSITIONS) + POSITIONS) % POSITIONS;
    sortedBuckets[k] = (packed[k]! - position) / POSITIONS;
    sortedCounts[k] = counts[position]!;
  }
  return { buckets: sortedBuckets, counts: sortedCounts };
}

/**
 * A run's sketches, with the exchanges stored in the run and the snapshot, all as of the one
 * statement's snapshot. Postgres only gathers each sketch's buckets, unsorted (sorting tens of
 * thousands of rows by route under the database's collation cost more than the rest of the
 * read); they are put in order here, and the whole run's sketches merged, a few hundred buckets
 * per series.
 */
export async function readLatencySketches(pool: Pool, runId: string): Promise<SketchRead> {
  // The arrays come back as text and are read with JSON.parse: node-postgres parses array
  // literals character by character in JavaScript, a third of the read for tens of thousands of
  // buckets. Integers all (counts far below 2^53), so the numbers are the same. The snapshot and
  // count come with every row: a run without buckets has none, and is read whole next time.
  const { rows } = await pool.query<{ route: string; series: LatencySeries; buckets: string; counts: string; stored: number; snapshot: string }>(
    `SELECT route, series, array_agg(bucket)::text AS buckets, array_agg(count)::text AS counts,
            (SELECT coalesce(sum(exchanges), 0)::bigint FROM route_stats WHERE run_id = $1) AS stored,
            pg_current_snapshot()::text AS snapshot
     FROM latency_buckets WHERE run_id = $1
     GROUP BY route, series`,
    [runId],
  );
  const sketches: RunSketches = new Map();
  const bySeries = new Map<LatencySeries, LatencySketch[]>();
  for (const row of rows) {
    let byRoute = sketches.get(row.route);
    if (!byRoute) sketches.set(row.route, (byRoute = new Map()));
    const sketch = sketchOfBuckets(integers(row.buckets), integers(row.counts));
    byRoute.set(row.series, sketch);
    let parts = bySeries.get(row.series);
    if (!parts) bySeries.set(row.series, (parts = []));
    parts.push(sketch);
  }
  if (bySeries.size > 0) sketches.set(null, new Map([...bySeries].map(([series, parts]) => [series, mergeSketches(parts)])));
  return { exchanges: rows[0]?.stored ?? 0, snapshot: rows[0]?.snapshot ?? null, sketches };
}

/**
 * A run's sketches now, from `kept` (read at `kept.snapshot`) and the buckets changed since:
 * those whose last writing transaction that snapshot did not see. They are looked for only on
 * the routes whose counters such a transaction changed (a batch changes a route's buckets and
 * counters together, and any later change of those counters is by a transaction the snapshot
 * did not see either), by the primary key. A few dozen rows come back after a worker's batch,
 * where reading the run whole is tens of thousands. Kept without a snapshot, or brought up to a
 * primary-latency count other than the run's stored exchanges, the run is read whole.
 */
export async function readLatencySketchChanges(pool: Pool, runId: string, kept: KeptSketches): Promise<SketchRead> {
  if (kept.snapshot === null) return readLatencySketches(pool, runId);
  const { rows } = await pool.query<{ stored: number; snapshot: string; changed: string }>(
    `SELECT (SELECT coalesce(sum(exchanges), 0)::bigint FROM route_stats WHERE run_id = $1) AS stored,
            pg_current_snapshot()::text AS snapshot,
            (SELECT coalesce(json_agg(json_build_array(r.route, b.series, b.bucket, b.count)), '[]')
             FROM route_stats r
             -- OFFSET 0 keeps the walk per changed route: the planner, taking few buckets to have
             -- changed, would otherwise scan every bucket of the table for them.
             CROSS JOIN LATERAL (SELECT series, bucket, count, changed_in FROM latency_buckets WHERE run_id = r.run_id AND route = r.route OFFSET 0) b
             WHERE r.run_id = $1 AND ${changedSince('r.changed_in', '$2')} AND ${changedSince('b.changed_in', '$2')})::text AS changed`,
    [runId, kept.snapshot],
  );
  const row = rows[0]!;
  const changed = (JSON.parse(row.changed) as [string, LatencySeries, number, number][]).map(([route, series, bucket, count]) => ({ route, series, bucket, count }));
  const sketches = applyBucketCounts(kept.sketches, changed);
  // Every stored exchange counts one primary latency: sketches that count another number missed a
  // change (a writer that does not stamp its transaction, as workers older than 0015): read whole.
  const primary = sketches.get(null)?.get('primary');
  if ((primary ? sketchCount(primary) : 0) !== row.stored) return readLatencySketches(pool, runId);
  return { exchanges: row.stored, snapshot: row.snapshot, sketches };
}

/** A sketch's counts by bucket (empty for none). */
function countsByBucket(sketch: LatencySketch | undefined): Map<number, number> {
  const counts = new Map<number, number>();
  if (sketch) sketch.buckets.forEach((b, i) => counts.set(b, sketch.counts[i]!));
  return counts;
}

/** `sketch` with the given buckets' counts set (`set`) or increased (`add`), buckets kept in order. */
function withCounts(sketch: LatencySketch | undefined, counts: ReadonlyMap<number, number>, mode: 'set' | 'add'): LatencySketch {
  const sum = countsByBucket(sketch);
  for (const [bucket, count] of counts) sum.set(bucket, mode === 'set' ? count : (sum.get(bucket) ?? 0) + count);
  for (const [bucket, count] of sum) if (count === 0) sum.delete(bucket);
  const buckets = [...sum.keys()].sort((a, b) => a - b);
  return { buckets, counts: buckets.map((b) => sum.get(b)!) };
}

/**
 * The sketches `kept` with buckets' counts as they are now: each route's changed buckets take
 * their new count, and the whole run's (route null) grow by what each changed. Exact (integer
 * counts). `kept` is left as it was: a read still using it sees no change under it, and a new
 * map is returned that shares every sketch not changed.
 */
export function applyBucketCounts(kept: RunSketches, changes: readonly BucketCount[]): RunSketches {
  if (changes.length === 0) return kept;
  // Changed buckets by route and series, then the whole run's increments by series.
  const byRoute = new Map<string, Map<LatencySeries, Map<number, number>>>();
  for (const c of changes) {
    let bySeries = byRoute.get(c.route);
    if (!bySeries) byRoute.set(c.route, (bySeries = new Map()));
    let counts = bySeries.get(c.series);
    if (!counts) bySeries.set(c.series, (counts = new Map()));
    counts.set(c.bucket, c.count);
  }
  const increments = new Map<LatencySeries, Map<number, number>>();
  const sketches: RunSketches = new Map(kept);
  for (const [route, bySeries] of byRoute) {
    const before = kept.get(route);
    const after = new Map(before);
    for (const [series, counts] of bySeries) {
      const old = before?.get(series);
      const oldCount = countsByBucket(old);
      let added = increments.get(series);
      if (!added) increments.set(series, (added = new Map()));
      for (const [bucket, count] of counts) added.set(bucket, (added.get(bucket) ?? 0) + count - (oldCount.get(bucket) ?? 0));
      after.set(series, withCounts(old, counts, 'set'));
    }
    sketches.set(route, after);
  }
  const whole = new Map(kept.get(null));
  for (const [series, added] of increments) whole.set(series, withCounts(whole.get(series), added, 'add'));
  sketches.set(null, whole);
  return sketches;
}
