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

/** One stored candidate difference, as a sample of its field. */
export interface DifferenceSample {
  route: string;
  field: string;
  exchangeId: string;
  kind: string;
  primaryValue: unknown;
  otherValue: unknown;
}

/** The first `perField` reported candidate differences of every field of a run, by route and field. */
export async function listDifferenceSamples(pool: Pool, runId: string, perField: number): Promise<DifferenceSample[]> {
  const { rows } = await pool.query<{ route: string; field: string; exchange_id: string; kind: string; primary_value: unknown; other_value: unknown }>(
    `SELECT route, field, exchange_id, kind, primary_value, other_value FROM (
       SELECT route, field, exchange_id, kind, primary_value, other_value, id,
              row_number() OVER (PARTITION BY route, field ORDER BY id) AS n
       FROM differences WHERE run_id = $1 AND side = 'candidate' AND ignored_by IS NULL
     ) sampled WHERE n <= $2 ORDER BY route, field, id`,
    [runId, perField],
  );
  return rows.map((r) => ({ route: r.route, field: r.field, exchangeId: r.exchange_id, kind: r.kind, primaryValue: r.primary_value, otherValue: r.other_value }));
}
