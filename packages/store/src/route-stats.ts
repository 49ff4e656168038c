import type { FieldKey } from './differences.ts';
import { p99Bounds, type P99Bounds } from './latency-bounds.ts';
import { continuousQuantile, type LatencySketch } from './latency-sketch.ts';
import { readLatencySketchChanges, readLatencySketches } from './latency-sketch-reads.ts';
import type { LatencySketchCache, RunSketches } from './stamped-cache.ts';
import type { LatencySeries } from './traffic-counters.ts';
import type { Pool } from './pool.ts';

/** Latency percentiles in milliseconds; null when no exchange had a measurable response. */
export interface LatencyPercentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** How the candidate failed, by cause. */
export interface CandidateErrorBreakdown {
  /** Responses with a 5xx status. */
  status5xx: number;
  timeout: number;
  refused: number;
  /** Connection reset or any other failure to get a response. */
  other: number;
}

/**
 * What the candidate's latency is compared with. Latencies are compared only when measured
 * alike: `secondary` and `control` answers are timed like the candidate's (sent at the same
 * moment, from the same thread); the served primary is not (`primary`: indicative only).
 */
export type LatencyBasis = 'secondary' | 'control' | 'primary';

/** The candidate's latency next to a reference timed the same way. */
export interface AlikeLatency {
  basis: LatencyBasis;
  /** Exchanges in the comparison (both sides answered). */
  samples: number;
  candidate: LatencyPercentiles;
  reference: LatencyPercentiles;
  /** Bounds on both p99s whose comparison is a one-sided 95% test; null on the `primary` basis, which is never judged. */
  p99Bounds: P99Bounds | null;
}

/**
 * Normal quantile of each p99 bound: 1.645/√2, so that "the candidate's lower bound is over the
 * reference's upper bound" is a one-sided 95% test of the difference of two independent p99s
 * (each bound alone is one-sided 87.8%). Bounds of 95% each would make that test about 99%.
 */
const P99_BOUND_Z = 1.645 / Math.SQRT2;

/** Per-route figures, from the counters and latency sketches kept as exchanges are stored. */
export interface RouteTraffic {
  /** Null for the run as a whole. */
  route: string | null;
  exchanges: number;
  errors: CandidateErrorBreakdown;
  /** The served primary's latency. */
  primaryLatency: LatencyPercentiles;
  alike: AlikeLatency;
}

/** A route's traffic counters as the read returns them. */
export interface TrafficRow {
  route: string | null;
  exchanges: number;
  status_5xx: number;
  timeouts: number;
  refused: number;
  other_failures: number;
  answered: number;
  paired: number;
  controls: number;
}

const EMPTY: LatencySketch = { buckets: [], counts: [] };

const percentiles = (sketch: LatencySketch): LatencyPercentiles => ({
  p50: continuousQuantile(sketch, 0.5),
  p95: continuousQuantile(sketch, 0.95),
  p99: continuousQuantile(sketch, 0.99),
});

/**
 * Exchanges, candidate errors and latency percentiles per route and for the whole run (the row
 * whose route is null), and the candidate's latency next to the reference timed alike: the
 * exchanges where a secondary or control copy answered too, else the served primary. Candidate
 * latency counts answered requests and timeouts (a timeout is a slow answer), not refused or
 * reset connections, whose near-zero times would flatter it.
 *
 * Read from counters and sketches, never from the exchanges: the cost grows with routes, not
 * traffic. Percentiles are Postgres `percentile_cont` over the latencies, within the sketches'
 * relative accuracy α (`LATENCY_RELATIVE_ACCURACY`, 0.5%); counts are exact. With a `cache`, a
 * run whose stored exchanges did not change since its last read is not read again, and one
 * whose did has only its changed buckets read.
 */
export async function listRouteTraffic(pool: Pool, runId: string, cache?: LatencySketchCache): Promise<RouteTraffic[]> {
  const rows = await trafficRows(pool, runId);
  // The whole run's row comes first (NULLS FIRST).
  const stored = rows[0]?.exchanges ?? 0;
  const sketches = await sketchesOf(pool, runId, stored, cache);
  return rows.map((row) => {
    const of = (series: LatencySeries): LatencySketch => sketches.get(row.route)?.get(series) ?? EMPTY;
    const primaryLatency = percentiles(of('primary'));
    return {
      route: row.route,
      exchanges: row.exchanges,
      errors: { status5xx: row.status_5xx, timeout: row.timeouts, refused: row.refused, other: row.other_failures },
      primaryLatency,
      alike:
        row.paired > 0
          ? {
              basis: row.controls > 0 ? 'control' : 'secondary',
              samples: row.paired,
              candidate: percentiles(of('candidate_alike')),
              reference: percentiles(of('reference_alike')),
              p99Bounds: p99Bounds(of('candidate_alike'), of('reference_alike'), P99_BOUND_Z),
            }
          : { basis: 'primary', samples: row.answered, candidate: percentiles(of('candidate')), reference: primaryLatency, p99Bounds: null },
    };
  });
}

async function trafficRows(pool: Pool, runId: string): Promise<TrafficRow[]> {
  // The empty grouping set gives the whole run's row even before the first exchange.
  const { rows } = await pool.query<TrafficRow>(
    `SELECT route,
       coalesce(sum(exchanges), 0)::bigint AS exchanges,
       coalesce(sum(candidate_5xx), 0)::bigint AS status_5xx,
       coalesce(sum(candidate_timeouts), 0)::bigint AS timeouts,
       coalesce(sum(candidate_refused), 0)::bigint AS refused,
       coalesce(sum(candidate_other_failures), 0)::bigint AS other_failures,
       coalesce(sum(candidate_answered), 0)::bigint AS answered,
       coalesce(sum(timed_alike), 0)::bigint AS paired,
       coalesce(sum(control_exchanges), 0)::bigint AS controls
     FROM route_stats WHERE run_id = $1
     GROUP BY GROUPING SETS ((route), ())
     ORDER BY route NULLS FIRST`,
    [runId],
  );
  return rows;
}

/** A run's latency sketches by route (null: the whole run, its routes' sketches merged) and series. */
export async function listLatencySketches(pool: Pool, runId: string): Promise<RunSketches> {
  return (await readLatencySketches(pool, runId)).sketches;
}

/**
 * A run's sketches, with `stored` exchanges as read just before: from the cache while that count
 * is the one they were kept at, else brought up to date from the buckets changed since the
 * snapshot they were kept at (read whole the first time).
 */
async function sketchesOf(pool: Pool, runId: string, stored: number, cache?: LatencySketchCache): Promise<RunSketches> {
  const hit = cache?.get(runId, stored);
  if (hit) return hit.sketches;
  const kept = cache?.latest(runId);
  const read = kept ? await readLatencySketchChanges(pool, runId, kept) : await readLatencySketches(pool, runId);
  cache?.set(runId, read.exchanges, { snapshot: read.snapshot, sketches: read.sketches });
  return read.sketches;
}

/** One cell of the status-code matrix: how often the primary answered `primary` and the candidate `candidate`. */
export interface StatusPair {
  /** The primary's status, or `none` when it gave no response. */
  primary: string;
  /** The candidate's status, or how it failed (`timeout`, `refused`, `reset`, `error`). */
  candidate: string;
  count: number;
}

/** Primary × candidate status codes over a run, from counters kept as exchanges are stored. */
export async function statusMatrix(pool: Pool, runId: string): Promise<StatusPair[]> {
  const { rows } = await pool.query<StatusPair>(
    `SELECT primary_status AS primary, candidate, count FROM status_pairs WHERE run_id = $1 ORDER BY 1, 2`,
    [runId],
  );
  return rows;
}

/**
 * Exchanges per route in which at least one reported candidate difference lies outside
 * `exceptFields` (the fields a reader does not count: ignored, expected or noise).
 */
export async function countDifferingExchanges(pool: Pool, runId: string, exceptFields: readonly FieldKey[]): Promise<Map<string, number>> {
  // Over difference signatures (exchanges grouped by the set of fields that differed in them),
  // not over the differences themselves: a few rows per route, however long the run. A signature
  // counts unless all its fields are among its route's fields not counted (`<@`, contained in):
  // one hash join of the signatures with those fields per route.
  const { rows } = await pool.query<{ route: string; n: number }>(
    `WITH except_fields AS (
       SELECT route, array_agg(field) AS fields FROM unnest($2::text[], $3::text[]) AS x(route, field) GROUP BY route
     )
     SELECT s.route, sum(s.exchanges)::bigint AS n FROM difference_signatures s
     LEFT JOIN except_fields x ON x.route = s.route
     WHERE s.run_id = $1 AND NOT (s.fields <@ coalesce(x.fields, '{}'::text[]))
     GROUP BY s.route`,
    [runId, exceptFields.map((k) => k.route), exceptFields.map((k) => k.field)],
  );
  return new Map(rows.map((row) => [row.route, row.n]));
}
