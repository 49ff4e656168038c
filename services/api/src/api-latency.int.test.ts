import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@shadowdiff/testkit';
import { routeListSchema } from './schemas/responses.ts';
import { expectLatencyNear, seedExchanges, startTestApi, type TestApi } from '../test/seed.ts';

describe('latency timed alike', () => {
  let db: TestDatabase;
  let api: TestApi;

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    api = await startTestApi(db.pool);
    const run = (await api.call('POST', '/runs', { name: 'alike' })).body.id;
    // 1000 exchanges answered by control copies, latencies 1..1000 ms on both sides.
    await seedExchanges(db.pool, run, 1000, (i) => ({
      route: 'GET /a/{id}',
      withSecondary: true,
      secondaryKind: 'control',
      candidateLatencyMs: i + 1,
      secondaryLatencyMs: 1000 - i,
      primaryLatencyMs: 5,
    }));
    // 20 with a secondary, one of its answers slow.
    await seedExchanges(db.pool, (await api.call('POST', '/runs', { name: 'few' })).body.id, 20, (i) => ({
      route: 'GET /b/{id}',
      withSecondary: true,
      secondaryLatencyMs: i === 7 ? 400 : 10,
    }));
    // No secondary: only the served primary to compare with.
    await seedExchanges(db.pool, (await api.call('POST', '/runs', { name: 'unalike' })).body.id, 10, () => ({ route: 'GET /c/{id}' }));
  });

  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  const endpoints = async (run: string) => routeListSchema.parse((await api.call('GET', `/runs/${run}/endpoints`)).body);

  it('compares the candidate with its control copies and bounds both p99s by their order statistics', async () => {
    const { items, overall } = await endpoints('alike');
    const a = items[0]!.latency;
    expect(a).toMatchObject({ basis: 'control', samples: 1000 });
    // Figures come from latency sketches: exact within their relative accuracy.
    expectLatencyNear(a.reference.p50, 500.5);
    expectLatencyNear(a.primary.p50, 5);
    // Ranks 1000·0.99 ∓ (1.645/√2)·√(1000·0.99·0.01): the 987th and the 994th of 1..1000.
    for (const bounds of [a.p99Bounds, overall.latency.p99Bounds]) {
      expectLatencyNear(bounds?.candidateLow, 987);
      expectLatencyNear(bounds?.referenceHigh, 994);
    }
  });

  it("takes the reference's slowest answer as its p99 bound when exchanges are few", async () => {
    const bounds = (await endpoints('few')).items[0]!.latency.p99Bounds;
    expectLatencyNear(bounds?.candidateLow, 10);
    expectLatencyNear(bounds?.referenceHigh, 400);
  });

  it('has no bounds on the served primary, which is never judged', async () => {
    expect((await endpoints('unalike')).items[0]!.latency).toMatchObject({ basis: 'primary', p99Bounds: null });
  });
});
