import type { Pool } from './pool';

/** What the stored candidate differences of one field say beyond its counters. */
export interface FieldDetail {
  route: string;
  field: string;
  /** Kinds of the reported differences: `changed`, `added`, `type_changed`… */
  kinds: string[];
  /** Reported (not rule-hidden) differences, counting every array element. */
  reported: number;
  /** Of those, how many had values of a volatile shape (UUID, timestamp, token). */
  suspected: number;
  /** Rules that hid differences of this field when exchanges were diffed. */
  ignoredBy: string[];
  /** A few exchanges in which the field differed. */
  exampleExchangeIds: string[];
}

interface FieldDetailRow {
  route: string;
  field: string;
  kinds: string[] | null;
  reported: number;
  suspected: number;
  ignored_by: string[] | null;
  examples: string[] | null;
}

/** Kinds, volatility and example exchanges of a run's candidate-side fields (optionally of one route). */
export async function listFieldDetails(pool: Pool, runId: string, route?: string, examples = 3): Promise<FieldDetail[]> {
  const { rows } = await pool.query<FieldDetailRow>(
    `SELECT route, field,
       array_agg(DISTINCT kind) FILTER (WHERE ignored_by IS NULL) AS kinds,
       count(*) FILTER (WHERE ignored_by IS NULL)::bigint AS reported,
       count(*) FILTER (WHERE ignored_by IS NULL AND suspected_noise)::bigint AS suspected,
       array_agg(DISTINCT ignored_by) FILTER (WHERE ignored_by IS NOT NULL) AS ignored_by,
       (array_agg(DISTINCT exchange_id::text) FILTER (WHERE ignored_by IS NULL))[1:$3::int] AS examples
     FROM differences
     WHERE run_id = $1 AND side = 'candidate' AND ($2::text IS NULL OR route = $2)
     GROUP BY route, field`,
    [runId, route ?? null, examples],
  );
  return rows.map((row) => ({
    route: row.route,
    field: row.field,
    kinds: row.kinds ?? [],
    reported: row.reported,
    suspected: row.suspected,
    ignoredBy: row.ignored_by ?? [],
    exampleExchangeIds: row.examples ?? [],
  }));
}
