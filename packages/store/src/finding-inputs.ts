/** What findings are grouped from: which fields differed together, and samples of their values. */
import type { Pool } from './pool.ts';

/** Exchanges of a route in which exactly this set of candidate fields differed (reported, not hidden). */
export interface DifferenceSignature {
  route: string;
  fields: string[];
  exchanges: number;
}

export async function listSignatures(pool: Pool, runId: string): Promise<DifferenceSignature[]> {
  const { rows } = await pool.query<{ route: string; fields: string[]; exchanges: number }>(
    'SELECT route, fields, exchanges FROM difference_signatures WHERE run_id = $1 ORDER BY route, exchanges DESC',
    [runId],
  );
  return rows;
}

/** What a run's findings are grouped from besides its verdicts: stored rows only, so they change only as exchanges are stored. */
export interface FindingInputs {
  signatures: DifferenceSignature[];
  samples: DifferenceSample[];
}

/** One stored candidate difference, as a sample of its field. */
export interface DifferenceSample {
  route: string;
  field: string;
  exchangeId: string;
  kind: string;
  primaryValue: unknown;
  otherValue: unknown;
}

/**
 * The first `perField` reported candidate differences of every field of a run, by route and field.
 * Each field is a walk of its own over `differences_run_route_field_reported` that stops after
 * `perField` rows, driven by the run's field counters: the cost grows with fields, not traffic.
 */
export async function listDifferenceSamples(pool: Pool, runId: string, perField: number): Promise<DifferenceSample[]> {
  const { rows } = await pool.query<{ route: string; field: string; exchange_id: string; kind: string; primary_value: unknown; other_value: unknown }>(
    `SELECT f.route, f.field, d.exchange_id, d.kind, d.primary_value, d.other_value
     FROM field_stats f
     CROSS JOIN LATERAL (
       SELECT exchange_id, kind, primary_value, other_value, id FROM differences
       WHERE run_id = f.run_id AND route = f.route AND field = f.field AND side = 'candidate' AND ignored_by IS NULL
       ORDER BY id LIMIT $2
     ) d
     WHERE f.run_id = $1 AND f.side = 'candidate'
     ORDER BY f.route, f.field, d.id`,
    [runId, perField],
  );
  return rows.map((r) => ({ route: r.route, field: r.field, exchangeId: r.exchange_id, kind: r.kind, primaryValue: r.primary_value, otherValue: r.other_value }));
}
