import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { derivedCaptureId, newCaptureId } from '@shadowdiff/core';
import { createTestDatabase, type TestDatabase } from '@shadowdiff/testkit';
import { MIGRATIONS_DIR, migrate, readMigrations } from './migrate.ts';
import { storeExchanges } from './exchanges.ts';
import { utcDay } from './partitions.ts';

const DAY = 86_400_000;

describe('migration 0012: existing exchanges into day partitions', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'), { migrate: false });
    dir = mkdtempSync(join(tmpdir(), 'shadowdiff-migrations-'));
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('moves every exchange and difference, keeps ids unique and stores a capture once afterwards', async () => {
    // The schema as it was before 0012, with rows in it.
    for (const m of readMigrations().filter((m) => m.version < 12)) copyFileSync(join(MIGRATIONS_DIR, `${m.name}.sql`), join(dir, `${m.name}.sql`));
    await migrate(db.pool, { dir });
    const now = Date.now();
    const { rows: run } = await db.pool.query<{ id: string }>("INSERT INTO runs (name, created_at) VALUES ('before', now() - interval '3 days') RETURNING id");
    // The last: an ingested id as they were minted before they carried their day, with time bits from a hash.
    const ids = [newCaptureId(now - 2 * DAY), newCaptureId(now - 2 * DAY), newCaptureId(now), derivedCaptureId(0x7a3c_1f00_0000, 'before\u0000k1')];
    for (const id of ids) {
      await db.pool.query(
        `INSERT INTO exchanges (id, run_id, captured_at, method, url, route, candidate_outcome, primary_latency_ms, candidate_latency_ms, difference_count)
         VALUES ($1, $2, now(), 'GET', '/a', 'GET /a', 'ok', 1, 2, 1)`, [id, run[0]!.id]);
      await db.pool.query(
        `INSERT INTO differences (exchange_id, run_id, route, side, field, path, kind, captured_at)
         VALUES ($1, $2, 'GET /a', 'candidate', 'status', 'status', 'changed', now())`, [id, run[0]!.id]);
    }
    const { rows: before } = await db.pool.query<{ id: string; exchange_id: string }>('SELECT id, exchange_id FROM differences ORDER BY id');

    for (const m of readMigrations()) copyFileSync(join(MIGRATIONS_DIR, `${m.name}.sql`), join(dir, `${m.name}.sql`));
    expect((await migrate(db.pool, { dir })).applied).toContain('0012_partitioned_exchanges');

    const { rows: exchanges } = await db.pool.query<{ id: string; part: string }>('SELECT id, tableoid::regclass::text AS part FROM exchanges ORDER BY id');
    expect(exchanges.map((e) => e.id).sort()).toEqual([...ids].sort());
    const partOf = Object.fromEntries(exchanges.map((e) => [e.id, e.part]));
    expect(partOf[ids[0]!]).toBe(`exchanges_p${utcDay(now - 2 * DAY).replaceAll('-', '')}`);
    expect(partOf[ids[2]!]).toBe(`exchanges_p${utcDay(now).replaceAll('-', '')}`);
    // A hashed time is a day no partition is made for: the default partition holds it.
    expect(partOf[ids[3]!]).toBe('exchanges_default');
    const { rows: after } = await db.pool.query<{ id: string; exchange_id: string }>('SELECT id, exchange_id FROM differences ORDER BY id');
    expect(after).toEqual(before);

    // The primary key still refuses the same capture, and new differences number after the old ones.
    const { rows: dup } = await db.pool.query<{ n: number }>('SELECT count(*) AS n FROM (SELECT id FROM exchanges GROUP BY id HAVING count(*) > 1) d');
    expect(dup[0]!.n).toBe(0);
    const record = {
      runId: run[0]!.id, capturedAt: new Date().toISOString(), method: 'GET', url: '/a', route: 'GET /a', primaryStatus: 200, candidateStatus: 201,
      secondaryStatus: null, candidateOutcome: 'ok', secondaryOutcome: null, primaryLatencyMs: 1, candidateLatencyMs: 1, secondaryLatencyMs: null,
      secondaryKind: null, request: null, primaryResponse: null, candidateResponse: null, secondaryResponse: null, statusMismatch: true, candidateError: false,
      differences: [{ side: 'candidate' as const, field: 'status', path: 'status', kind: 'changed', primaryValue: 200, otherValue: 201, suspectedNoise: false, ignoredBy: null }],
    };
    expect(await storeExchanges(db.pool, ids.map((id) => ({ ...record, id })))).toBe(0);
    expect(await storeExchanges(db.pool, [{ ...record, id: newCaptureId() }])).toBe(1);
    const { rows: newest } = await db.pool.query<{ id: number }>('SELECT max(id)::int AS id FROM differences');
    expect(newest[0]!.id).toBeGreaterThan(Math.max(...before.map((d) => Number(d.id))));
    // The runs table gained the kept mark, off by default.
    const { rows: kept } = await db.pool.query<{ kept: boolean }>('SELECT kept FROM runs');
    expect(kept).toEqual([{ kept: false }]);
  });
});
