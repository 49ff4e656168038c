import type { Pool } from './pool.ts';
import type { DifferenceRecord } from './records.ts';

/** One difference as stored, read back with its row id and the exchange it belongs to. */
export interface StoredDifference extends DifferenceRecord {
  id: number;
  exchangeId: string;
  route: string;
  capturedAt: string;
}

interface DifferenceRow {
  id: number;
  exchange_id: string;
  route: string;
  side: DifferenceRecord['side'];
  field: string;
  path: string;
  kind: string;
  primary_value: unknown;
  other_value: unknown;
  suspected_noise: boolean;
  ignored_by: string | null;
  captured_at: Date;
}

/** Maps a `differences` row to a stored difference. */
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

/** One field of one route: the unit that rules, triage and noise classification apply to. */
export interface FieldKey {
  route: string;
  field: string;
}

/** Where a page of differences ended: the inserting transaction and the row id. */
export interface DifferencePosition {
  tx: string;
  id: number;
}

/** Filters and position of one page of differences. */
export interface DifferenceQuery {
  runId: string;
  route?: string;
  field?: string;
  kind?: string;
  side?: string;
  /** Captured at or after this instant (ISO 8601). */
  from?: string;
  /** Captured before this instant (ISO 8601). */
  to?: string;
  /** Include differences hidden by rules when the exchange was diffed (default: only reported ones). */
  includeIgnored?: boolean;
  /** Only differences on these fields. */
  onlyFields?: readonly FieldKey[];
  /** Never differences on these fields (hidden when read). */
  exceptFields?: readonly FieldKey[];
  /** Position of the last difference of the previous page. */
  after?: DifferencePosition;
  limit: number;
}

/** One page of differences and where the next one starts. */
export interface DifferencePage {
  items: StoredDifference[];
  /** Position after the last item (or the one given when the page is empty); pass it back as `after`. */
  next: DifferencePosition | null;
  /** More differences matched beyond this page when it was read. */
  hasMore: boolean;
}

const routesOf = (keys: readonly FieldKey[] | undefined): string[] | null => (keys ? keys.map((k) => k.route) : null);
const fieldsOf = (keys: readonly FieldKey[] | undefined): string[] | null => (keys ? keys.map((k) => k.field) : null);

/**
 * One page of a run's differences in commit-safe order. Rows are ordered by (inserting
 * transaction, id) and only rows of transactions older than every transaction still running are
 * returned, so a row committed later always sorts after any page already read: pages never skip
 * or repeat a row while workers keep inserting.
 */
export async function listDifferences(pool: Pool, query: DifferenceQuery): Promise<DifferencePage> {
  const { rows } = await pool.query<DifferenceRow & { tx: string }>(
    `SELECT d.*, d.tx::text AS tx FROM differences d
     WHERE d.run_id = $1
       AND (d.tx, d.id) > ($2::xid8, $3::bigint)
       AND d.tx < pg_snapshot_xmin(pg_current_snapshot())
       AND ($4::text IS NULL OR d.route = $4)
       AND ($5::text IS NULL OR d.field = $5)
       AND ($6::text IS NULL OR d.kind = $6)
       AND ($7::text IS NULL OR d.side = $7)
       AND ($8::timestamptz IS NULL OR d.captured_at >= $8)
       AND ($9::timestamptz IS NULL OR d.captured_at < $9)
       AND ($10::boolean OR d.ignored_by IS NULL)
       AND ($11::text[] IS NULL OR EXISTS (
         SELECT 1 FROM unnest($11::text[], $12::text[]) AS f(route, field) WHERE f.route = d.route AND f.field = d.field))
       AND ($13::text[] IS NULL OR NOT EXISTS (
         SELECT 1 FROM unnest($13::text[], $14::text[]) AS f(route, field) WHERE f.route = d.route AND f.field = d.field))
     ORDER BY d.tx, d.id LIMIT $15`,
    [
      query.runId,
      query.after?.tx ?? '0',
      query.after?.id ?? 0,
      query.route ?? null,
      query.field ?? null,
      query.kind ?? null,
      query.side ?? null,
      query.from ?? null,
      query.to ?? null,
      query.includeIgnored ?? false,
      routesOf(query.onlyFields),
      fieldsOf(query.onlyFields),
      routesOf(query.exceptFields),
      fieldsOf(query.exceptFields),
      query.limit + 1,
    ],
  );
  const hasMore = rows.length > query.limit;
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toDifference),
    next: last ? { tx: last.tx, id: last.id } : (query.after ?? null),
    hasMore,
  };
}
