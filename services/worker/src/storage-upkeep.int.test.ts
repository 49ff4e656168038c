import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '@shadowdiff/core';
import { listDayPartitions, utcDay } from '@shadowdiff/store';
import { createTestDatabase, eventually, type TestDatabase } from '@shadowdiff/testkit';
import { startStorageUpkeep } from './storage-upkeep.ts';

const DAY = 86_400_000;

describe('storage upkeep', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
  });
  afterAll(() => db.drop());

  it('makes the coming days, and with a retention drops the days older than it at start', async () => {
    const now = Date.now();
    await db.pool.query('SELECT shadowdiff_add_day_partitions($1::date)', [utcDay(now - 40 * DAY)]);
    await db.pool.query('SELECT shadowdiff_add_day_partitions($1::date)', [utcDay(now - 10 * DAY)]);
    // A week ahead exists since the migration; drop the last day to see it made again.
    await db.pool.query(`DROP TABLE exchanges_p${utcDay(now + 7 * DAY).replaceAll('-', '')}, differences_p${utcDay(now + 7 * DAY).replaceAll('-', '')}`);
    const pruned: number[] = [];
    const stop = startStorageUpkeep({ pool: db.pool, logger: createLogger({ level: 'silent' }), retentionDays: 30, onPruned: (n) => pruned.push(n) });
    await eventually(() => pruned.length > 0);
    await stop();
    const days = await listDayPartitions(db.pool);
    expect(days).not.toContain(utcDay(now - 40 * DAY));
    expect(days).toContain(utcDay(now - 10 * DAY));
    expect(days).toContain(utcDay(now + 7 * DAY));
    expect(pruned).toEqual([0]);
  });

  it('prunes nothing without a retention', async () => {
    const now = Date.now();
    await db.pool.query('SELECT shadowdiff_add_day_partitions($1::date)', [utcDay(now - 400 * DAY)]);
    const pruned: number[] = [];
    await startStorageUpkeep({ pool: db.pool, logger: createLogger({ level: 'silent' }), onPruned: (n) => pruned.push(n) })();
    expect(await listDayPartitions(db.pool)).toContain(utcDay(now - 400 * DAY));
    expect(pruned).toEqual([]);
  });
});
