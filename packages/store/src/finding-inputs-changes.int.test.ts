import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@shadowdiff/testkit';
import { storeExchanges } from './exchanges.ts';
import { readFindingInputChanges, readFindingInputs, type KeptFindingInputs } from './finding-inputs.ts';
import type { ExchangeRecord } from './records.ts';
import { createRun } from './run-writes.ts';

const PER_FIELD = 3;

/** An exchange of `route` in which `fields` differed on the candidate (with the given status and latency). */
function exchange(runId: string, route: string, fields: string[], status = 200, latencyMs = 5): ExchangeRecord {
  const id = randomUUID();
  return {
    id, runId, capturedAt: new Date().toISOString(), method: 'GET', url: '/x', route,
    primaryStatus: status, candidateStatus: status, secondaryStatus: null, candidateOutcome: 'ok', secondaryOutcome: null,
    primaryLatencyMs: latencyMs, candidateLatencyMs: latencyMs, secondaryLatencyMs: null, secondaryKind: null,
    request: null, primaryResponse: null, candidateResponse: null, secondaryResponse: null,
    differences: fields.map((field) => ({ side: 'candidate', field, path: field, kind: 'changed', primaryValue: id, otherValue: null, suspectedNoise: false, ignoredBy: null })),
    statusMismatch: false, candidateError: false,
  };
}

/** Inputs in one order whatever the read: samples by route, field and id, signatures by route and fields. */
const canonical = (inputs: KeptFindingInputs) => ({
  signatures: [...inputs.signatures].sort((a, b) => `${a.route} ${a.fields}`.localeCompare(`${b.route} ${b.fields}`)),
  samples: [...inputs.samples].sort((a, b) => `${a.route} ${a.field}`.localeCompare(`${b.route} ${b.field}`) || a.id - b.id),
});

describe('finding inputs kept between reads, brought up to date with the differences stored since', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
  });
  afterAll(() => db?.drop());

  it('equal a whole read after every batch', async () => {
    const runId = (await createRun(db.pool, 'batches', {}))!.id;
    let kept = await readFindingInputs(db.pool, runId, PER_FIELD);
    expect(kept.snapshot).toBeNull();
    for (let round = 0; round < 4; round++) {
      const batch = Array.from({ length: 6 }, (_, i) => exchange(runId, `/r${i % 2}`, i % 3 === 0 ? ['a', `f${round}`] : ['b']));
      await Promise.all([storeExchanges(db.pool, batch.slice(0, 3)), storeExchanges(db.pool, batch.slice(3))]);
      kept = await readFindingInputChanges(db.pool, runId, PER_FIELD, kept);
      expect(canonical(kept), `round ${round}`).toEqual(canonical(await readFindingInputs(db.pool, runId, PER_FIELD)));
    }
  });

  it('take in a batch that was being stored when they were kept, once it commits', async () => {
    const runId = (await createRun(db.pool, 'in-flight', {}))!.id;
    await storeExchanges(db.pool, [exchange(runId, '/r', ['a']), exchange(runId, '/r', ['b'], 202, 50)]);
    let kept = await readFindingInputs(db.pool, runId, PER_FIELD);
    // A worker's batch held half-way, waiting for a status-matrix cell another holds. Its route,
    // latencies and status are not the next batch's, which goes through meanwhile.
    const blocker = await db.pool.connect();
    await blocker.query('BEGIN');
    await blocker.query(`SELECT 1 FROM status_pairs WHERE run_id = $1 AND primary_status = '202' FOR UPDATE`, [runId]);
    const slow = storeExchanges(db.pool, [exchange(runId, '/r', ['a'], 202, 50), exchange(runId, '/r', ['a'], 202, 50)]);
    try {
      const waiting = async (): Promise<number> =>
        (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rows[0]!.n;
      await expect.poll(waiting, { timeout: 10_000 }).toBe(1);
      // Another batch stored and committed meanwhile, and read: the held one is not seen yet.
      await storeExchanges(db.pool, [exchange(runId, '/q', ['a'])]);
      kept = await readFindingInputChanges(db.pool, runId, PER_FIELD, kept);
      expect(kept.samples.map((s) => `${s.route} ${s.field}`).sort()).toEqual(['/q a', '/r a', '/r b']);
    } finally {
      await blocker.query('COMMIT');
      blocker.release();
    }
    await slow;
    kept = await readFindingInputChanges(db.pool, runId, PER_FIELD, kept);
    const whole = await readFindingInputs(db.pool, runId, PER_FIELD);
    expect(canonical(kept)).toEqual(canonical(whole));
    expect(whole.samples.filter((s) => s.route === '/r' && s.field === 'a')).toHaveLength(PER_FIELD);
  });
});
