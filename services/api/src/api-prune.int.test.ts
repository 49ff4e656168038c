import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { newCaptureId } from '@shadowdiff/core';
import { pruneOlderThan, utcDay } from '@shadowdiff/store';
import { createTestDatabase, type TestDatabase } from '@shadowdiff/testkit';
import { runDetailSchema, runListSchema } from './schemas/responses.ts';
import { awaitSettled, seedExchanges, startTestApi, type TestApi } from '../test/seed.ts';

const DAY = 86_400_000;

describe('reads after a prune', () => {
  let db: TestDatabase;
  let api: TestApi;
  const ids: Record<string, string[]> = {};

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    api = await startTestApi(db.pool);
    const now = Date.now();
    for (const ago of [45, 44]) await db.pool.query('SELECT shadowdiff_add_day_partitions($1::date)', [utcDay(now - ago * DAY)]);
    for (const name of ['old', 'baseline', 'current']) expect((await api.call('POST', '/runs', { name })).status).toBe(201);
    await db.pool.query("UPDATE runs SET created_at = now() - interval '46 days' WHERE name <> 'current'");
    const runId = async (name: string): Promise<string> => (await api.call('GET', `/runs/${name}`)).body.id;
    const seed = (ago: number) => (i: number) => ({
      id: newCaptureId(now - ago * DAY + i),
      route: i % 2 === 0 ? 'GET /users/{id}' : 'GET /orders/{id}',
      candidateStatus: i % 5 === 0 ? 500 : 200,
      differences: [{ field: 'body.name' }],
    });
    ids.old = await seedExchanges(db.pool, await runId('old'), 10, seed(45));
    ids.baseline = [...(await seedExchanges(db.pool, await runId('baseline'), 6, seed(45))), ...(await seedExchanges(db.pool, await runId('baseline'), 4, seed(44)))];
    ids.current = await seedExchanges(db.pool, await runId('current'), 8, seed(0));
    await awaitSettled(db.pool);
  });

  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it('marks a run kept and unkept, shown on the run', async () => {
    const kept = await api.call('PUT', '/runs/baseline/keep');
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ name: 'baseline', kept: true });
    expect(runDetailSchema.parse((await api.call('GET', '/runs/baseline')).body).kept).toBe(true);
    expect((await api.call('DELETE', '/runs/old/keep')).body.kept).toBe(false);
    expect((await api.call('PUT', '/runs/nope/keep')).status).toBe(404);
  });

  it('serves every read of the runs that remain, and 404 for what was pruned', async () => {
    const report = await pruneOlderThan(db.pool, { olderThanMs: 30 * DAY });
    expect(report).toMatchObject({ exchanges: 10, differences: 10, runs: ['old'], keptRuns: ['baseline'] });

    const list = runListSchema.parse((await api.call('GET', '/runs?summary=true')).body);
    expect(list.items.map((r) => [r.name, r.kept, r.exchanges]).sort()).toEqual([
      ['baseline', true, 10],
      ['current', false, 8],
    ]);
    expect((await api.call('GET', '/runs/old')).status).toBe(404);
    expect((await api.call('GET', `/exchanges/${ids.old![0]}`)).status).toBe(404);

    for (const run of ['baseline', 'current']) {
      for (const path of ['', '/endpoints', '/findings', '/rules', '/triage', '/report?format=json', '/report?format=markdown', '/export?limit=100']) {
        const res = await api.call('GET', `/runs/${run}${path}`);
        expect([run, path, res.status]).toEqual([run, path, 200]);
      }
      const fields = await api.call('GET', `/runs/${run}/endpoints/${encodeURIComponent('GET /users/{id}')}/fields`);
      expect(fields.status).toBe(200);
      const differences = await api.call('GET', `/runs/${run}/differences?limit=100&includeIgnored=true`);
      expect(differences.status).toBe(200);
      expect(differences.body.items).toHaveLength(run === 'baseline' ? 10 : 8);
      for (const id of ids[run]!) {
        const exchange = await api.call('GET', `/exchanges/${id}`);
        expect(exchange.status).toBe(200);
        expect(exchange.body.differences).toHaveLength(1);
      }
    }
    expect((await api.call('GET', '/runs/current/findings/compare?baseline=baseline')).status).toBe(200);
    expect((await api.call('GET', '/runs/current/report?format=html&baseline=baseline')).status).toBe(200);
    const gate = await api.call('POST', '/runs/current/gate', { baseline: 'baseline' });
    expect(gate.status).toBe(200);
    expect(gate.body.verdict).toEqual(expect.any(String));
  });
});
