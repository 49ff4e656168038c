import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { newCaptureId, type Capture } from '@shadowdiff/core';
import { CAPTURE_BATCH_JOB, type CaptureBatch } from '@shadowdiff/queue';
import { createTestDatabase, eventually, type TestDatabase } from '@shadowdiff/testkit';
import { startTestWorker, type TestWorker } from '../test/test-worker.ts';

const json = (value: unknown) => ({ base64: Buffer.from(JSON.stringify(value)).toString('base64'), size: JSON.stringify(value).length, truncated: false });

function capture(run: string, primaryBody: unknown, candidateBody: unknown, candidateStatus = 200): Capture {
  const headers = { 'content-type': 'application/json' };
  return {
    id: newCaptureId(),
    run,
    capturedAt: new Date().toISOString(),
    request: { method: 'GET', url: '/users/42?x=1', headers: { host: 'svc' }, body: { base64: '', size: 0, truncated: false } },
    primary: { outcome: 'ok', status: 200, headers, body: json(primaryBody), latencyMs: 3 },
    candidate: { outcome: 'ok', status: candidateStatus, headers, body: json(candidateBody), latencyMs: 4 },
  };
}

describe('capture worker on real Redis and Postgres', () => {
  let db: TestDatabase;
  let running: TestWorker;
  let queue: Queue<CaptureBatch>;

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    running = startTestWorker(db.pool, { keepIdenticalShare: 1 });
    queue = running.queue;
  });
  afterAll(async () => {
    await running.stop();
    await db.drop();
  });

  const count = async (sql: string, params: unknown[] = []) => Number((await db.pool.query(sql, params)).rows[0].n);

  it('turns a queued capture into exchange, difference and counter rows', async () => {
    const c = capture('worker-it', { id: 42, name: 'Ada', price: 10 }, { id: 42, name: 'Ada', price: 12 });
    await queue.add(CAPTURE_BATCH_JOB, { captures: [c] }, { jobId: c.id });

    await eventually(() => count('SELECT count(*) AS n FROM exchanges WHERE id = $1', [c.id]));
    const { rows: differences } = await db.pool.query('SELECT field, path, kind, route, side FROM differences WHERE exchange_id = $1', [c.id]);
    expect(differences).toEqual([{ field: 'body.price', path: 'body.price', kind: 'changed', route: 'GET /users/{id}', side: 'candidate' }]);
    const { rows: stats } = await db.pool.query('SELECT exchanges, with_differences FROM route_stats');
    expect(stats).toEqual([{ exchanges: 1, with_differences: 1 }]);
  });

  it('counts a batch delivered twice only once', async () => {
    const captures = [capture('dup', { a: 1 }, { a: 2 }), capture('dup', { a: 1 }, { a: 1 })];
    await queue.add(CAPTURE_BATCH_JOB, { captures }, { jobId: 'dup-1' });
    await queue.add(CAPTURE_BATCH_JOB, { captures }, { jobId: 'dup-2' });
    await eventually(async () => (await queue.getCompletedCount()) >= 3);
    expect(await count("SELECT count(*) AS n FROM exchanges e JOIN runs r ON r.id = e.run_id WHERE r.name = 'dup'")).toBe(2);
    expect(await count("SELECT sum(exchanges) AS n FROM route_stats s JOIN runs r ON r.id = s.run_id WHERE r.name = 'dup'")).toBe(2);
    expect(await count("SELECT sum(differences) AS n FROM field_stats s JOIN runs r ON r.id = s.run_id WHERE r.name = 'dup'")).toBe(1);
  });

  it('dead-letters a poison capture and still stores its neighbours', async () => {
    const good = capture('poison', { ok: true }, { ok: true });
    const poison = { id: 'not-a-uuid', run: 'poison', request: 'garbage' } as unknown as Capture;
    await queue.add(CAPTURE_BATCH_JOB, { captures: [poison, good] }, { jobId: 'poison-1' });
    await eventually(() => count('SELECT count(*) AS n FROM exchanges WHERE id = $1', [good.id]));
    const { rows } = await db.pool.query('SELECT capture_id, reason FROM dead_letters');
    expect(rows).toHaveLength(1);
    expect(rows[0].capture_id).toBe('not-a-uuid');
    expect(rows[0].reason).toMatch(/invalid capture/);
  });

  it('stores values Postgres jsonb would refuse (NUL, lone surrogates) instead of failing the batch', async () => {
    const odd = capture('odd', { name: 'a\u0000b', tag: '\ud800' }, { name: 'a\u0000c', tag: '\udfff' });
    const neighbour = capture('odd', { ok: 1 }, { ok: 2 });
    await queue.add(CAPTURE_BATCH_JOB, { captures: [odd, neighbour] }, { jobId: 'odd-1' });
    await eventually(() => count("SELECT count(*) AS n FROM exchanges e JOIN runs r ON r.id = e.run_id WHERE r.name = 'odd'").then((n) => n === 2));
    const { rows } = await db.pool.query('SELECT field, primary_value, other_value FROM differences WHERE exchange_id = $1 ORDER BY field', [odd.id]);
    expect(rows).toEqual([
      { field: 'body.name', primary_value: 'a\\u0000b', other_value: 'a\\u0000c' },
      { field: 'body.tag', primary_value: '\ufffd', other_value: '\ufffd' },
    ]);
  });

  it('counts a capture repeated inside one batch once', async () => {
    const c = capture('repeat', { a: 1 }, { a: 2 });
    await queue.add(CAPTURE_BATCH_JOB, { captures: [c, c, c] }, { jobId: 'repeat-1' });
    await eventually(() => count('SELECT count(*) AS n FROM exchanges WHERE id = $1', [c.id]));
    await eventually(async () => (await queue.getJobState('repeat-1')) === 'completed');
    expect(await count("SELECT sum(exchanges) AS n FROM route_stats s JOIN runs r ON r.id = s.run_id WHERE r.name = 'repeat'")).toBe(1);
    expect(await count('SELECT count(*) AS n FROM differences WHERE exchange_id = $1', [c.id])).toBe(1);
  });

  it('dead-letters a job that is not a capture batch, even one holding a single capture', async () => {
    const single = capture('single', { a: 1 }, { a: 2 });
    await (queue as unknown as Queue<Capture>).add(CAPTURE_BATCH_JOB, single, { jobId: 'single-1' });
    await eventually(async () => (await queue.getJobState('single-1')) === 'completed');
    const { rows } = await db.pool.query("SELECT capture_id, reason, payload->>'id' AS id FROM dead_letters WHERE reason = 'job is not a capture batch'");
    expect(rows).toEqual([{ capture_id: null, reason: 'job is not a capture batch', id: single.id }]);
    expect(await count('SELECT count(*) AS n FROM exchanges WHERE id = $1', [single.id])).toBe(0);
  });
});
