import type { Pool } from './pool.ts';

export interface Run {
  id: string;
  name: string;
  service: string | null;
  primaryLabel: string | null;
  candidateLabel: string | null;
  state: 'active' | 'closed';
  /** The run's own diff rules (JSON diff rules), applied in addition to the configured ones. */
  rules: unknown[];
  /** The run's gate thresholds (JSON object); a gate request may override them. */
  thresholds: Record<string, unknown>;
  createdAt: string;
  closedAt: string | null;
  /** Where its traffic came from (`inline tap`, `mesh recorders`, `replay of checkout.har`…), in the order first seen. */
  trafficSources: string[];
  /** A kept run (a baseline) is never pruned, whatever the age of its exchanges. */
  kept: boolean;
  /** When a prune last removed exchanges of the run (its counters still count them), or null. */
  prunedAt: string | null;
}

export interface RunSummary extends Run {
  exchanges: number;
  withDifferences: number;
}

/** A `runs` row as Postgres returns it. */
export interface RunRow {
  id: string;
  name: string;
  service: string | null;
  primary_label: string | null;
  candidate_label: string | null;
  state: 'active' | 'closed';
  rules: unknown;
  thresholds: unknown;
  created_at: Date;
  closed_at: Date | null;
  traffic_sources: string[] | null;
  kept: boolean | null;
  pruned_at: Date | null;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Maps a `runs` row to a run. */
export function toRun(row: RunRow): Run {
  return {
    id: row.id,
    name: row.name,
    service: row.service,
    primaryLabel: row.primary_label,
    candidateLabel: row.candidate_label,
    state: row.state,
    rules: Array.isArray(row.rules) ? row.rules : [],
    thresholds: isObject(row.thresholds) ? row.thresholds : {},
    createdAt: row.created_at.toISOString(),
    closedAt: row.closed_at?.toISOString() ?? null,
    trafficSources: row.traffic_sources ?? [],
    kept: row.kept === true,
    prunedAt: row.pruned_at?.toISOString() ?? null,
  };
}

/**
 * Adds where a batch's traffic came from to each run's list (run id → sources). A run that
 * lists them all already is not written, so the usual batch costs one indexed read per run.
 */
export async function noteTrafficSources(pool: Pool, sources: ReadonlyMap<string, readonly string[]>): Promise<void> {
  for (const [runId, labels] of sources) {
    await pool.query(
      `UPDATE runs SET traffic_sources = traffic_sources || ARRAY(SELECT unnest($2::text[]) EXCEPT SELECT unnest(traffic_sources))
        WHERE id = $1 AND NOT traffic_sources @> $2::text[]`,
      [runId, labels],
    );
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids of the named runs, created on first sight (captures name their run; the worker files them). */
export async function ensureRuns(pool: Pool, names: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(names)];
  await pool.query('INSERT INTO runs (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING', [unique]);
  const { rows } = await pool.query<{ id: string; name: string }>('SELECT id, name FROM runs WHERE name = ANY($1::text[])', [unique]);
  return new Map(rows.map((row) => [row.name, row.id]));
}

/** A run by id or by name; undefined when there is none. */
export async function findRun(pool: Pool, idOrName: string): Promise<Run | undefined> {
  const { rows } = UUID.test(idOrName)
    ? await pool.query<RunRow>('SELECT * FROM runs WHERE id = $1 OR name = $2 ORDER BY (id = $1) DESC LIMIT 1', [idOrName, idOrName])
    : await pool.query<RunRow>('SELECT * FROM runs WHERE name = $1', [idOrName]);
  return rows[0] ? toRun(rows[0]) : undefined;
}

/** Up to `limit` runs of `service` created before `run`, newest first: what noise memory learns from. */
export async function listEarlierRuns(pool: Pool, run: Run, limit: number): Promise<Run[]> {
  if (!run.service) return [];
  const { rows } = await pool.query<RunRow>('SELECT * FROM runs WHERE service = $1 AND created_at < $2 AND id <> $3 ORDER BY created_at DESC LIMIT $4', [
    run.service,
    run.createdAt,
    run.id,
    limit,
  ]);
  return rows.map(toRun);
}

/** Every run, newest first, with its exchange and difference totals. */
export async function listRuns(pool: Pool): Promise<RunSummary[]> {
  const { rows } = await pool.query<RunRow & { exchanges: number; with_differences: number }>(`
    SELECT r.*, coalesce(sum(s.exchanges), 0)::bigint AS exchanges,
           coalesce(sum(s.with_differences), 0)::bigint AS with_differences
    FROM runs r LEFT JOIN route_stats s ON s.run_id = r.id
    GROUP BY r.id ORDER BY r.created_at DESC`);
  return rows.map((row) => ({ ...toRun(row), exchanges: row.exchanges, withDifferences: row.with_differences }));
}
