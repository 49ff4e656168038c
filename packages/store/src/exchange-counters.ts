import { createHash } from 'node:crypto';
import type { BatchStatement } from './batch-statement.ts';
import type { ExchangeRecord } from './records.ts';
import { addTrafficCounterSteps, timedAlike } from './traffic-counters.ts';

/** Example exchanges kept per field. */
const EXAMPLES = 5;

interface RouteDelta {
  run_id: string;
  route: string;
  exchanges: number;
  with_differences: number;
  status_mismatches: number;
  candidate_errors: number;
  secondary_exchanges: number;
  candidate_5xx: number;
  candidate_timeouts: number;
  candidate_refused: number;
  candidate_other_failures: number;
  candidate_answered: number;
  timed_alike: number;
  control_exchanges: number;
}

interface FieldDelta {
  run_id: string;
  route: string;
  field: string;
  side: string;
  differences: number;
  ignored: number;
  kinds: string[];
  suspected_exchanges: number;
  ignored_by: string[];
  examples: string[];
}

interface SignatureDelta {
  run_id: string;
  route: string;
  signature: string;
  fields: string[];
  exchanges: number;
}

const sortedValues = <T>(map: Map<string, T>): T[] => [...map.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
const addUnique = (list: string[], value: string): void => {
  if (!list.includes(value)) list.push(value);
};

/** What one exchange adds to its route's counters. */
function addRoute(routes: Map<string, RouteDelta>, record: ExchangeRecord): void {
  const key = `${record.runId}\u0000${record.route}`;
  let route = routes.get(key);
  if (!route) {
    route = {
      run_id: record.runId,
      route: record.route,
      exchanges: 0,
      with_differences: 0,
      status_mismatches: 0,
      candidate_errors: 0,
      secondary_exchanges: 0,
      candidate_5xx: 0,
      candidate_timeouts: 0,
      candidate_refused: 0,
      candidate_other_failures: 0,
      candidate_answered: 0,
      timed_alike: 0,
      control_exchanges: 0,
    };
    routes.set(key, route);
  }
  route.exchanges += 1;
  if (record.differences.some((d) => d.side === 'candidate' && d.ignoredBy === null)) route.with_differences += 1;
  if (record.statusMismatch) route.status_mismatches += 1;
  if (record.candidateError) route.candidate_errors += 1;
  // The secondary's rate is over the exchanges in which it answered.
  if (record.secondaryOutcome === 'ok') route.secondary_exchanges += 1;
  const outcome = record.candidateOutcome;
  if (outcome === 'ok' && record.candidateStatus !== null && record.candidateStatus >= 500) route.candidate_5xx += 1;
  if (outcome === 'timeout') route.candidate_timeouts += 1;
  else if (outcome === 'refused') route.candidate_refused += 1;
  else if (outcome !== 'ok') route.candidate_other_failures += 1;
  if (outcome === 'ok' || outcome === 'timeout') route.candidate_answered += 1;
  if (timedAlike(record)) route.timed_alike += 1;
  if (record.secondaryKind === 'control') route.control_exchanges += 1;
}

/** What one exchange adds to its fields' counters: a field counts once per exchange and side. */
function addFields(fields: Map<string, FieldDelta>, record: ExchangeRecord): void {
  const inExchange = new Map<string, { delta: FieldDelta; reported: number; volatile: number; ignored: boolean }>();
  for (const d of record.differences) {
    const key = `${record.runId}\u0000${record.route}\u0000${d.field}\u0000${d.side}`;
    let delta = fields.get(key);
    if (!delta) {
      delta = { run_id: record.runId, route: record.route, field: d.field, side: d.side, differences: 0, ignored: 0, kinds: [], suspected_exchanges: 0, ignored_by: [], examples: [] };
      fields.set(key, delta);
    }
    let seen = inExchange.get(key);
    if (!seen) {
      seen = { delta, reported: 0, volatile: 0, ignored: d.ignoredBy !== null };
      inExchange.set(key, seen);
    }
    if (d.ignoredBy === null) {
      seen.reported += 1;
      if (d.suspectedNoise) seen.volatile += 1;
      addUnique(delta.kinds, d.kind);
    } else addUnique(delta.ignored_by, d.ignoredBy);
  }
  for (const { delta, reported, volatile, ignored } of inExchange.values()) {
    delta.differences += 1;
    if (ignored) delta.ignored += 1;
    if (reported > 0 && volatile === reported) delta.suspected_exchanges += 1;
    if (reported > 0 && delta.examples.length < EXAMPLES) delta.examples.push(record.id);
  }
}

/** The exchange under the set of candidate fields that differed in it (reported, not hidden). */
function addSignature(signatures: Map<string, SignatureDelta>, record: ExchangeRecord): void {
  const fields = [...new Set(record.differences.filter((d) => d.side === 'candidate' && d.ignoredBy === null).map((d) => d.field))].sort();
  if (fields.length === 0) return;
  const signature = createHash('md5').update(fields.join('\n')).digest('hex');
  const key = `${record.runId}\u0000${record.route}\u0000${signature}`;
  const delta = signatures.get(key);
  if (delta) delta.exchanges += 1;
  else signatures.set(key, { run_id: record.runId, route: record.route, signature, fields, exchanges: 1 });
}

/** Counter increments of the given newly stored exchanges, in key order (so writers lock rows in one order). */
export function countersOf(records: readonly ExchangeRecord[]): { routes: RouteDelta[]; fields: FieldDelta[]; signatures: SignatureDelta[] } {
  const routes = new Map<string, RouteDelta>();
  const fields = new Map<string, FieldDelta>();
  const signatures = new Map<string, SignatureDelta>();
  for (const record of records) {
    addRoute(routes, record);
    addFields(fields, record);
    addSignature(signatures, record);
  }
  return { routes: sortedValues(routes), fields: sortedValues(fields), signatures: sortedValues(signatures) };
}

/** Adds the counters (and latency sketches) of newly stored exchanges as steps of the batch's statement. */
export function addCounterSteps(statement: BatchStatement, records: readonly ExchangeRecord[]): void {
  const { routes, fields, signatures } = countersOf(records);
  addTrafficCounterSteps(statement, records);
  statement.add(
    `INSERT INTO route_stats AS s (run_id, route, exchanges, with_differences, status_mismatches, candidate_errors,
       secondary_exchanges, candidate_5xx, candidate_timeouts, candidate_refused, candidate_other_failures,
       candidate_answered, timed_alike, control_exchanges)
     SELECT * FROM jsonb_to_recordset($rows) AS d(run_id uuid, route text, exchanges bigint,
       with_differences bigint, status_mismatches bigint, candidate_errors bigint, secondary_exchanges bigint,
       candidate_5xx bigint, candidate_timeouts bigint, candidate_refused bigint, candidate_other_failures bigint,
       candidate_answered bigint, timed_alike bigint, control_exchanges bigint)
     ON CONFLICT (run_id, route) DO UPDATE SET
       exchanges = s.exchanges + excluded.exchanges,
       with_differences = s.with_differences + excluded.with_differences,
       status_mismatches = s.status_mismatches + excluded.status_mismatches,
       candidate_errors = s.candidate_errors + excluded.candidate_errors,
       secondary_exchanges = s.secondary_exchanges + excluded.secondary_exchanges,
       candidate_5xx = s.candidate_5xx + excluded.candidate_5xx,
       candidate_timeouts = s.candidate_timeouts + excluded.candidate_timeouts,
       candidate_refused = s.candidate_refused + excluded.candidate_refused,
       candidate_other_failures = s.candidate_other_failures + excluded.candidate_other_failures,
       candidate_answered = s.candidate_answered + excluded.candidate_answered,
       timed_alike = s.timed_alike + excluded.timed_alike,
       control_exchanges = s.control_exchanges + excluded.control_exchanges,
       changed_in = pg_current_xact_id()`,
    routes,
  );
  statement.add(
    `INSERT INTO field_stats AS s (run_id, route, field, side, differences, ignored, kinds, suspected_exchanges, ignored_by, examples)
     SELECT * FROM jsonb_to_recordset($rows) AS d(run_id uuid, route text, field text, side text,
       differences bigint, ignored bigint, kinds text[], suspected_exchanges bigint, ignored_by text[], examples uuid[])
     ON CONFLICT (run_id, route, field, side) DO UPDATE SET
       differences = s.differences + excluded.differences,
       ignored = s.ignored + excluded.ignored,
       kinds = CASE WHEN excluded.kinds <@ s.kinds THEN s.kinds
                    ELSE ARRAY(SELECT DISTINCT k FROM unnest(s.kinds || excluded.kinds) AS k ORDER BY k) END,
       suspected_exchanges = s.suspected_exchanges + excluded.suspected_exchanges,
       ignored_by = CASE WHEN excluded.ignored_by <@ s.ignored_by THEN s.ignored_by
                         ELSE ARRAY(SELECT DISTINCT r FROM unnest(s.ignored_by || excluded.ignored_by) AS r ORDER BY r) END,
       examples = CASE WHEN cardinality(s.examples) >= ${EXAMPLES} THEN s.examples
                       ELSE (s.examples || excluded.examples)[1:${EXAMPLES}] END`,
    fields,
  );
  statement.add(
    `INSERT INTO difference_signatures AS s
     SELECT * FROM jsonb_to_recordset($rows) AS d(run_id uuid, route text, signature text, fields text[], exchanges bigint)
     ON CONFLICT (run_id, route, signature) DO UPDATE SET exchanges = s.exchanges + excluded.exchanges`,
    signatures,
  );
}
