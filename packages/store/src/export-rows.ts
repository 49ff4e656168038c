import type { Pool } from './pool.ts';

/** One stored exchange as an export writes it: the capture the workers received, as far as it was kept. */
export interface ExportRow {
  id: string;
  capturedAt: string;
  /** Kept for every exchange. */
  request: unknown;
  /** Kept for exchanges that differ and a sample of identical ones; null otherwise. */
  primary: unknown;
  candidate: unknown;
  secondary: unknown;
  secondaryKind: 'secondary' | 'control' | null;
}

/**
 * A page of a run's exchanges in capture-id order (which is time order), after `after`, on one
 * route when given. Keyset paging: a deep page costs what the first does.
 */
export async function listExportRows(pool: Pool, runId: string, options: { after?: string; limit: number; route?: string }): Promise<ExportRow[]> {
  const { rows } = await pool.query(
    `SELECT id, captured_at, request, primary_response, candidate_response, secondary_response, secondary_kind
       FROM exchanges
      WHERE run_id = $1 AND ($2::uuid IS NULL OR id > $2::uuid) AND ($3::text IS NULL OR route = $3)
      ORDER BY id
      LIMIT $4`,
    [runId, options.after ?? null, options.route ?? null, options.limit],
  );
  return rows.map((r) => ({
    id: r.id,
    capturedAt: r.captured_at.toISOString(),
    request: r.request,
    primary: r.primary_response,
    candidate: r.candidate_response,
    secondary: r.secondary_response,
    secondaryKind: r.secondary_kind,
  }));
}
