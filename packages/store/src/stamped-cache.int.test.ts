import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@shadowdiff/testkit';
import { listRouteTraffic, listLatencySketches } from './route-stats.ts';
import { storeExchanges } from './exchanges.ts';
import { LatencySketchCache } from './stamped-cache.ts';
import { createRun } from './run-writes.ts';
import { randomExchanges, seededRandom } from '../test/random-exchanges.ts';

describe('latency sketches read once per state of a run', () => {
  let db: TestDatabase;
  let runId: string;
  const random = seededRandom(20261202);

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    runId = (await createRun(db.pool, 'cached', {}))!.id;
    await Promise.all([0, 1, 2].map(() => storeExchanges(db.pool, randomExchanges(runId, 400, random))));
  });
  afterAll(() => db?.drop());

  it('gives the sketches Postgres sums bucket by bucket, the whole run merged from its routes', async () => {
    // What the reads gave before: every route's buckets and the whole run's, summed by Postgres.
    const { rows } = await db.pool.query<{ route: string | null; series: string; buckets: number[]; counts: number[] }>(
      `SELECT route, series, array_agg(bucket ORDER BY bucket) AS buckets, array_agg(n ORDER BY bucket) AS counts
       FROM (SELECT route, series, bucket, sum(count)::float8 AS n FROM latency_buckets WHERE run_id = $1
             GROUP BY GROUPING SETS ((route, series, bucket), (series, bucket))) b
       GROUP BY route, series`,
      [runId],
    );
    const read = await listLatencySketches(db.pool, runId);
    expect(rows.length).toBeGreaterThan(8);
    for (const row of rows) expect(read.get(row.route)?.get(row.series as never), `${row.route} ${row.series}`).toEqual({ buckets: row.buckets, counts: row.counts });
    expect([...read.values()].reduce((n, bySeries) => n + bySeries.size, 0)).toBe(rows.length);
  });

  it('answers from the cache while no exchange is stored, and reads again once one is', async () => {
    const cache = new LatencySketchCache();
    const fresh = await listRouteTraffic(db.pool, runId, cache);
    expect(fresh).toEqual(await listRouteTraffic(db.pool, runId));
    // Buckets gone behind the cache's back (no exchange stored): a cached read does not see it, so it did not read them.
    await db.pool.query('CREATE TABLE buckets_aside AS SELECT * FROM latency_buckets WHERE run_id = $1', [runId]);
    await db.pool.query('DELETE FROM latency_buckets WHERE run_id = $1', [runId]);
    expect(await listRouteTraffic(db.pool, runId)).not.toEqual(fresh);
    expect(await listRouteTraffic(db.pool, runId, cache)).toEqual(fresh);
    await db.pool.query('INSERT INTO latency_buckets SELECT * FROM buckets_aside');
    await db.pool.query('DROP TABLE buckets_aside');

    await storeExchanges(db.pool, randomExchanges(runId, 50, random));
    const grown = await listRouteTraffic(db.pool, runId, cache);
    expect(grown).toEqual(await listRouteTraffic(db.pool, runId));
    expect(grown[0]!.exchanges).toBe(fresh[0]!.exchanges + 50);
    expect(grown).not.toEqual(fresh);
  });

  it('keeps the runs read last', () => {
    const cache = new LatencySketchCache(2);
    const sketches = { snapshot: null, sketches: new Map() };
    cache.set('a', 1, sketches);
    cache.set('b', 1, sketches);
    expect(cache.get('a', 1)).toBe(sketches);
    cache.set('c', 1, sketches);
    // b was read longest ago.
    expect([cache.get('a', 1), cache.get('b', 1), cache.get('c', 1)]).toEqual([sketches, undefined, sketches]);
    expect(cache.get('a', 2)).toBeUndefined();
    // The last value kept, whatever its stamp: what a read brings up to date.
    expect(cache.latest('a')).toBe(sketches);
    expect(cache.latest('b')).toBeUndefined();
    expect(() => new LatencySketchCache(0)).toThrow(RangeError);
  });
});
