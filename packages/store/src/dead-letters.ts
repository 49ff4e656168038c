import type { Pool } from './pool';

export interface DeadLetter {
  captureId: string | null;
  runName: string | null;
  reason: string;
  payload: unknown;
}

/** Records captures that can never be processed, once per capture id. */
export async function insertDeadLetters(pool: Pool, letters: readonly DeadLetter[]): Promise<void> {
  if (letters.length === 0) return;
  await pool.query(
    `INSERT INTO dead_letters (capture_id, run_name, reason, payload)
     SELECT capture_id, run_name, reason, payload FROM jsonb_to_recordset($1::jsonb)
       AS d(capture_id text, run_name text, reason text, payload jsonb)
     ON CONFLICT (capture_id) WHERE capture_id IS NOT NULL DO NOTHING`,
    [JSON.stringify(letters.map((l) => ({ capture_id: l.captureId, run_name: l.runName, reason: l.reason, payload: l.payload })))],
  );
}

export async function listDeadLetters(pool: Pool, limit = 100): Promise<(DeadLetter & { id: number; createdAt: string })[]> {
  const { rows } = await pool.query('SELECT * FROM dead_letters ORDER BY id DESC LIMIT $1', [limit]);
  return rows.map((row) => ({
    id: row.id,
    captureId: row.capture_id,
    runName: row.run_name,
    reason: row.reason,
    payload: row.payload,
    createdAt: row.created_at.toISOString(),
  }));
}
