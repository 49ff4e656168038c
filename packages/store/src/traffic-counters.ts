import type { BatchStatement } from './batch-statement.ts';
import { latencyBucket } from './latency-sketch.ts';
import type { ExchangeRecord } from './records.ts';

/**
 * The latency series kept per (run, route): the served primary; the candidate where it answered
 * (an answer or a timeout, which is a slow answer); and, on the exchanges where the secondary or
 * control copy answered too (timed alike), the candidate and that reference.
 */
export type LatencySeries = 'primary' | 'candidate' | 'candidate_alike' | 'reference_alike';

interface BucketDelta {
  run_id: string;
  route: string;
  series: LatencySeries;
  bucket: number;
  count: number;
}

interface StatusPairDelta {
  run_id: string;
  primary_status: string;
  candidate: string;
  count: number;
}

const answered = (outcome: string | null): boolean => outcome === 'ok' || outcome === 'timeout';

/** Whether the candidate and the secondary (or control copy) both answered: their latencies compare alike. */
export function timedAlike(record: Pick<ExchangeRecord, 'candidateOutcome' | 'secondaryOutcome'>): boolean {
  return answered(record.candidateOutcome) && answered(record.secondaryOutcome);
}

/** The (series, latency) pairs one exchange adds to its route's sketches. */
function latenciesOf(record: ExchangeRecord): [LatencySeries, number][] {
  const out: [LatencySeries, number][] = [['primary', record.primaryLatencyMs]];
  if (answered(record.candidateOutcome)) out.push(['candidate', record.candidateLatencyMs]);
  if (timedAlike(record)) {
    out.push(['candidate_alike', record.candidateLatencyMs]);
    if (record.secondaryLatencyMs !== null) out.push(['reference_alike', record.secondaryLatencyMs]);
  }
  return out;
}

/** The primary × candidate cell one exchange falls in, as the status matrix names it. */
export function statusCell(record: Pick<ExchangeRecord, 'primaryStatus' | 'candidateStatus' | 'candidateOutcome'>): [string, string] {
  const primary = record.primaryStatus === null ? 'none' : String(record.primaryStatus);
  const candidate = record.candidateOutcome === 'ok' ? (record.candidateStatus === null ? 'none' : String(record.candidateStatus)) : record.candidateOutcome;
  return [primary, candidate];
}

const inKeyOrder = <T>(map: Map<string, T>): T[] => [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);

/** Sketch-bucket and status-matrix increments of newly stored exchanges, in key order (so writers lock rows in one order). */
export function trafficCountersOf(records: readonly ExchangeRecord[]): { buckets: BucketDelta[]; statusPairs: StatusPairDelta[] } {
  const buckets = new Map<string, BucketDelta>();
  const statusPairs = new Map<string, StatusPairDelta>();
  for (const record of records) {
    for (const [series, latency] of latenciesOf(record)) {
      const bucket = latencyBucket(latency);
      // The bucket is offset so the string key sorts as the number does.
      const key = `${record.runId}\u0000${record.route}\u0000${series}\u0000${String(bucket + 2 ** 31).padStart(10, '0')}`;
      const delta = buckets.get(key);
      if (delta) delta.count += 1;
      else buckets.set(key, { run_id: record.runId, route: record.route, series, bucket, count: 1 });
    }
    const [primary, candidate] = statusCell(record);
    const key = `${record.runId}\u0000${primary}\u0000${candidate}`;
    const pair = statusPairs.get(key);
    if (pair) pair.count += 1;
    else statusPairs.set(key, { run_id: record.runId, primary_status: primary, candidate, count: 1 });
  }
  return { buckets: inKeyOrder(buckets), statusPairs: inKeyOrder(statusPairs) };
}

/**
 * Adds newly stored exchanges to the latency sketches and the status matrix, as steps of the
 * batch's statement. Buckets are merged by Postgres itself (`count + excluded.count`), so workers
 * storing batches of the same route at the same time never lose each other's counts. Each bucket
 * written is stamped with this transaction (`changed_in`, as is its route's counters row): a
 * reader that kept the run's sketches reads only the buckets changed since (`readLatencySketchChanges`).
 */
export function addTrafficCounterSteps(statement: BatchStatement, records: readonly ExchangeRecord[]): void {
  const { buckets, statusPairs } = trafficCountersOf(records);
  statement.add(
    `INSERT INTO latency_buckets AS s (run_id, route, series, bucket, count)
     SELECT * FROM jsonb_to_recordset($rows) AS d(run_id uuid, route text, series text, bucket integer, count bigint)
     ON CONFLICT (run_id, route, series, bucket) DO UPDATE SET count = s.count + excluded.count, changed_in = pg_current_xact_id()`,
    buckets,
  );
  statement.add(
    `INSERT INTO status_pairs AS s (run_id, primary_status, candidate, count)
     SELECT * FROM jsonb_to_recordset($rows) AS d(run_id uuid, primary_status text, candidate text, count bigint)
     ON CONFLICT (run_id, primary_status, candidate) DO UPDATE SET count = s.count + excluded.count`,
    statusPairs,
  );
}
