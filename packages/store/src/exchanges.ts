import type { Pool, PoolClient } from './pool.ts';
import { BatchStatement } from './batch-statement.ts';
import { addCounterSteps } from './exchange-counters.ts';
import type { ExchangeRecord } from './records.ts';

async function insertNewExchanges(client: PoolClient, records: readonly ExchangeRecord[]): Promise<Set<string>> {
  const rows = records.map((r) => ({
    id: r.id,
    run_id: r.runId,
    captured_at: r.capturedAt,
    method: r.method,
    url: r.url,
    route: r.route,
    primary_status: r.primaryStatus,
    candidate_status: r.candidateStatus,
    secondary_status: r.secondaryStatus,
    candidate_outcome: r.candidateOutcome,
    secondary_outcome: r.secondaryOutcome,
    primary_latency_ms: r.primaryLatencyMs,
    candidate_latency_ms: r.candidateLatencyMs,
    secondary_latency_ms: r.secondaryLatencyMs,
    secondary_kind: r.secondaryKind,
    difference_count: r.differences.filter((d) => d.ignoredBy === null).length,
    ignored_count: r.differences.filter((d) => d.ignoredBy !== null).length,
    request: r.request ?? null,
    primary_response: r.primaryResponse ?? null,
    candidate_response: r.candidateResponse ?? null,
    secondary_response: r.secondaryResponse ?? null,
  }));
  const { rows: inserted } = await client.query<{ id: string }>(
    `INSERT INTO exchanges (id, part_day, run_id, captured_at, stored_at, method, url, route, primary_status, candidate_status,
            secondary_status, candidate_outcome, secondary_outcome, primary_latency_ms, candidate_latency_ms,
            secondary_latency_ms, difference_count, ignored_count, request, primary_response, candidate_response,
            secondary_response, secondary_kind)
     SELECT x.id, shadowdiff_capture_day(x.id), x.run_id, x.captured_at, now(), x.method, x.url, x.route, x.primary_status, x.candidate_status,
            x.secondary_status, x.candidate_outcome, x.secondary_outcome, x.primary_latency_ms, x.candidate_latency_ms,
            x.secondary_latency_ms, x.difference_count, x.ignored_count, x.request, x.primary_response,
            x.candidate_response, x.secondary_response, x.secondary_kind
     FROM jsonb_to_recordset($1::jsonb) AS x(
       id uuid, run_id uuid, captured_at timestamptz, method text, url text, route text, primary_status int,
       candidate_status int, secondary_status int, candidate_outcome text, secondary_outcome text,
       primary_latency_ms real, candidate_latency_ms real, secondary_latency_ms real, difference_count int,
       ignored_count int, request jsonb, primary_response jsonb, candidate_response jsonb, secondary_response jsonb,
       secondary_kind text)
     ON CONFLICT (id, part_day) DO NOTHING
     RETURNING id`,
    [JSON.stringify(rows)],
  );
  return new Set(inserted.map((row) => row.id));
}

function addDifferenceStep(statement: BatchStatement, records: readonly ExchangeRecord[]): void {
  const rows = records.flatMap((r) =>
    r.differences.map((d) => ({
      exchange_id: r.id,
      run_id: r.runId,
      route: r.route,
      side: d.side,
      field: d.field,
      path: d.path,
      kind: d.kind,
      primary_value: d.primaryValue ?? null,
      other_value: d.otherValue ?? null,
      suspected_noise: d.suspectedNoise,
      ignored_by: d.ignoredBy,
      captured_at: r.capturedAt,
    })),
  );
  statement.add(
    `INSERT INTO differences (exchange_id, part_day, run_id, route, side, field, path, kind, primary_value, other_value,
                              suspected_noise, ignored_by, captured_at)
     SELECT d.exchange_id, shadowdiff_capture_day(d.exchange_id), d.run_id, d.route, d.side, d.field, d.path, d.kind,
            d.primary_value, d.other_value, d.suspected_noise, d.ignored_by, d.captured_at
     FROM jsonb_to_recordset($rows) AS d(
       exchange_id uuid, run_id uuid, route text, side text, field text, path text, kind text,
       primary_value jsonb, other_value jsonb, suspected_noise boolean, ignored_by text, captured_at timestamptz)`,
    rows,
  );
}

/**
 * Stores a batch of exchanges in one transaction. Exchanges already stored (same capture id;
 * its partition is a function of the id, so the first copy is always found) are skipped, and
 * differences and counters are written only for the ones inserted now, so a retried or duplicated
 * batch never counts twice. Those differences and counters are one statement (`BatchStatement`):
 * four round trips per batch in all. Counter rows are updated in a fixed order (sorted keys, tables
 * in one order) so concurrent workers do not deadlock.
 * @returns the number of exchanges newly stored.
 */
export async function storeExchanges(pool: Pool, batch: readonly ExchangeRecord[]): Promise<number> {
  // The same capture twice in one batch is one exchange.
  const records = [...new Map(batch.map((r) => [r.id, r])).values()];
  if (records.length === 0) return 0;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const insertedIds = await insertNewExchanges(client, records);
    const fresh = records.filter((r) => insertedIds.has(r.id));
    const statement = new BatchStatement();
    addDifferenceStep(statement, fresh);
    addCounterSteps(statement, fresh);
    await statement.run(client);
    await client.query('COMMIT');
    return fresh.length;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
