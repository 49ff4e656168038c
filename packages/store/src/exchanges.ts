import type { Pool, PoolClient } from './pool';
import type { ExchangeRecord } from './records';

interface RouteDelta {
  run_id: string;
  route: string;
  exchanges: number;
  with_differences: number;
  status_mismatches: number;
  candidate_errors: number;
  secondary_exchanges: number;
}

interface FieldDelta {
  run_id: string;
  route: string;
  field: string;
  side: string;
  differences: number;
  ignored: number;
}

/** Counter increments contributed by the given (newly stored) exchanges. */
function countersOf(records: readonly ExchangeRecord[]): { routes: RouteDelta[]; fields: FieldDelta[] } {
  const routes = new Map<string, RouteDelta>();
  const fields = new Map<string, FieldDelta>();
  for (const record of records) {
    const routeKey = `${record.runId}\u0000${record.route}`;
    let route = routes.get(routeKey);
    if (!route) {
      route = { run_id: record.runId, route: record.route, exchanges: 0, with_differences: 0, status_mismatches: 0, candidate_errors: 0, secondary_exchanges: 0 };
      routes.set(routeKey, route);
    }
    route.exchanges += 1;
    if (record.differences.some((d) => d.side === 'candidate' && d.ignoredBy === null)) route.with_differences += 1;
    if (record.statusMismatch) route.status_mismatches += 1;
    if (record.candidateError) route.candidate_errors += 1;
    // The secondary's rate is over the exchanges in which it answered.
    if (record.secondaryOutcome === 'ok') route.secondary_exchanges += 1;

    // A field counts once per exchange and side, however many array elements differ in it.
    const seen = new Set<string>();
    for (const difference of record.differences) {
      const key = `${routeKey}\u0000${difference.field}\u0000${difference.side}`;
      if (seen.has(key)) continue;
      seen.add(key);
      let field = fields.get(key);
      if (!field) {
        field = { run_id: record.runId, route: record.route, field: difference.field, side: difference.side, differences: 0, ignored: 0 };
        fields.set(key, field);
      }
      field.differences += 1;
      if (difference.ignoredBy !== null) field.ignored += 1;
    }
  }
  const byKey = <T>(map: Map<string, T>): T[] => [...map.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
  return { routes: byKey(routes), fields: byKey(fields) };
}

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
    difference_count: r.differences.filter((d) => d.ignoredBy === null).length,
    ignored_count: r.differences.filter((d) => d.ignoredBy !== null).length,
    request: r.request ?? null,
    primary_response: r.primaryResponse ?? null,
    candidate_response: r.candidateResponse ?? null,
    secondary_response: r.secondaryResponse ?? null,
  }));
  const { rows: inserted } = await client.query<{ id: string }>(
    `INSERT INTO exchanges
     SELECT x.id, x.run_id, x.captured_at, now(), x.method, x.url, x.route, x.primary_status, x.candidate_status,
            x.secondary_status, x.candidate_outcome, x.secondary_outcome, x.primary_latency_ms, x.candidate_latency_ms,
            x.secondary_latency_ms, x.difference_count, x.ignored_count, x.request, x.primary_response,
            x.candidate_response, x.secondary_response
     FROM jsonb_to_recordset($1::jsonb) AS x(
       id uuid, run_id uuid, captured_at timestamptz, method text, url text, route text, primary_status int,
       candidate_status int, secondary_status int, candidate_outcome text, secondary_outcome text,
       primary_latency_ms real, candidate_latency_ms real, secondary_latency_ms real, difference_count int,
       ignored_count int, request jsonb, primary_response jsonb, candidate_response jsonb, secondary_response jsonb)
     ON CONFLICT (id) DO NOTHING
     RETURNING id`,
    [JSON.stringify(rows)],
  );
  return new Set(inserted.map((row) => row.id));
}

async function insertDifferences(client: PoolClient, records: readonly ExchangeRecord[]): Promise<void> {
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
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO differences (exchange_id, run_id, route, side, field, path, kind, primary_value, other_value,
                              suspected_noise, ignored_by, captured_at)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS d(
       exchange_id uuid, run_id uuid, route text, side text, field text, path text, kind text,
       primary_value jsonb, other_value jsonb, suspected_noise boolean, ignored_by text, captured_at timestamptz)`,
    [JSON.stringify(rows)],
  );
}

async function addToCounters(client: PoolClient, records: readonly ExchangeRecord[]): Promise<void> {
  const { routes, fields } = countersOf(records);
  if (routes.length > 0) {
    await client.query(
      `INSERT INTO route_stats AS s
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS d(run_id uuid, route text, exchanges bigint,
         with_differences bigint, status_mismatches bigint, candidate_errors bigint, secondary_exchanges bigint)
       ON CONFLICT (run_id, route) DO UPDATE SET
         exchanges = s.exchanges + excluded.exchanges,
         with_differences = s.with_differences + excluded.with_differences,
         status_mismatches = s.status_mismatches + excluded.status_mismatches,
         candidate_errors = s.candidate_errors + excluded.candidate_errors,
         secondary_exchanges = s.secondary_exchanges + excluded.secondary_exchanges`,
      [JSON.stringify(routes)],
    );
  }
  if (fields.length > 0) {
    await client.query(
      `INSERT INTO field_stats AS s
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS d(run_id uuid, route text, field text, side text,
         differences bigint, ignored bigint)
       ON CONFLICT (run_id, route, field, side) DO UPDATE SET
         differences = s.differences + excluded.differences,
         ignored = s.ignored + excluded.ignored`,
      [JSON.stringify(fields)],
    );
  }
}

/**
 * Stores a batch of exchanges in one transaction. Exchanges already stored (same capture id)
 * are skipped, and differences and counters are written only for the ones inserted now, so a
 * retried or duplicated batch never counts twice. Counter rows are updated in a fixed order
 * (sorted keys) so concurrent workers do not deadlock.
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
    await insertDifferences(client, fresh);
    await addToCounters(client, fresh);
    await client.query('COMMIT');
    return fresh.length;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
