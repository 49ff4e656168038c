import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@shadowdiff/testkit';
import { seedExchanges, startTestApi, type TestApi, type SeedExchange } from '../test/seed.ts';

/** A report without the times it was made at: what two reads of the same stored state share. */
const figures = (body: unknown): unknown => JSON.parse(JSON.stringify(body), (k, v) => (k === 'generatedAt' || k === 'evaluatedAt' ? undefined : v));

describe('the first read after new exchanges', () => {
  let db: TestDatabase;
  let kept: TestApi;
  let run: string;

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    // This API keeps what it read of the run between reads; each check asks a new one too, which keeps nothing yet.
    kept = await startTestApi(db.pool);
    run = (await kept.call('POST', '/runs', { name: 'growing' })).body.id;
  });
  afterAll(async () => {
    await kept?.close();
    await db?.drop();
  });

  /** Every read of the run, from the API that kept its earlier reads and from one that keeps nothing. */
  async function expectFresh(label: string): Promise<void> {
    const fresh = await startTestApi(db.pool);
    try {
      for (const [method, path] of [['GET', `/runs/${run}/report`], ['GET', `/runs/${run}/endpoints`], ['POST', `/runs/${run}/gate`]] as const) {
        const [a, b] = await Promise.all([kept.call(method, path, method === 'POST' ? {} : undefined), fresh.call(method, path, method === 'POST' ? {} : undefined)]);
        expect(a.status, `${label}: ${path}`).toBe(200);
        expect(figures(a.body), `${label}: ${path}`).toEqual(figures(b.body));
      }
      const [a, b] = await Promise.all([kept.call('GET', `/runs/${run}/report?format=html`), fresh.call('GET', `/runs/${run}/report?format=html`)]);
      const strip = (html: string): string => html.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '');
      expect(strip(a.text), `${label}: html`).toBe(strip(b.text));
    } finally {
      await fresh.close();
    }
  }

  it('reflects every batch stored since the last read: latencies, fields, samples and verdicts', async () => {
    const batch = (slow: number, field: string, kind: string): ((i: number) => SeedExchange) => (i) => ({
      route: i % 2 === 0 ? 'GET /a/{id}' : 'GET /b/{id}',
      withSecondary: true,
      candidateLatencyMs: i % 5 === 0 ? slow : 10 + (i % 7),
      differences: i % 3 === 0 ? [{ field, kind, primaryValue: i, otherValue: `${i}` }] : [],
    });
    await seedExchanges(db.pool, run, 120, batch(40, 'body.total', 'changed'));
    await expectFresh('first');
    await expectFresh('again, nothing new');
    // Slower answers, a new field, a type change: every part of the report moves.
    await seedExchanges(db.pool, run, 60, batch(900, 'body.count', 'type_changed'));
    await expectFresh('after a slow batch');
    await seedExchanges(db.pool, run, 10, batch(5000, 'header.etag', 'added'));
    await expectFresh('after a small batch');
    const report = (await kept.call('GET', `/runs/${run}/report`)).body;
    expect(report.endpoints.map((e: { exchanges: number }) => e.exchanges).reduce((a: number, b: number) => a + b)).toBe(190);
    expect(report.findings.map((f: { fields: { field: string }[] }) => f.fields.map((x) => x.field)).flat()).toEqual(expect.arrayContaining(['body.total', 'body.count', 'header.etag']));
  });
});
