import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@shadowdiff/testkit';
import { BatchStatement } from './batch-statement.ts';
import { addCounterSteps } from './exchange-counters.ts';
import { storeExchanges } from './exchanges.ts';
import { listLatencySketches, listRouteTraffic } from './route-stats.ts';
import { LatencySketchCache } from './stamped-cache.ts';
import { createRun } from './run-writes.ts';
import { randomExchanges, seededRandom } from '../test/random-exchanges.ts';

describe('latency sketches kept between reads, brought up to date from the buckets changed since', () => {
  let db: TestDatabase;
  const random = seededRandom(20261203);

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
  });
  afterAll(() => db?.drop());

  it('reads after every batch what a whole read gives, batches stored side by side', async () => {
    const runId = (await createRun(db.pool, 'batches', {}))!.id;
    const cache = new LatencySketchCache();
    // The first read, before any exchange: nothing to keep a snapshot of.
    expect(await listRouteTraffic(db.pool, runId, cache)).toEqual(await listRouteTraffic(db.pool, runId));
    for (let round = 0; round < 4; round++) {
      await Promise.all([0, 1, 2].map(() => storeExchanges(db.pool, randomExchanges(runId, 30 + round * 40, random))));
      const kept = await listRouteTraffic(db.pool, runId, cache);
      expect(kept, `round ${round}`).toEqual(await listRouteTraffic(db.pool, runId));
      expect(cache.latest(runId)!.sketches).toEqual(await listLatencySketches(db.pool, runId));
    }
  });

  it('reads only the buckets changed since: one changed behind its back and not since stays as kept', async () => {
    const runId = (await createRun(db.pool, 'only-changed', {}))!.id;
    await storeExchanges(db.pool, randomExchanges(runId, 300, random));
    const cache = new LatencySketchCache();
    await listRouteTraffic(db.pool, runId, cache);
    // A bucket's count changed without its transaction stamp: what no writer does, so a change read cannot see it.
    const { rows } = await db.pool.query<{ route: string; series: string; bucket: number }>(
      `UPDATE latency_buckets SET count = count + 1000 WHERE (run_id, route, series, bucket) =
         (SELECT run_id, route, series, bucket FROM latency_buckets WHERE run_id = $1 ORDER BY route, series, bucket LIMIT 1)
       RETURNING route, series, bucket`,
      [runId],
    );
    await storeExchanges(db.pool, randomExchanges(runId, 20, random));
    const kept = cache.latest(runId)!.sketches;
    await listRouteTraffic(db.pool, runId, cache);
    const now = cache.latest(runId)!.sketches;
    const whole = await listLatencySketches(db.pool, runId);
    const { route, series, bucket } = rows[0]!;
    const count = (s: typeof now): number | undefined => {
      const sketch = s.get(route)?.get(series as never);
      return sketch?.counts[sketch.buckets.indexOf(bucket)];
    };
    expect(count(whole)).toBe(count(kept)! + 1000);
    expect(count(now)).toBe(count(kept));
    // Every other route is as a whole read has it.
    for (const other of [...whole.keys()].filter((r) => r !== null && r !== route)) expect(now.get(other), other!).toEqual(whole.get(other));
  });

  it('reads the run whole when a batch was stored without stamping its transaction, as a worker older than the stamps', async () => {
    const runId = (await createRun(db.pool, 'unstamped', {}))!.id;
    await storeExchanges(db.pool, randomExchanges(runId, 200, random));
    const cache = new LatencySketchCache();
    await listRouteTraffic(db.pool, runId, cache);
    // One more exchange counted as a worker without 0015 would: its route's counters and a primary bucket, no stamp.
    await db.pool.query(
      `WITH b AS (UPDATE latency_buckets SET count = count + 1 WHERE (run_id, route, series, bucket) =
                    (SELECT run_id, route, series, bucket FROM latency_buckets WHERE run_id = $1 AND series = 'primary' ORDER BY bucket DESC LIMIT 1)
                  RETURNING route)
       UPDATE route_stats SET exchanges = exchanges + 1 WHERE run_id = $1 AND route = (SELECT route FROM b)`,
      [runId],
    );
    const traffic = await listRouteTraffic(db.pool, runId, cache);
    expect(traffic[0]!.exchanges).toBe(201);
    expect(traffic).toEqual(await listRouteTraffic(db.pool, runId));
    expect(cache.latest(runId)!.sketches).toEqual(await listLatencySketches(db.pool, runId));
  });

  it('sees a batch whose transaction was running when the sketches were kept, once it commits', async () => {
    const runId = (await createRun(db.pool, 'in-flight', {}))!.id;
    await storeExchanges(db.pool, randomExchanges(runId, 200, random));
    const cache = new LatencySketchCache();
    const slow = await db.pool.connect();
    try {
      // A worker's transaction that started (and took its id) first, and stores its batch last.
      await slow.query('BEGIN');
      await slow.query('SELECT pg_current_xact_id()');
      await storeExchanges(db.pool, randomExchanges(runId, 100, random));
      await listRouteTraffic(db.pool, runId, cache);
      const statement = new BatchStatement();
      addCounterSteps(statement, randomExchanges(runId, 100, random));
      await statement.run(slow);
      await slow.query('COMMIT');
    } finally {
      slow.release();
    }
    const traffic = await listRouteTraffic(db.pool, runId, cache);
    expect(traffic[0]!.exchanges).toBe(400);
    expect(traffic).toEqual(await listRouteTraffic(db.pool, runId));
    expect(cache.latest(runId)!.sketches).toEqual(await listLatencySketches(db.pool, runId));
  });
});
