import type { Pool } from './pool.ts';

/** What the stored candidate differences of one field say beyond its counters. */
export interface FieldDetail {
  route: string;
  field: string;
  /** Kinds of the reported differences: `changed`, `added`, `type_changed`… */
  kinds: string[];
  /** Exchanges in which the field differed and was reported (not hidden by a rule when diffed). */
  reported: number;
  /** Of those, how many had only values of a volatile shape (UUID, timestamp, token). */
  suspected: number;
  /** Rules that hid differences of this field when exchanges were diffed. */
  ignoredBy: string[];
  /** A few exchanges in which the field differed. */
  exampleExchangeIds: string[];
}

interface FieldDetailRow {
  route: string;
  field: string;
  kinds: string[];
  differences: number;
  ignored: number;
  suspected_exchanges: number;
  ignored_by: string[];
  examples: string[];
}

/**
 * Kinds, volatility and example exchanges of a run's candidate-side fields (optionally of one
 * route), from the counters the worker keeps: a row per field, however long the run.
 */
export async function listFieldDetails(pool: Pool, runId: string, route?: string, examples = 3): Promise<FieldDetail[]> {
  const { rows } = await pool.query<FieldDetailRow>(
    // Arrays as JSON: parsed natively, where node-postgres parses array literals character by
    // character in JavaScript (a few ms for a run's fields, on every report).
    `SELECT route, field, to_json(kinds) AS kinds, differences, ignored, suspected_exchanges, to_json(ignored_by) AS ignored_by,
            to_json(examples) AS examples
     FROM field_stats
     WHERE run_id = $1 AND side = 'candidate' AND ($2::text IS NULL OR route = $2)`,
    [runId, route ?? null],
  );
  return rows.map((row) => ({
    route: row.route,
    field: row.field,
    kinds: row.kinds,
    reported: row.differences - row.ignored,
    suspected: row.suspected_exchanges,
    ignoredBy: row.ignored_by,
    exampleExchangeIds: row.examples.slice(0, examples),
  }));
}
