import type { Pool } from './pool.ts';

export interface RouteStats {
  route: string;
  exchanges: number;
  withDifferences: number;
  statusMismatches: number;
  candidateErrors: number;
  secondaryExchanges: number;
}

export interface FieldStats {
  route: string;
  field: string;
  side: 'candidate' | 'secondary';
  differences: number;
  ignored: number;
  /** Exchanges whose reported differences on this field all looked volatile (timestamps, ids). */
  suspected: number;
}

/** Per-route counters of a run, busiest first. */
export async function listRouteStats(pool: Pool, runId: string): Promise<RouteStats[]> {
  const { rows } = await pool.query(
    `SELECT route, exchanges, with_differences, status_mismatches, candidate_errors, secondary_exchanges
     FROM route_stats WHERE run_id = $1 ORDER BY exchanges DESC, route`,
    [runId],
  );
  return rows.map((row) => ({
    route: row.route,
    exchanges: row.exchanges,
    withDifferences: row.with_differences,
    statusMismatches: row.status_mismatches,
    candidateErrors: row.candidate_errors,
    secondaryExchanges: row.secondary_exchanges,
  }));
}

/** Per-field counters of a run (optionally of one route), most differing first. */
export async function listFieldStats(pool: Pool, runId: string, route?: string): Promise<FieldStats[]> {
  const { rows } = await pool.query(
    `SELECT route, field, side, differences, ignored, suspected_exchanges FROM field_stats
     WHERE run_id = $1 AND ($2::text IS NULL OR route = $2)
     ORDER BY differences DESC, route, field, side`,
    [runId, route ?? null],
  );
  return rows.map((row) => ({ route: row.route, field: row.field, side: row.side, differences: row.differences, ignored: row.ignored, suspected: row.suspected_exchanges }));
}

/** Exchanges stored for a run so far. */
export async function countExchanges(pool: Pool, runId: string): Promise<number> {
  const { rows } = await pool.query('SELECT coalesce(sum(exchanges), 0)::bigint AS n FROM route_stats WHERE run_id = $1', [runId]);
  return rows[0]?.n ?? 0;
}

/**
 * The exchanges stored in a run, from its route counters (updated in the same transaction as
 * every other counter of the run): the stamp of what is worked out from its stored rows.
 */
export async function countStoredExchanges(pool: Pool, runId: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>('SELECT coalesce(sum(exchanges), 0)::bigint AS n FROM route_stats WHERE run_id = $1', [runId]);
  return rows[0]!.n;
}

/**
 * A stamp per run of the rows its analysis reads besides the run itself: the exchanges stored
 * (every counter, route and field alike, changes with them, in the same transaction) and its
 * triage marks. Equal stamps mean an analysis worked out earlier still holds.
 */
export async function listAnalysisStamps(pool: Pool, runIds: readonly string[]): Promise<Map<string, string>> {
  const { rows } = await pool.query<{ id: string; stamp: string }>(
    `SELECT r.id,
       (SELECT coalesce(sum(exchanges), 0) FROM route_stats s WHERE s.run_id = r.id)::text || ' ' ||
       (SELECT coalesce(json_agg(json_build_array(route, field, state, reason, updated_at) ORDER BY route, field), '[]')::text
        FROM field_triage t WHERE t.run_id = r.id) AS stamp
     FROM unnest($1::uuid[]) AS r(id)`,
    [runIds],
  );
  return new Map(rows.map((row) => [row.id, row.stamp]));
}
