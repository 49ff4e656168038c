import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { keyedCaptureId, newCaptureId } from '@shadowdiff/core';
import { createTestDatabase, type TestDatabase } from '@shadowdiff/testkit';
import { storeExchanges } from './exchanges.ts';
import type { ExchangeRecord } from './records.ts';
import { ensureRuns } from './runs.ts';
import { setRunKept } from './run-writes.ts';
import { listDayPartitions, utcDay } from './partitions.ts';
import { pruneOlderThan } from './prune.ts';

const DAY = 86_400_000;
const NOW = Date.now();

function record(runId: string, atMs: number, id = newCaptureId(atMs)): ExchangeRecord {
  return {
    id, runId, capturedAt: new Date(atMs).toISOString(), method: 'GET', url: '/a/1', route: 'GET /a/{id}',
    primaryStatus: 200, candidateStatus: 500, secondaryStatus: null, candidateOutcome: 'ok', secondaryOutcome: null,
    primaryLatencyMs: 5, candidateLatencyMs: 6, secondaryLatencyMs: null, secondaryKind: null,
    request: null, primaryResponse: null, candidateResponse: null, secondaryResponse: null,
    differences: [
      { side: 'candidate', field: 'status', path: 'status', kind: 'changed', primaryValue: 200, otherValue: 500, suspectedNoise: false, ignoredBy: null },
      { side: 'candidate', field: 'body.x', path: 'body.x', kind: 'changed', primaryValue: 1, otherValue: 2, suspectedNoise: false, ignoredBy: null },
    ],
    statusMismatch: true, candidateError: false,
  };
}

const count = async (db: TestDatabase, sql: string, params: unknown[] = []): Promise<number> =>
  Number((await db.pool.query<{ n: string }>(`SELECT count(*) AS n ${sql}`, params)).rows[0]!.n);

describe('partitioned exchanges', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
  });
  afterAll(() => db.drop());

  it('stores a capture once, in the partition of its id, whether or not its day has a partition', async () => {
    const runs = await ensureRuns(db.pool, ['idem']);
    const runId = runs.get('idem')!;
    const today = record(runId, NOW);
    // 40 days ahead: no partition is made that far, so the default partition takes it.
    const later = record(runId, NOW + 40 * DAY);
    expect(await storeExchanges(db.pool, [today, later])).toBe(2);
    // Processed again (a retried job), alone and within another batch.
    expect(await storeExchanges(db.pool, [today])).toBe(0);
    expect(await storeExchanges(db.pool, [later, record(runId, NOW)])).toBe(1);
    expect(await count(db, 'FROM exchanges WHERE id = ANY($1)', [[today.id, later.id]])).toBe(2);
    expect(await count(db, 'FROM differences WHERE exchange_id = ANY($1)', [[today.id, later.id]])).toBe(4);
    const { rows } = await db.pool.query<{ id: string; part: string }>(
      'SELECT id, tableoid::regclass::text AS part FROM exchanges WHERE id = ANY($1)', [[today.id, later.id]]);
    expect(Object.fromEntries(rows.map((r) => [r.id, r.part]))).toEqual({
      [today.id]: `exchanges_p${utcDay(NOW).replaceAll('-', '')}`,
      [later.id]: 'exchanges_default',
    });
    // The day gets its partition: the row moves in with its differences, and is still stored once.
    await db.pool.query('SELECT shadowdiff_add_day_partitions($1::date)', [utcDay(NOW + 40 * DAY)]);
    const { rows: moved } = await db.pool.query<{ part: string }>('SELECT tableoid::regclass::text AS part FROM differences WHERE exchange_id = $1', [later.id]);
    expect(moved.map((r) => r.part)).toEqual(Array(2).fill(`differences_p${utcDay(NOW + 40 * DAY).replaceAll('-', '')}`));
    expect(await storeExchanges(db.pool, [later])).toBe(0);
    expect(await count(db, 'FROM exchanges WHERE id = $1', [later.id])).toBe(1);
    expect(await count(db, 'FROM route_stats WHERE run_id = $1 AND exchanges = 3', [runId])).toBe(1);
  });

  it('prunes old days by dropping their partitions, keeps new data and every row of kept runs', async () => {
    const runs = await ensureRuns(db.pool, ['old', 'baseline', 'spanning', 'fresh']);
    const [old, baseline, spanning, fresh] = ['old', 'baseline', 'spanning', 'fresh'].map((n) => runs.get(n)!);
    // Days 40 and 39 ago hold data: give them partitions as if they had been made ahead then.
    for (const ago of [40, 39]) await db.pool.query('SELECT shadowdiff_add_day_partitions($1::date)', [utcDay(NOW - ago * DAY)]);
    await db.pool.query("UPDATE runs SET created_at = now() - interval '41 days' WHERE name <> 'fresh'");
    await storeExchanges(db.pool, [
      ...Array.from({ length: 5 }, () => record(old!, NOW - 40 * DAY)),
      ...Array.from({ length: 3 }, () => record(baseline!, NOW - 40 * DAY)),
      record(baseline!, NOW - 39 * DAY),
      record(spanning!, NOW - 39 * DAY),
      record(spanning!, NOW),
      ...Array.from({ length: 4 }, () => record(fresh!, NOW)),
    ]);
    await setRunKept(db.pool, baseline!, true);

    const dry = await pruneOlderThan(db.pool, { olderThanMs: 30 * DAY, dryRun: true, now: NOW });
    expect(dry).toMatchObject({ dryRun: true, exchanges: 6, differences: 12, runs: ['old'], keptRuns: ['baseline'] });
    expect(dry.days.map((d) => [d.day, d.exchanges, d.keptExchanges])).toEqual([
      [utcDay(NOW - 40 * DAY), 5, 3],
      [utcDay(NOW - 39 * DAY), 1, 1],
    ]);
    expect(dry.bytes).toBeGreaterThan(0);
    expect(await count(db, 'FROM exchanges WHERE run_id = ANY($1)', [[old, baseline, spanning, fresh]])).toBe(15);

    const real = await pruneOlderThan(db.pool, { olderThanMs: 30 * DAY, now: NOW });
    expect({ ...real, dryRun: true }).toEqual(dry);
    expect(await count(db, 'FROM exchanges WHERE run_id = $1', [old])).toBe(0);
    expect(await count(db, 'FROM runs WHERE id = $1', [old])).toBe(0);
    expect(await count(db, 'FROM route_stats WHERE run_id = $1', [old])).toBe(0);
    expect(await count(db, 'FROM exchanges WHERE run_id = $1', [baseline])).toBe(4);
    expect(await count(db, 'FROM differences d JOIN exchanges e ON e.id = d.exchange_id AND e.part_day = d.part_day WHERE e.run_id = $1', [baseline])).toBe(8);
    expect(await count(db, 'FROM exchanges WHERE run_id = $1', [spanning])).toBe(1);
    expect(await count(db, 'FROM runs WHERE id = $1', [spanning])).toBe(1);
    expect(await count(db, 'FROM exchanges WHERE run_id = $1', [fresh])).toBe(4);
    expect(await count(db, 'FROM differences WHERE run_id = $1', [fresh])).toBe(8);
    // The days stay, holding only the baseline's rows; the next prune finds nothing to do.
    expect(await listDayPartitions(db.pool)).toContain(utcDay(NOW - 40 * DAY));
    expect(await pruneOlderThan(db.pool, { olderThanMs: 30 * DAY, now: NOW })).toMatchObject({ days: [], runs: [], exchanges: 0 });

    // No longer kept: its rows go with the next prune, and so does the run.
    await setRunKept(db.pool, baseline!, false);
    const after = await pruneOlderThan(db.pool, { olderThanMs: 30 * DAY, now: NOW });
    expect(after).toMatchObject({ exchanges: 4, differences: 8, runs: ['baseline'], keptRuns: [] });
    expect(await listDayPartitions(db.pool)).not.toContain(utcDay(NOW - 40 * DAY));
    // Stored again after its day was pruned, a capture lands in the default partition: no write fails.
    expect(await storeExchanges(db.pool, [record(spanning!, NOW - 40 * DAY)])).toBe(1);
  });

  it('files an ingested capture in the partition of its day, stores a retry once, and prunes it with its day', async () => {
    const runId = (await ensureRuns(db.pool, ['ingested'])).get('ingested')!;
    await db.pool.query("UPDATE runs SET created_at = now() - interval '41 days' WHERE name = 'ingested'");
    const todayId = keyedCaptureId('ingested\u0000order-17', NOW);
    const oldAt = NOW - 50 * DAY;
    await db.pool.query('SELECT shadowdiff_add_day_partitions($1::date)', [utcDay(oldAt)]);
    const oldId = keyedCaptureId('ingested\u0000order-3', oldAt);
    expect(await storeExchanges(db.pool, [record(runId, NOW, todayId), record(runId, oldAt, oldId)])).toBe(2);
    // A retry that re-stamps the capture time later that day: the same id, stored once.
    const restamped = keyedCaptureId('ingested\u0000order-17', Math.floor(NOW / DAY) * DAY + DAY - 1);
    expect(restamped).toBe(todayId);
    expect(await storeExchanges(db.pool, [record(runId, NOW + 1000, restamped)])).toBe(0);
    const { rows } = await db.pool.query<{ id: string; part: string }>('SELECT id, tableoid::regclass::text AS part FROM exchanges WHERE run_id = $1', [runId]);
    expect(Object.fromEntries(rows.map((r) => [r.id, r.part]))).toEqual({
      [todayId]: `exchanges_p${utcDay(NOW).replaceAll('-', '')}`,
      [oldId]: `exchanges_p${utcDay(oldAt).replaceAll('-', '')}`,
    });

    const report = await pruneOlderThan(db.pool, { olderThanMs: 30 * DAY, now: NOW });
    expect(report.days.map((d) => d.day)).toContain(utcDay(oldAt));
    expect(await count(db, 'FROM exchanges WHERE id = $1', [oldId])).toBe(0);
    expect(await count(db, 'FROM exchanges WHERE id = $1', [todayId])).toBe(1);
  });

  it('deletes old rows of the default partition in bounded batches, counts them in a dry run, spares kept runs', async () => {
    const runs = await ensureRuns(db.pool, ['stray', 'stray-kept']);
    const [stray, strayKept] = [runs.get('stray')!, runs.get('stray-kept')!];
    await db.pool.query("UPDATE runs SET created_at = now() - interval '70 days' WHERE name LIKE 'stray%'");
    // Days without partitions of their own: 60 days ago, and ids minted before ingested ids carried a day.
    const oldAt = NOW - 60 * DAY;
    const legacyId = (key: string): string => keyedCaptureId(key, 0x7000_0000_0000 + key.length * DAY);
    const old = [record(stray, oldAt), record(stray, oldAt), { ...record(stray, oldAt), id: legacyId('stray\u0000legacy') }];
    const recent = record(stray, NOW - 2 * DAY, keyedCaptureId('stray\u0000recent', NOW - 100 * DAY));
    const keptOld = record(strayKept, oldAt);
    // Recorded 60 days ago but stored just now (an upload of old traffic): kept for the retention from now.
    const ingestedToday = record(stray, oldAt);
    expect(await storeExchanges(db.pool, [...old, recent, keptOld, ingestedToday])).toBe(6);
    await db.pool.query("UPDATE exchanges SET stored_at = now() - interval '60 days' WHERE id = ANY($1)", [[...old, keptOld].map((r) => r.id)]);
    await setRunKept(db.pool, strayKept, true);
    expect(await count(db, "FROM exchanges WHERE tableoid = 'exchanges_default'::regclass AND run_id = ANY($1)", [[stray, strayKept]])).toBe(6);

    const dry = await pruneOlderThan(db.pool, { olderThanMs: 30 * DAY, now: NOW, dryRun: true });
    expect(dry.defaultPartition).toEqual({ exchanges: 3, differences: 6, left: 0 });
    expect(await count(db, 'FROM exchanges WHERE run_id = $1', [stray])).toBe(5);

    const prunedAt = async (id: string): Promise<Date | null> => (await db.pool.query<{ p: Date | null }>('SELECT pruned_at AS p FROM runs WHERE id = $1', [id])).rows[0]!.p;
    expect(await prunedAt(stray)).toBeNull();
    const first = await pruneOlderThan(db.pool, { olderThanMs: 30 * DAY, now: NOW, defaultPartitionLimit: 2 });
    expect(first.defaultPartition).toEqual({ exchanges: 2, differences: 4, left: 1 });
    // A run that lost rows says when, so that what readers kept of it is read again; a kept run lost none.
    expect(await prunedAt(stray)).not.toBeNull();
    expect(await prunedAt(strayKept)).toBeNull();
    const second = await pruneOlderThan(db.pool, { olderThanMs: 30 * DAY, now: NOW, defaultPartitionLimit: 2 });
    expect(second.defaultPartition).toEqual({ exchanges: 1, differences: 2, left: 0 });
    expect(second.exchanges).toBeGreaterThanOrEqual(1);
    // Captured two days ago: younger than the age, whatever its id's day says; stored today: the same.
    const { rows } = await db.pool.query<{ id: string }>('SELECT id FROM exchanges WHERE run_id = ANY($1)', [[stray, strayKept]]);
    expect(rows.map((r) => r.id).sort()).toEqual([recent.id, keptOld.id, ingestedToday.id].sort());
    expect(await count(db, 'FROM differences WHERE exchange_id = ANY($1)', [old.map((r) => r.id)])).toBe(0);
    await expect(pruneOlderThan(db.pool, { olderThanMs: DAY, defaultPartitionLimit: 0 })).rejects.toThrow(/whole number above zero/);
  });

  it('refuses to run while the schema lock is held, and refuses a negative age', async () => {
    const holder = await db.pool.connect();
    try {
      await holder.query('SELECT pg_advisory_lock(7310455128001)');
      await expect(pruneOlderThan(db.pool, { olderThanMs: DAY })).rejects.toMatchObject({ code: 'prune_busy' });
    } finally {
      await holder.query('SELECT pg_advisory_unlock(7310455128001)');
      holder.release();
    }
    await expect(pruneOlderThan(db.pool, { olderThanMs: -1 })).rejects.toThrow(/zero or more/);
  });
});
