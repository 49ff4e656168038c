import type { Pool } from './pool';

export interface StoredDifference {
  id: number;
  exchangeId: string;
  route: string;
  side: string;
  field: string;
  path: string;
  kind: string;
  primaryValue: unknown;
  otherValue: unknown;
  suspectedNoise: boolean;
  ignoredBy: string | null;
  capturedAt: string;
}

interface DifferenceRow {
  id: number;
  exchange_id: string;
  route: string;
  side: string;
  field: string;
  path: string;
  kind: string;
  primary_value: unknown;
  other_value: unknown;
  suspected_noise: boolean;
  ignored_by: string | null;
  captured_at: Date;
}

export function toDifference(row: DifferenceRow): StoredDifference {
  return {
    id: row.id,
    exchangeId: row.exchange_id,
    route: row.route,
    side: row.side,
    field: row.field,
    path: row.path,
    kind: row.kind,
    primaryValue: row.primary_value,
    otherValue: row.other_value,
    suspectedNoise: row.suspected_noise,
    ignoredBy: row.ignored_by,
    capturedAt: row.captured_at.toISOString(),
  };
}

export interface DifferenceQuery {
  runId: string;
  route?: string;
  field?: string;
  kind?: string;
  side?: string;
  /** Include differences hidden by rules (default: only reported ones). */
  includeIgnored?: boolean;
  /** Id of the last difference of the previous page. */
  after?: number;
  limit: number;
}

/**
 * One page of a run's differences in id order. Keyset pagination on the identity column: rows
 * inserted while a client pages get larger ids, so pages never skip or repeat a row.
 */
export async function listDifferences(pool: Pool, query: DifferenceQuery): Promise<{ items: StoredDifference[]; nextAfter: number | null }> {
  const { rows } = await pool.query<DifferenceRow>(
    `SELECT * FROM differences
     WHERE run_id = $1 AND id > $2
       AND ($3::text IS NULL OR route = $3)
       AND ($4::text IS NULL OR field = $4)
       AND ($5::text IS NULL OR kind = $5)
       AND ($6::text IS NULL OR side = $6)
       AND ($7::boolean OR ignored_by IS NULL)
     ORDER BY id LIMIT $8`,
    [
      query.runId,
      query.after ?? 0,
      query.route ?? null,
      query.field ?? null,
      query.kind ?? null,
      query.side ?? null,
      query.includeIgnored ?? false,
      query.limit + 1,
    ],
  );
  const hasMore = rows.length > query.limit;
  const items = rows.slice(0, query.limit).map(toDifference);
  return { items, nextAfter: hasMore ? (items.at(-1)?.id ?? null) : null };
}
