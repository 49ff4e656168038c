/** What findings are grouped from: which fields differed together, and samples of their values. */
import type { Pool } from './pool.ts';
import { changedSince } from './snapshot-changes.ts';

/** Exchanges of a route in which exactly this set of candidate fields differed (reported, not hidden). */
export interface DifferenceSignature {
  route: string;
  fields: string[];
  exchanges: number;
}

export async function listSignatures(pool: Pool, runId: string): Promise<DifferenceSignature[]> {
  const { rows } = await pool.query<{ route: string; fields: string[]; exchanges: number }>(
    // The fields as JSON: parsed natively, not by node-postgres's array parser in JavaScript.
    'SELECT route, to_json(fields) AS fields, exchanges FROM difference_signatures WHERE run_id = $1 ORDER BY route, exchanges DESC',
    [runId],
  );
  return rows;
}

/** What a run's findings are grouped from besides its verdicts: stored rows only, so they change only as exchanges are stored. */
export interface FindingInputs {
  signatures: DifferenceSignature[];
  samples: DifferenceSample[];
}

/** One stored candidate difference, as a sample of its field. */
export interface DifferenceSample {
  route: string;
  field: string;
  exchangeId: string;
  kind: string;
  primaryValue: unknown;
  otherValue: unknown;
}

/** A sample with its difference's id: the order samples of a field are taken in. */
export interface KeptDifferenceSample extends DifferenceSample {
  id: number;
}

/**
 * A run's finding inputs as of a Postgres snapshot (`pg_snapshot` text; null when read before the
 * run had any sample), its samples with their ids, so that differences stored since are added.
 */
export interface KeptFindingInputs extends FindingInputs {
  samples: KeptDifferenceSample[];
  snapshot: string | null;
}

type SampleRow = { route: string; field: string; exchange_id: string; kind: string; primary_value: unknown; other_value: unknown; id: number; snapshot: string };

const sampleOf = (r: SampleRow): KeptDifferenceSample => ({ route: r.route, field: r.field, exchangeId: r.exchange_id, kind: r.kind, primaryValue: r.primary_value, otherValue: r.other_value, id: r.id });

/**
 * The first `perField` reported candidate differences of every field of a run, by route and field.
 * Each field is a walk of its own over `differences_run_route_field_reported` that stops after
 * `perField` rows, driven by the run's field counters: the cost grows with fields, not traffic.
 */
export async function listDifferenceSamples(pool: Pool, runId: string, perField: number): Promise<DifferenceSample[]> {
  return (await readDifferenceSamples(pool, runId, perField)).samples.map(({ id: _id, ...sample }) => sample);
}

async function readDifferenceSamples(pool: Pool, runId: string, perField: number): Promise<{ samples: KeptDifferenceSample[]; snapshot: string | null }> {
  const { rows } = await pool.query<SampleRow>(
    `SELECT f.route, f.field, d.exchange_id, d.kind, d.primary_value, d.other_value, d.id, pg_current_snapshot()::text AS snapshot
     FROM field_stats f
     CROSS JOIN LATERAL (
       SELECT exchange_id, kind, primary_value, other_value, id FROM differences
       WHERE run_id = f.run_id AND route = f.route AND field = f.field AND side = 'candidate' AND ignored_by IS NULL
       ORDER BY id LIMIT $2
     ) d
     WHERE f.run_id = $1 AND f.side = 'candidate'
     ORDER BY f.route, f.field, d.id`,
    [runId, perField],
  );
  return { samples: rows.map(sampleOf), snapshot: rows[0]?.snapshot ?? null };
}

/** A run's signatures and its first `perField` samples of every field, read whole, with the snapshot of the samples. */
export async function readFindingInputs(pool: Pool, runId: string, perField: number): Promise<KeptFindingInputs> {
  const [signatures, samples] = await Promise.all([listSignatures(pool, runId), readDifferenceSamples(pool, runId, perField)]);
  return { signatures, ...samples };
}

/** Differences stored since a kept snapshot read at most: beyond, reading the run's samples whole costs less. */
const MAX_CHANGES = 20_000;

/**
 * A run's finding inputs now, from `kept` and the reported candidate differences stored since its
 * snapshot (those whose transaction it did not see, through `differences_run_tx`): a field's
 * first `perField` by id are the first of its kept ones and its new ones together, since
 * differences are only ever added (a prune, which takes some away, is for the caller to tell:
 * read whole then). Signatures, a few rows per route, are read whole. Kept without a snapshot, or
 * with more than `MAX_CHANGES` differences since, the samples are read whole.
 */
export async function readFindingInputChanges(pool: Pool, runId: string, perField: number, kept: KeptFindingInputs): Promise<KeptFindingInputs> {
  if (kept.snapshot === null) return readFindingInputs(pool, runId, perField);
  const [signatures, changes] = await Promise.all([
    listSignatures(pool, runId),
    pool.query<{ snapshot: string; changed: KeptDifferenceSample[] | null }>(
      `SELECT pg_current_snapshot()::text AS snapshot, (
         SELECT json_agg(json_build_object('route', route, 'field', field, 'exchangeId', exchange_id, 'kind', kind,
                                           'primaryValue', primary_value, 'otherValue', other_value, 'id', id))
         FROM (SELECT * FROM differences
               WHERE run_id = $1 AND ${changedSince('tx', '$2')}
                 AND side = 'candidate' AND ignored_by IS NULL
               LIMIT $3) d) AS changed`,
      [runId, kept.snapshot, MAX_CHANGES + 1],
    ),
  ]);
  const { snapshot, changed } = changes.rows[0]!;
  if (changed && changed.length > MAX_CHANGES) return { signatures, ...(await readDifferenceSamples(pool, runId, perField)) };
  return { signatures, samples: addSamples(kept.samples, changed ?? [], perField), snapshot };
}

/**
 * Each field's first `perField` samples by id among `kept` (each field's first, in id order) and
 * `added`: kept fields stay where they were, fields new here follow. `kept` is left as it was.
 */
export function addSamples(kept: readonly KeptDifferenceSample[], added: readonly KeptDifferenceSample[], perField: number): KeptDifferenceSample[] {
  if (added.length === 0) return [...kept];
  const key = (s: DifferenceSample): string => `${s.route}\u0000${s.field}`;
  const byField = new Map<string, KeptDifferenceSample[]>();
  for (const s of kept) {
    const list = byField.get(key(s));
    if (list) list.push(s);
    else byField.set(key(s), [s]);
  }
  // Lists of kept fields are new arrays (pushed to here), never the kept ones.
  const grown = new Set<string>();
  for (const s of added) {
    const k = key(s);
    const list = byField.get(k);
    if (list) list.push(s);
    else byField.set(k, [s]);
    grown.add(k);
  }
  for (const k of grown) {
    const list = byField.get(k)!;
    byField.set(k, list.sort((a, b) => a.id - b.id).slice(0, perField));
  }
  return [...byField.values()].flat();
}
