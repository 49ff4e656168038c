import { jsonbSafe } from './jsonb-safe.ts';
import type { Pool } from './pool.ts';

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
    [
      JSON.stringify(
        letters.map((l) => ({ capture_id: l.captureId, run_name: l.runName, reason: l.reason, payload: jsonbSafe(l.payload) })),
      ),
    ],
  );
}

/** A dead letter as listed: what could not be processed, why, and when. */
export interface StoredDeadLetter extends DeadLetter {
  id: number;
  createdAt: string;
}

interface DeadLetterRow {
  id: number;
  capture_id: string | null;
  run_name: string | null;
  reason: string;
  payload?: unknown;
  created_at: Date;
}

/** Which dead letters to list, and where the page starts. */
export interface DeadLetterQuery {
  /** Only captures filed under this run name. */
  runName?: string;
  /** Id of the last dead letter of the previous page (pages go newest first). */
  before?: number;
  limit: number;
  /** Include the captured payload (it can be large). */
  withPayload?: boolean;
}

/** Dead letters newest first, keyset-paged on their id. */
export async function listDeadLetters(pool: Pool, query: DeadLetterQuery): Promise<{ items: StoredDeadLetter[]; hasMore: boolean }> {
  const { rows } = await pool.query<DeadLetterRow>(
    `SELECT id, capture_id, run_name, reason, created_at, CASE WHEN $4 THEN payload END AS payload
     FROM dead_letters
     WHERE ($1::text IS NULL OR run_name = $1) AND ($2::bigint IS NULL OR id < $2)
     ORDER BY id DESC LIMIT $3`,
    [query.runName ?? null, query.before ?? null, query.limit + 1, query.withPayload ?? false],
  );
  return {
    hasMore: rows.length > query.limit,
    items: rows.slice(0, query.limit).map((row) => ({
      id: row.id,
      captureId: row.capture_id,
      runName: row.run_name,
      reason: row.reason,
      payload: row.payload ?? null,
      createdAt: row.created_at.toISOString(),
    })),
  };
}
