import type { FieldKey } from './differences.ts';
import { listP99Bounds, type P99Bounds } from './latency-bounds.ts';
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

/** Per-route figures computed from the exchanges themselves. */
export interface EndpointTraffic {
  /** Null for the run as a whole. */
  route: string | null;
  exchanges: number;
  errors: CandidateErrorBreakdown;
  /** The served primary's latency. */
  primaryLatency: LatencyPercentiles;
  alike: AlikeLatency;
}

interface TrafficRow {
  route: string | null;
  exchanges: number;
  status_5xx: number;
  timeouts: number;
  refused: number;
  other_failures: number;
  primary_p: number[] | null;
  candidate_p: number[] | null;
  answered: number;
  paired: number;
  controls: number;
  candidate_paired_p: number[] | null;
  secondary_p: number[] | null;
}

const percentiles = (values: number[] | null): LatencyPercentiles => ({
  p50: values?.[0] ?? null,
  p95: values?.[1] ?? null,
  p99: values?.[2] ?? null,
});

/**
 * Exchanges, candidate errors and latency percentiles per route and for the whole run (the row
 * whose route is null), and the candidate's latency next to the reference timed alike: the
 * exchanges where a secondary or control copy answered too, else the served primary. Candidate
 * latency counts answered requests and timeouts (a timeout is a slow answer), not refused or
 * reset connections, whose near-zero times would flatter it.
 */
export async function listEndpointTraffic(pool: Pool, runId: string): Promise<EndpointTraffic[]> {
  const [{ rows }, bounds] = await Promise.all([trafficRows(pool, runId), listP99Bounds(pool, runId, P99_BOUND_Z)]);
  return rows.map((row) => ({
    route: row.route,
    exchanges: row.exchanges,
    errors: { status5xx: row.status_5xx, timeout: row.timeouts, refused: row.refused, other: row.other_failures },
    primaryLatency: percentiles(row.primary_p),
    alike:
      row.paired > 0
        ? {
            basis: row.controls > 0 ? 'control' : 'secondary',
            samples: row.paired,
            candidate: percentiles(row.candidate_paired_p),
            reference: percentiles(row.secondary_p),
            p99Bounds: bounds.get(row.route) ?? null,
          }
        : { basis: 'primary', samples: row.answered, candidate: percentiles(row.candidate_p), reference: percentiles(row.primary_p), p99Bounds: null },
  }));
}

function trafficRows(pool: Pool, runId: string) {
  return pool.query<TrafficRow>(
    `SELECT route,
       count(*)::bigint AS exchanges,
       count(*) FILTER (WHERE candidate_outcome = 'ok' AND candidate_status >= 500)::bigint AS status_5xx,
       count(*) FILTER (WHERE candidate_outcome = 'timeout')::bigint AS timeouts,
       count(*) FILTER (WHERE candidate_outcome = 'refused')::bigint AS refused,
       count(*) FILTER (WHERE candidate_outcome NOT IN ('ok', 'timeout', 'refused'))::bigint AS other_failures,
       percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY primary_latency_ms) AS primary_p,
       percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY candidate_latency_ms)
         FILTER (WHERE candidate_outcome IN ('ok', 'timeout')) AS candidate_p,
       count(*) FILTER (WHERE candidate_outcome IN ('ok', 'timeout'))::bigint AS answered,
       count(*) FILTER (WHERE candidate_outcome IN ('ok', 'timeout') AND secondary_outcome IN ('ok', 'timeout'))::bigint AS paired,
       count(*) FILTER (WHERE secondary_kind = 'control')::bigint AS controls,
       percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY candidate_latency_ms)
         FILTER (WHERE candidate_outcome IN ('ok', 'timeout') AND secondary_outcome IN ('ok', 'timeout')) AS candidate_paired_p,
       percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY secondary_latency_ms)
         FILTER (WHERE candidate_outcome IN ('ok', 'timeout') AND secondary_outcome IN ('ok', 'timeout')) AS secondary_p
     FROM exchanges WHERE run_id = $1
     GROUP BY GROUPING SETS ((route), ())
     ORDER BY route NULLS FIRST`,
    [runId],
  );
}

/** One cell of the status-code matrix: how often the primary answered `primary` and the candidate `candidate`. */
export interface StatusPair {
  /** The primary's status, or `none` when it gave no response. */
  primary: string;
  /** The candidate's status, or how it failed (`timeout`, `refused`, `reset`, `error`). */
  candidate: string;
  count: number;
}

/** Primary × candidate status codes over a run. */
export async function statusMatrix(pool: Pool, runId: string): Promise<StatusPair[]> {
  const { rows } = await pool.query<StatusPair>(
    `SELECT coalesce(primary_status::text, 'none') AS primary,
            CASE WHEN candidate_outcome = 'ok' THEN coalesce(candidate_status::text, 'none') ELSE candidate_outcome END AS candidate,
            count(*)::bigint AS count
     FROM exchanges WHERE run_id = $1
     GROUP BY 1, 2 ORDER BY 1, 2`,
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
  // not over the differences themselves: a few rows per route, however long the run.
  const { rows } = await pool.query<{ route: string; n: number }>(
    `SELECT s.route, sum(s.exchanges)::bigint AS n FROM difference_signatures s
     WHERE s.run_id = $1
       AND EXISTS (SELECT 1 FROM unnest(s.fields) AS f(field)
                   WHERE NOT EXISTS (SELECT 1 FROM unnest($2::text[], $3::text[]) AS x(route, field)
                                     WHERE x.route = s.route AND x.field = f.field))
     GROUP BY s.route`,
    [runId, exceptFields.map((k) => k.route), exceptFields.map((k) => k.field)],
  );
  return new Map(rows.map((row) => [row.route, row.n]));
}
