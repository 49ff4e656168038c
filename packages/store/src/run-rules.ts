import type { Pool } from './pool.ts';

/** The rules of the given runs (as stored: JSON arrays of diff rules), keyed by run id. */
export async function getRunRules(pool: Pool, runIds: readonly string[]): Promise<Map<string, unknown[]>> {
  const { rows } = await pool.query<{ id: string; rules: unknown }>('SELECT id, rules FROM runs WHERE id = ANY($1::uuid[])', [runIds]);
  return new Map(rows.map((row) => [row.id, Array.isArray(row.rules) ? row.rules : []]));
}
