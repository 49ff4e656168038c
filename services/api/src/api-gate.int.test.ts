import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse as parseHtml } from 'parse5';
import { createTestDatabase, type TestDatabase } from '@shadowdiff/testkit';
import { gateResultSchema, releaseReportSchema } from './schemas/gate.ts';
import { awaitSettled, expectLatencyNear, seedExchanges, startTestApi, type TestApi } from '../test/seed.ts';

describe('gate and report', () => {
  let db: TestDatabase;
  let api: TestApi;

  const create = async (name: string): Promise<string> => (await api.call('POST', '/runs', { name, primaryLabel: 'v1', candidateLabel: 'v2' })).body.id;

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    api = await startTestApi(db.pool);
    const clean = await create('clean');
    await seedExchanges(db.pool, clean, 120, (i) => ({ route: i % 2 ? 'GET /a/{id}' : 'GET /b/{id}' }));
    const differing = await create('differing');
    // A secondary answers every copy (in 10 ms), so latency is timed alike and can be judged.
    await seedExchanges(db.pool, differing, 240, (i) => ({
      route: i % 2 ? 'GET /a/{id}' : 'GET /b/{id}',
      withSecondary: true,
      candidateStatus: i % 40 === 0 ? 503 : 200,
      candidateLatencyMs: i % 2 ? 10 : 80,
      differences: [
        ...(i % 2 ? [{ field: 'body.price', primaryValue: 10, otherValue: 12 }] : []),
        ...(i % 3 === 0 ? [{ field: 'body.discount', kind: 'added', primaryValue: undefined, otherValue: 0.1 }] : []),
        ...(i % 5 === 0 ? [{ field: 'body.id', kind: 'type_changed', primaryValue: 7, otherValue: '7' }] : []),
        ...(i % 40 === 0 ? [{ field: 'status', kind: 'status', primaryValue: 200, otherValue: 503 }] : []),
      ],
    }));
    const few = await create('few');
    await seedExchanges(db.pool, few, 3, () => ({}));
    await awaitSettled(db.pool);
  });

  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  const gate = async (run: string, body: unknown = {}) => {
    const res = await api.call('POST', `/runs/${run}/gate`, body);
    expect(res.status, res.text).toBe(200);
    return gateResultSchema.parse(res.body);
  };

  it('passes a clean run and fails one with differences, errors and slow routes, with reasons', async () => {
    expect((await gate('clean')).verdict).toBe('pass');
    const result = await gate('differing');
    expect(result.verdict).toBe('fail');
    const a = result.routes.find((r) => r.route === 'GET /a/{id}')!;
    const b = result.routes.find((r) => r.route === 'GET /b/{id}')!;
    expect(a.checks.find((c) => c.check === 'difference_rate')).toMatchObject({ passed: false, value: 1, count: 120, total: 120 });
    const slow = b.checks.find((c) => c.check === 'p99_latency_ratio')!;
    expect(slow.passed).toBe(false);
    expectLatencyNear(slow.value, 8, 'ratio');
    expect(result.reasons.some((r) => r.startsWith('GET /b/{id}: p99 latency'))).toBe(true);
  });

  it('judges rates by their upper confidence bound, so a tiny sample does not pass as 0%', async () => {
    const strictMin = await gate('few', { thresholds: { minExchangesPerRoute: 0, maxRouteDifferenceRate: 0.2 } });
    expect(strictMin.verdict).toBe('fail');
    const check = strictMin.routes[0]!.checks.find((c) => c.check === 'difference_rate')!;
    expect(check).toMatchObject({ value: 0, passed: false });
    expect(check.upperBound!).toBeGreaterThan(0.4);
    const insufficient = await gate('few');
    expect(insufficient.routes[0]!.verdict).toBe('insufficient_data');
    expect(insufficient.verdict).toBe('fail');
    const allowed = await gate('few', { thresholds: { allowInsufficientData: true, maxDifferenceRate: 0.6, maxStatusMismatchRate: 0.6, maxCandidateErrorRate: 0.6 } });
    expect(allowed.verdict).toBe('pass');
  });

  it('fails on a missing required route and calls out fields new since a baseline', async () => {
    const missing = await gate('clean', { thresholds: { requiredRoutes: ['GET /c/{id}'] } });
    expect(missing.verdict).toBe('fail');
    expect(missing.routes.find((r) => r.route === 'GET /c/{id}')!.verdict).toBe('missing');
    const loose = { maxDifferenceRate: 1, maxRouteDifferenceRate: 1, maxStatusMismatchRate: 1, maxRouteStatusMismatchRate: 1, maxCandidateErrorRate: 1, maxRouteCandidateErrorRate: 1, maxP99LatencyRatio: 100 };
    const withBaseline = await gate('differing', { thresholds: loose, baseline: 'differing' });
    expect(withBaseline.verdict).toBe('pass');
    const newSince = await gate('differing', { thresholds: loose, baseline: 'clean' });
    expect(newSince.verdict).toBe('fail');
    expect(newSince.newFields).toEqual(expect.arrayContaining([{ route: 'GET /a/{id}', field: 'body.price' }]));
    expect((await api.call('POST', '/runs/differing/gate', { baseline: 'nope' })).status).toBe(404);
  });

  it('answers the gate as JUnit XML with one test case per route', async () => {
    const res = await api.call('POST', '/runs/differing/gate?format=junit', {});
    expect(res.type).toMatch(/xml/);
    const cases = [...res.text.matchAll(/<testcase name="([^"]+)"/g)].map((m) => m[1]);
    expect(cases).toEqual(expect.arrayContaining(['GET /a/{id}', 'GET /b/{id}', 'run']));
    expect(res.text).toMatch(/failures="[1-9]/);
  });

  it('refuses bad thresholds with a 400 naming them', async () => {
    const res = await api.call('POST', '/runs/clean/gate', { thresholds: { maxDifferenceRate: 2, colour: 'red' } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/thresholds.maxDifferenceRate/);
    expect(res.body.error.message).toMatch(/thresholds.colour/);
  });

  it('reports in json, markdown and one self-contained HTML file with every section', async () => {
    const json = await api.call('GET', '/runs/differing/report');
    // The report's JSON is the shape its OpenAPI schema documents.
    expect(releaseReportSchema.safeParse(json.body).error).toBeUndefined();
    expect(json.body.gate.verdict).toBe('fail');
    const fieldsOf = (items: { field: string }[]): string[] => [...new Set(items.map((d) => d.field))];
    expect(fieldsOf(json.body.schemaDrift.added)).toEqual(['body.discount']);
    expect(json.body.schemaDrift.added).toHaveLength(2);
    expect(fieldsOf(json.body.schemaDrift.typeChanged)).toEqual(['body.id']);
    expect(json.body.schemaDrift.removed).toEqual([]);
    expect(json.body.statusMatrix.cells).toEqual(expect.arrayContaining([{ primary: '200', candidate: '503', count: 6 }]));
    expect(json.body.topFields[0].examples[0]).toMatchObject({ primaryValue: 10, candidateValue: 12 });

    const md = await api.call('GET', '/runs/differing/report?format=markdown');
    expect(md.type).toMatch(/markdown/);
    for (const heading of ['## Verdict', '## Findings', '## Endpoints', '## Top differing fields', '## Status codes', '## Latency', '## Schema drift', '## Noise summary']) {
      expect(md.text).toContain(heading);
    }
    // The report leads with what changed, and a route failing on its differences names it.
    const findings = md.text.slice(md.text.indexOf('## Findings'), md.text.indexOf('## Endpoints'));
    expect(findings).toMatch(/\*\*type number → string on body\.id \(2 routes\)\*\* — real/);
    expect(json.body.gate.reasons).toEqual(expect.arrayContaining([expect.stringMatching(/^GET \/a\/\{id\}: real differences .* — .*type number → string on body\.id/)]));

    const html = await api.call('GET', '/runs/differing/report?format=html');
    expect(html.type).toMatch(/text\/html/);
    const ids = new Set<string>();
    const external: string[] = [];
    const walk = (node: { nodeName: string; attrs?: { name: string; value: string }[]; childNodes?: unknown[] }): void => {
      for (const attr of node.attrs ?? []) {
        if (attr.name === 'id') ids.add(attr.value);
        if (['src', 'href'].includes(attr.name) || (attr.name === 'xmlns' ? false : /^https?:/.test(attr.value))) external.push(`${node.nodeName} ${attr.name}=${attr.value}`);
      }
      if (node.nodeName === 'script' || node.nodeName === 'link') external.push(node.nodeName);
      for (const child of (node.childNodes ?? []) as (typeof node)[]) walk(child);
    };
    walk(parseHtml(html.text) as unknown as Parameters<typeof walk>[0]);
    expect([...ids]).toEqual(expect.arrayContaining(['verdict', 'findings', 'endpoints', 'top-fields', 'status-matrix', 'latency', 'schema-drift', 'noise']));
    expect(external).toEqual([]);
    expect(html.text).toContain('<svg');
    expect(html.text).toContain('FAIL');

    const bad = await api.call('GET', '/runs/differing/report?format=pdf');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/'format'/);
  });
});
