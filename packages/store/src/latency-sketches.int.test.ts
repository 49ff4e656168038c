import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@shadowdiff/testkit';
import { listRouteTraffic, statusMatrix, type LatencyPercentiles, type TrafficRow } from './route-stats.ts';
import { storeExchanges } from './exchanges.ts';
import { LATENCY_RELATIVE_ACCURACY as ALPHA } from './latency-sketch.ts';
import type { Pool } from './pool.ts';
import { createRun } from './run-writes.ts';
import { randomExchanges, seededRandom } from '../test/random-exchanges.ts';

const Z = 1.645 / Math.SQRT2;

interface ExactRow extends TrafficRow {
  primary_p: number[] | null;
  candidate_p: number[] | null;
  candidate_paired_p: number[] | null;
  secondary_p: number[] | null;
  candidate_low: number | null;
  reference_high: number | null;
}

/** The figures computed exactly, by scanning the exchanges as the reads did before sketches. */
async function exactFigures(pool: Pool, runId: string): Promise<ExactRow[]> {
  const cont = (column: string, filter: string): string => `percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY ${column}) FILTER (WHERE ${filter})`;
  const answered = `candidate_outcome IN ('ok', 'timeout')`;
  const alike = `${answered} AND secondary_outcome IN ('ok', 'timeout')`;
  const { rows } = await pool.query<ExactRow>(
    `SELECT route, count(*)::bigint AS exchanges,
       count(*) FILTER (WHERE candidate_outcome = 'ok' AND candidate_status >= 500)::bigint AS status_5xx,
       count(*) FILTER (WHERE candidate_outcome = 'timeout')::bigint AS timeouts,
       count(*) FILTER (WHERE candidate_outcome = 'refused')::bigint AS refused,
       count(*) FILTER (WHERE candidate_outcome NOT IN ('ok', 'timeout', 'refused'))::bigint AS other_failures,
       count(*) FILTER (WHERE ${answered})::bigint AS answered,
       count(*) FILTER (WHERE ${alike})::bigint AS paired,
       count(*) FILTER (WHERE secondary_kind = 'control')::bigint AS controls,
       ${cont('primary_latency_ms', 'true')} AS primary_p,
       ${cont('candidate_latency_ms', answered)} AS candidate_p,
       ${cont('candidate_latency_ms', alike)} AS candidate_paired_p,
       ${cont('secondary_latency_ms', alike)} AS secondary_p
     FROM exchanges WHERE run_id = $1 GROUP BY GROUPING SETS ((route), ()) ORDER BY route NULLS FIRST`,
    [runId],
  );
  // The order statistics at ranks n·0.99 ∓ z·√(n·0.99·0.01), over the exchanges timed alike.
  const { rows: bounds } = await pool.query<{ route: string | null; candidate_low: number; reference_high: number }>(
    `WITH sized AS (
       SELECT route, candidate_latency_ms AS c, secondary_latency_ms AS r, count(*) OVER (PARTITION BY route) AS n, count(*) OVER () AS total
       FROM exchanges WHERE run_id = $1 AND ${alike}
     )
     SELECT route,
       percentile_disc(greatest(0, 0.99 - $2::float8 * sqrt(0.0099 / n))::float8) WITHIN GROUP (ORDER BY c) AS candidate_low,
       percentile_disc(least(1, 0.99 + $2::float8 * sqrt(0.0099 / n))::float8) WITHIN GROUP (ORDER BY r) AS reference_high
     FROM sized GROUP BY route, n
     UNION ALL
     SELECT NULL, percentile_disc(greatest(0, 0.99 - $2::float8 * sqrt(0.0099 / total))::float8) WITHIN GROUP (ORDER BY c),
       percentile_disc(least(1, 0.99 + $2::float8 * sqrt(0.0099 / total))::float8) WITHIN GROUP (ORDER BY r)
     FROM sized GROUP BY total`,
    [runId, Z],
  );
  const byRoute = new Map(bounds.map((b) => [b.route, b]));
  return rows.map((row) => ({ ...row, candidate_low: byRoute.get(row.route)?.candidate_low ?? null, reference_high: byRoute.get(row.route)?.reference_high ?? null }));
}

/** Every counter row of a run, to compare before and after. */
async function counters(pool: Pool, runId: string): Promise<unknown[]> {
  const tables = ['SELECT * FROM route_stats', 'SELECT * FROM latency_buckets', 'SELECT * FROM status_pairs'];
  const results = await Promise.all(tables.map((sql) => pool.query(`${sql} WHERE run_id = $1 ORDER BY 1, 2, 3`, [runId])));
  return results.map((r) => r.rows);
}

const near = (read: number | null | undefined, exact: number | null | undefined): void => {
  if (exact === null || exact === undefined) return expect(read ?? null).toBeNull();
  expect(read).not.toBeNull();
  expect(Math.abs(read! - exact)).toBeLessThanOrEqual(ALPHA * exact + 1e-9);
};
const nearAll = (read: LatencyPercentiles, exact: number[] | null): void => {
  near(read.p50, exact?.[0]);
  near(read.p95, exact?.[1]);
  near(read.p99, exact?.[2]);
};

describe('latency sketches and traffic counters', () => {
  let db: TestDatabase;
  let runId: string;
  const batches = Array.from({ length: 30 }, () => [] as ReturnType<typeof randomExchanges>);

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    runId = (await createRun(db.pool, 'sketched', {}))!.id;
    const random = seededRandom(20261201);
    for (const batch of batches) batch.push(...randomExchanges(runId, 100, random));
    // Four writers at a time, as workers store batches of one run concurrently.
    for (let i = 0; i < batches.length; i += 4) await Promise.all(batches.slice(i, i + 4).map((b) => storeExchanges(db.pool, b)));
  });
  afterAll(() => db?.drop());

  it('reads counts exactly and percentiles and p99 bounds within α of the exchanges themselves', async () => {
    const [traffic, exact] = await Promise.all([listRouteTraffic(db.pool, runId), exactFigures(db.pool, runId)]);
    expect(traffic.map((t) => t.route)).toEqual([null, 'GET /orders/{id}', 'GET /users/{id}', 'POST /orders']);
    expect(exact.map((e) => e.route)).toEqual(traffic.map((t) => t.route));
    traffic.forEach((t, i) => {
      const e = exact[i]!;
      expect(t.exchanges).toBe(e.exchanges);
      expect(t.errors).toEqual({ status5xx: e.status_5xx, timeout: e.timeouts, refused: e.refused, other: e.other_failures });
      nearAll(t.primaryLatency, e.primary_p);
      if (e.paired > 0) {
        expect(t.alike).toMatchObject({ basis: e.controls > 0 ? 'control' : 'secondary', samples: e.paired });
        nearAll(t.alike.candidate, e.candidate_paired_p);
        nearAll(t.alike.reference, e.secondary_p);
        near(t.alike.p99Bounds?.candidateLow, e.candidate_low);
        near(t.alike.p99Bounds?.referenceHigh, e.reference_high);
      } else {
        expect(t.alike).toMatchObject({ basis: 'primary', samples: e.answered, p99Bounds: null });
        nearAll(t.alike.candidate, e.candidate_p);
      }
    });
    // Each basis is present: secondary, control copies, and the served primary alone.
    expect(traffic.map((t) => t.alike.basis)).toEqual(['control', 'control', 'secondary', 'primary']);
  });

  it('keeps the status matrix of the exchanges', async () => {
    const { rows } = await db.pool.query(
      `SELECT coalesce(primary_status::text, 'none') AS primary,
              CASE WHEN candidate_outcome = 'ok' THEN coalesce(candidate_status::text, 'none') ELSE candidate_outcome END AS candidate,
              count(*)::bigint AS count
       FROM exchanges WHERE run_id = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
      [runId],
    );
    const matrix = await statusMatrix(db.pool, runId);
    expect(matrix).toEqual(rows);
    expect(matrix.reduce((n, c) => n + c.count, 0)).toBe(3000);
    expect(matrix.some((c) => c.primary === 'none') && matrix.some((c) => c.candidate === 'timeout')).toBe(true);
  });

  it('counts an exchange once however often its batch is stored', async () => {
    const before = await counters(db.pool, runId);
    expect(await storeExchanges(db.pool, batches[3]!)).toBe(0);
    // A redelivered job racing its first delivery, and a batch overlapping two stored ones.
    const results = await Promise.all([storeExchanges(db.pool, batches[5]!), storeExchanges(db.pool, batches[5]!), storeExchanges(db.pool, [...batches[6]!, ...batches[7]!])]);
    expect(results).toEqual([0, 0, 0]);
    expect(await counters(db.pool, runId)).toEqual(before);
    const { rows } = await db.pool.query(`SELECT series, sum(count)::bigint AS n FROM latency_buckets WHERE run_id = $1 AND series = 'primary' GROUP BY series`, [runId]);
    expect(rows).toEqual([{ series: 'primary', n: 3000 }]);
  });

  it('forgets a deleted run with its sketches', async () => {
    const other = (await createRun(db.pool, 'deleted', {}))!.id;
    await storeExchanges(db.pool, randomExchanges(other, 50, seededRandom(7)));
    await db.pool.query('DELETE FROM runs WHERE id = $1', [other]);
    const { rows } = await db.pool.query('SELECT (SELECT count(*) FROM latency_buckets WHERE run_id = $1) + (SELECT count(*) FROM status_pairs WHERE run_id = $1) AS n', [other]);
    expect(rows[0].n).toBe(0);
  });
});
