import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@shadowdiff/testkit';
import { listRouteTraffic, statusMatrix } from './route-stats.ts';
import { storeExchanges } from './exchanges.ts';
import { migrate, MIGRATIONS_DIR } from './migrate.ts';
import type { Pool } from './pool.ts';
import { createRun } from './run-writes.ts';
import { randomExchanges, seededRandom } from '../test/random-exchanges.ts';

const SKETCHES = '0011_latency_sketches.sql';

async function rowsOf(pool: Pool, sql: string): Promise<unknown[]> {
  return (await pool.query(sql)).rows;
}

/** The counters the migration adds, of every run. */
const sketchCounters = (pool: Pool): Promise<unknown[][]> =>
  Promise.all([
    rowsOf(pool, `SELECT run_id, route, candidate_5xx, candidate_timeouts, candidate_refused, candidate_other_failures, candidate_answered,
                         timed_alike, control_exchanges FROM route_stats ORDER BY run_id, route`),
    // Not which transaction wrote each bucket (`changed_in`, 0015): two databases' transactions differ.
    rowsOf(pool, 'SELECT run_id, route, series, bucket, count FROM latency_buckets ORDER BY run_id, route, series, bucket'),
    rowsOf(pool, 'SELECT * FROM status_pairs ORDER BY run_id, primary_status, candidate'),
  ]);

describe('the latency sketches migration', () => {
  let live: TestDatabase;
  let older: TestDatabase;
  let before: string;

  beforeAll(async () => {
    live = await createTestDatabase(inject('pgAdminUrl'));
    older = await createTestDatabase(inject('pgAdminUrl'), { migrate: false });
    // The schema as it was before sketches were kept.
    before = mkdtempSync(join(tmpdir(), 'sd-migrations-'));
    for (const file of readdirSync(MIGRATIONS_DIR).filter((f) => /^\d{4}_.*\.sql$/.test(f) && f < SKETCHES)) cpSync(join(MIGRATIONS_DIR, file), join(before, file));
    await migrate(older.pool, { dir: before });
  });
  afterAll(async () => {
    await live?.drop();
    await older?.drop();
    if (before) rmSync(before, { recursive: true, force: true });
  });

  it('gives runs stored before it the same sketches and counters as a worker keeps live', async () => {
    const random = seededRandom(11);
    for (const name of ['one', 'two']) {
      const run = (await createRun(live.pool, name, {}))!;
      for (let i = 0; i < 8; i++) await storeExchanges(live.pool, randomExchanges(run.id, 100, random));
    }
    // The same runs, exchanges and counters, as an installation that stored them before 0011.
    const copy = async (table: string): Promise<void> => {
      const { rows } = await live.pool.query(`SELECT to_jsonb(t) AS row FROM ${table} t`);
      await older.pool.query(`INSERT INTO ${table} SELECT * FROM jsonb_populate_recordset(null::${table}, $1::jsonb)`, [JSON.stringify(rows.map((r) => r.row))]);
    };
    for (const table of ['runs', 'exchanges', 'route_stats']) await copy(table);
    expect((await migrate(older.pool)).applied).toContain('0011_latency_sketches');

    const [kept, backfilled] = await Promise.all([sketchCounters(live.pool), sketchCounters(older.pool)]);
    expect(kept[1]!.length).toBeGreaterThan(100);
    expect(backfilled).toEqual(kept);
    const run = (await live.pool.query<{ id: string }>("SELECT id FROM runs WHERE name = 'two'")).rows[0]!.id;
    expect(await listRouteTraffic(older.pool, run)).toEqual(await listRouteTraffic(live.pool, run));
    expect(await statusMatrix(older.pool, run)).toEqual(await statusMatrix(live.pool, run));
  });
});
