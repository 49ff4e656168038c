import type { Pool } from './pool.ts';
import { toRun, type Run, type RunRow } from './runs.ts';

/** What a person gives when creating a run or changing its description. */
export interface RunFields {
  service?: string | null;
  primaryLabel?: string | null;
  candidateLabel?: string | null;
  thresholds?: Record<string, unknown>;
}

/** Creates a run; undefined when the name is taken. */
export async function createRun(pool: Pool, name: string, fields: RunFields & { rules?: unknown[] }): Promise<Run | undefined> {
  const { rows } = await pool.query<RunRow>(
    `INSERT INTO runs (name, service, primary_label, candidate_label, rules, thresholds)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)
     ON CONFLICT (name) DO NOTHING RETURNING *`,
    [
      name,
      fields.service ?? null,
      fields.primaryLabel ?? null,
      fields.candidateLabel ?? null,
      JSON.stringify(fields.rules ?? []),
      JSON.stringify(fields.thresholds ?? {}),
    ],
  );
  return rows[0] ? toRun(rows[0]) : undefined;
}

/** Changes the given fields of a run's description (absent ones are kept). */
export async function updateRun(pool: Pool, runId: string, fields: RunFields): Promise<Run | undefined> {
  const { rows } = await pool.query<RunRow>(
    `UPDATE runs SET
       service = CASE WHEN $2 THEN $3 ELSE service END,
       primary_label = CASE WHEN $4 THEN $5 ELSE primary_label END,
       candidate_label = CASE WHEN $6 THEN $7 ELSE candidate_label END,
       thresholds = coalesce($8::jsonb, thresholds)
     WHERE id = $1 RETURNING *`,
    [
      runId,
      fields.service !== undefined,
      fields.service ?? null,
      fields.primaryLabel !== undefined,
      fields.primaryLabel ?? null,
      fields.candidateLabel !== undefined,
      fields.candidateLabel ?? null,
      fields.thresholds === undefined ? null : JSON.stringify(fields.thresholds),
    ],
  );
  return rows[0] ? toRun(rows[0]) : undefined;
}

/** Closes a run (idempotent: the first closing time is kept). */
export async function closeRun(pool: Pool, runId: string): Promise<Run | undefined> {
  const { rows } = await pool.query<RunRow>(
    `UPDATE runs SET state = 'closed', closed_at = coalesce(closed_at, now()) WHERE id = $1 RETURNING *`,
    [runId],
  );
  return rows[0] ? toRun(rows[0]) : undefined;
}

/** Marks a run kept (a baseline, never pruned) or no longer kept. */
export async function setRunKept(pool: Pool, runId: string, kept: boolean): Promise<Run | undefined> {
  const { rows } = await pool.query<RunRow>('UPDATE runs SET kept = $2 WHERE id = $1 RETURNING *', [runId, kept]);
  return rows[0] ? toRun(rows[0]) : undefined;
}

/**
 * Replaces a run's rules with `change(current)` while holding the run's row lock, so two people
 * adding rules at once both keep theirs. `change` may throw to refuse; nothing is written then.
 * @returns the new rules; undefined when the run does not exist.
 */
export async function changeRunRules(pool: Pool, runId: string, change: (rules: unknown[]) => unknown[]): Promise<unknown[] | undefined> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ rules: unknown }>('SELECT rules FROM runs WHERE id = $1 FOR UPDATE', [runId]);
    if (!rows[0]) {
      await client.query('ROLLBACK');
      return undefined;
    }
    const next = change(Array.isArray(rows[0].rules) ? rows[0].rules : []);
    await client.query('UPDATE runs SET rules = $2::jsonb WHERE id = $1', [runId, JSON.stringify(next)]);
    await client.query('COMMIT');
    return next;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
