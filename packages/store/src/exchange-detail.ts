import type { Pool } from './pool.ts';
import { toDifference, type StoredDifference } from './differences.ts';

export interface ExchangeDetail {
  id: string;
  runId: string;
  runName: string;
  capturedAt: string;
  method: string;
  url: string;
  route: string;
  request: unknown;
  responses: {
    primary: { status: number | null; latencyMs: number; captured: unknown };
    candidate: { status: number | null; outcome: string; latencyMs: number; captured: unknown };
    secondary: { status: number | null; outcome: string; latencyMs: number | null; captured: unknown } | null;
  };
  differences: StoredDifference[];
}

/** One exchange with the request, every side's response and its differences; undefined if unknown. */
export async function getExchange(pool: Pool, id: string): Promise<ExchangeDetail | undefined> {
  const { rows } = await pool.query(
    `SELECT e.*, r.name AS run_name FROM exchanges e JOIN runs r ON r.id = e.run_id
      WHERE e.id = $1 AND e.part_day = shadowdiff_capture_day($1)`,
    [id],
  );
  const row = rows[0];
  if (!row) return undefined;
  const { rows: differenceRows } = await pool.query('SELECT * FROM differences WHERE exchange_id = $1 AND part_day = $2 ORDER BY id', [id, row.part_day]);
  return {
    id: row.id,
    runId: row.run_id,
    runName: row.run_name,
    capturedAt: row.captured_at.toISOString(),
    method: row.method,
    url: row.url,
    route: row.route,
    request: row.request,
    responses: {
      primary: { status: row.primary_status, latencyMs: row.primary_latency_ms, captured: row.primary_response },
      candidate: {
        status: row.candidate_status,
        outcome: row.candidate_outcome,
        latencyMs: row.candidate_latency_ms,
        captured: row.candidate_response,
      },
      secondary:
        row.secondary_outcome === null
          ? null
          : {
              status: row.secondary_status,
              outcome: row.secondary_outcome,
              latencyMs: row.secondary_latency_ms,
              captured: row.secondary_response,
            },
    },
    differences: differenceRows.map(toDifference),
  };
}
