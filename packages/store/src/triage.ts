import type { Pool } from './pool.ts';

/**
 * The marks a person may put on a field: `noise` (nondeterminism), `expected` (an intended
 * change), or `real` (counts as real whatever an earlier run of the service judged, overriding
 * learned noise). The API's request and response schemas are built from this list.
 */
export const TRIAGE_STATES = ['noise', 'expected', 'real'] as const;

/** A person's verdict on a field; see {@link TRIAGE_STATES}. */
export type TriageState = (typeof TRIAGE_STATES)[number];

/** A triage mark as stored. */
export interface FieldTriage {
  route: string;
  field: string;
  state: TriageState;
  reason: string;
  createdAt: string;
  updatedAt: string;
}

interface TriageRow {
  route: string;
  field: string;
  state: TriageState;
  reason: string;
  created_at: Date;
  updated_at: Date;
}

const toTriage = (row: TriageRow): FieldTriage => ({
  route: row.route,
  field: row.field,
  state: row.state,
  reason: row.reason,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** Every triage mark of a run. */
export async function listTriage(pool: Pool, runId: string): Promise<FieldTriage[]> {
  const { rows } = await pool.query<TriageRow>('SELECT * FROM field_triage WHERE run_id = $1 ORDER BY route, field', [runId]);
  return rows.map(toTriage);
}

/** Marks a field (replacing an earlier mark of the same field). */
export async function setTriage(
  pool: Pool,
  runId: string,
  mark: { route: string; field: string; state: TriageState; reason: string },
): Promise<FieldTriage> {
  const { rows } = await pool.query<TriageRow>(
    `INSERT INTO field_triage (run_id, route, field, state, reason) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (run_id, route, field) DO UPDATE SET state = excluded.state, reason = excluded.reason, updated_at = now()
     RETURNING *`,
    [runId, mark.route, mark.field, mark.state, mark.reason],
  );
  return toTriage(rows[0]!);
}

/** Removes a field's mark; false when there was none. */
export async function clearTriage(pool: Pool, runId: string, route: string, field: string): Promise<boolean> {
  const { rowCount } = await pool.query('DELETE FROM field_triage WHERE run_id = $1 AND route = $2 AND field = $3', [runId, route, field]);
  return (rowCount ?? 0) > 0;
}
