import type { Pool } from './pool.ts';

/** Confidence bounds on the p99s of the candidate and its reference, over exchanges timed alike. */
export interface P99Bounds {
  /** The candidate's p99 is at least this, at the confidence asked. */
  candidateLow: number | null;
  /** The reference's p99 is at most this, at the confidence asked. */
  referenceHigh: number | null;
}

/**
 * Distribution-free confidence bounds on the p99 of the candidate and of its reference (the
 * secondary or control copy that answered the same exchange), per route and for the whole run
 * (key null). Among n latencies, the p99 lies between the order statistics of ranks
 * n·0.99 ∓ z·√(n·0.99·0.01) (the binomial count of values below it, in its normal form): with
 * few exchanges the reference's upper bound is its slowest answer, so one stall proves nothing.
 */
export async function listP99Bounds(pool: Pool, runId: string, z: number): Promise<Map<string | null, P99Bounds>> {
  const { rows } = await pool.query<{ route: string | null; candidate_low: number | null; reference_high: number | null }>(
    `WITH alike AS (
       SELECT route, candidate_latency_ms AS c, secondary_latency_ms AS r FROM exchanges
       WHERE run_id = $1 AND candidate_outcome IN ('ok', 'timeout') AND secondary_outcome IN ('ok', 'timeout')
     ), sized AS (
       SELECT route, c, r, count(*) OVER (PARTITION BY route) AS n, count(*) OVER () AS total FROM alike
     )
     SELECT route,
       percentile_disc(greatest(0, 0.99 - $2::float8 * sqrt(0.0099 / n))::float8) WITHIN GROUP (ORDER BY c) AS candidate_low,
       percentile_disc(least(1, 0.99 + $2::float8 * sqrt(0.0099 / n))::float8) WITHIN GROUP (ORDER BY r) AS reference_high
     FROM sized GROUP BY route, n
     UNION ALL
     SELECT NULL,
       percentile_disc(greatest(0, 0.99 - $2::float8 * sqrt(0.0099 / total))::float8) WITHIN GROUP (ORDER BY c),
       percentile_disc(least(1, 0.99 + $2::float8 * sqrt(0.0099 / total))::float8) WITHIN GROUP (ORDER BY r)
     FROM sized GROUP BY total`,
    [runId, z],
  );
  return new Map(rows.map((row) => [row.route, { candidateLow: row.candidate_low, referenceHigh: row.reference_high }]));
}
