import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@shadowdiff/testkit';
import { findingListSchema } from './schemas/findings.ts';
import { fieldListSchema, routeListSchema, runDetailSchema, runListSchema } from './schemas/responses.ts';
import { expectLatencyNear, seedExchanges, startTestApi, type TestApi } from '../test/seed.ts';

describe('runs, endpoints and fields', () => {
  let db: TestDatabase;
  let api: TestApi;
  let runId: string;

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    api = await startTestApi(db.pool);
    const created = await api.call('POST', '/runs', { name: 'release-42', service: 'users', primaryLabel: 'v41', candidateLabel: 'v42' });
    expect(created.status).toBe(201);
    runId = created.body.id;
    // 40 exchanges on /users with a secondary: body.name always differs on the candidate only,
    // body.updatedAt differs on both sides as often (noise), and every 10th gets a 500.
    await seedExchanges(db.pool, runId, 40, (i) => ({
      withSecondary: true,
      candidateStatus: i % 10 === 0 ? 500 : 200,
      primaryLatencyMs: 10 + (i % 5),
      candidateLatencyMs: 20 + (i % 5),
      differences: [
        { field: 'body.name' },
        ...(i % 2 === 0 ? [{ field: 'body.updatedAt', suspectedNoise: true }, { field: 'body.updatedAt', side: 'secondary' as const }] : []),
        ...(i % 10 === 0 ? [{ field: 'status', kind: 'status', primaryValue: 200, otherValue: 500 }] : []),
      ],
    }));
    // 5 exchanges on /orders without a secondary, one field differing.
    await seedExchanges(db.pool, runId, 5, () => ({ route: 'GET /orders/{id}', differences: [{ field: 'body.total', kind: 'type_changed' }] }));
  });

  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it('creates, lists, reads by id or name, describes and closes runs', async () => {
    const list = await api.call('GET', '/runs');
    expect(runListSchema.parse(list.body).items.map((r) => [r.name, r.exchanges])).toEqual([['release-42', 45]]);
    const byName = await api.call('GET', '/runs/release-42');
    const byId = await api.call('GET', `/runs/${runId}`);
    expect(runDetailSchema.parse(byName.body)).toEqual(byId.body);
    expect(byName.body).toMatchObject({ service: 'users', primaryLabel: 'v41', candidateLabel: 'v42', state: 'active' });

    expect((await api.call('POST', '/runs', { name: 'release-42' })).status).toBe(409);
    const patched = await api.call('PATCH', '/runs/release-42', { thresholds: { maxDifferenceRate: 0.5 } });
    expect(patched.body.thresholds).toEqual({ maxDifferenceRate: 0.5 });

    const other = await api.call('POST', '/runs', { name: 'to-close' });
    const closed = await api.call('POST', '/runs/to-close/close');
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ id: other.body.id, state: 'closed' });
    expect(closed.body.closedAt).toEqual(expect.any(String));
  });

  it('summarises endpoints with real differences, errors and latency percentiles', async () => {
    const res = await api.call('GET', '/runs/release-42/endpoints');
    expect(res.status).toBe(200);
    const body = routeListSchema.parse(res.body);
    const users = body.items.find((e) => e.route === 'GET /users/{id}')!;
    expect(users).toMatchObject({ exchanges: 40, differingExchanges: 40, statusMismatches: 4, candidateErrors: 4, secondaryExchanges: 40 });
    expect(users.errors.status5xx).toBe(4);
    // Percentiles come from latency sketches: exact within their relative accuracy.
    expectLatencyNear(users.latency.primary.p50, 12);
    expectLatencyNear(users.latency.candidate.p50, 22);
    expectLatencyNear(users.latency.primary.p99, 14);
    // The candidate is timed against the secondary, sent with it: its copies answered in 10 ms.
    expect(users.latency.basis).toBe('secondary');
    expectLatencyNear(users.latency.reference.p50, 10);
    expectLatencyNear(users.latency.ratio.p50, 22 / 10, 'ratio');
    expect(users.fields).toMatchObject({ real: 2, noise: 1 });
    expect(body.overall.exchanges).toBe(45);
    expect(body.overall.differingExchanges).toBe(45);
    expect(users.links.fields).toBe(`/api/v1/runs/${runId}/endpoints/GET%20%2Fusers%2F%7Bid%7D/fields`);
  });

  it('lists the fields of an endpoint with the numbers behind the classification', async () => {
    const res = await api.call('GET', `/runs/release-42/endpoints/${encodeURIComponent('GET /users/{id}')}/fields`);
    expect(res.status).toBe(200);
    const body = fieldListSchema.parse(res.body);
    const byField = new Map(body.items.map((f) => [f.field, f]));
    expect(byField.get('body.name')).toMatchObject({ differences: 40, rate: 1, kinds: ['changed'], classification: { verdict: 'real', basis: 'secondary' } });
    expect(byField.get('body.name')!.exampleExchangeIds).toHaveLength(3);
    const updated = byField.get('body.updatedAt')!;
    expect(updated.classification).toMatchObject({ verdict: 'noise', basis: 'secondary', countsAsReal: false });
    expect(updated.classification.numbers).toMatchObject({ candidateRate: 0.5, secondaryRate: 0.5, exchanges: 40, secondaryExchanges: 40 });
    expect(updated.suspectedNoise).toBe(true);
    expect(byField.get('status')!.classification).toMatchObject({ verdict: 'real', basis: 'never_noise' });

    const orders = await api.call('GET', `/runs/${runId}/endpoints/${encodeURIComponent('GET /orders/{id}')}/fields?verdict=real`);
    expect(orders.body.items).toEqual([expect.objectContaining({ field: 'body.total', kinds: ['type_changed'], classification: expect.objectContaining({ basis: 'no_secondary' }) })]);
  });

  it('groups the differences into findings: the 500s take in their body, the rest is one change, noise apart', async () => {
    const res = await api.call('GET', `/runs/${runId}/findings`);
    expect(res.status).toBe(200);
    const { items } = findingListSchema.parse(res.body);
    const byTitle = new Map(items.map((f) => [f.title, f]));
    // Every 10th exchange on /users got a 500: its body differences there are folded under it.
    expect(byTitle.get('status 200 → 500 (body replaced)')).toMatchObject({ kind: 'status', verdict: 'real', exchanges: 4 });
    expect(byTitle.get('status 200 → 500 (body replaced)')!.folded.map((f) => f.field)).toEqual(['body.name', 'body.updatedAt']);
    expect(byTitle.get('value changed on body.name')).toMatchObject({ verdict: 'real', exchanges: 36, routes: [{ route: 'GET /users/{id}', exchanges: 36, rate: 0.9 }] });
    expect(items.find((f) => f.kind === 'type')).toMatchObject({ title: expect.stringMatching(/^type .+ on body\.total$/), exchanges: 5, routes: [{ route: 'GET /orders/{id}', rate: 1 }] });
    const names = byTitle.get('value changed on body.name')!;
    expect(names.links.differences).toEqual([`/api/v1/runs/${runId}/differences?route=GET%20%2Fusers%2F%7Bid%7D&field=body.name`]);
    expect(names.examples.length).toBeGreaterThan(0);
    expect((await api.call('GET', '/runs/no-such-run/findings')).status).toBe(404);
  });

  it('marks every field of a finding at once, and refuses to call a status change noise', async () => {
    const list = async () => findingListSchema.parse((await api.call('GET', `/runs/${runId}/findings`)).body).items;
    const status = (await list()).find((f) => f.kind === 'status')!;
    const refused = await api.call('PUT', `/runs/${runId}/findings/${status.id}/triage`, { state: 'noise', reason: 'flaky' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/status.*never noise/);
    const expected = await api.call('PUT', `/runs/${runId}/findings/${status.id}/triage`, { state: 'expected', reason: 'the new version rejects these ids' });
    expect(expected.status).toBe(200);
    expect(expected.body.items.map((t: { field: string }) => t.field)).toEqual(['status']);
    expect((await list()).find((f) => f.kind === 'status')!.verdict).toBe('expected');
    expect((await api.call('PUT', `/runs/${runId}/findings/0000000000000000/triage`, { state: 'expected', reason: 'x' })).status).toBe(404);
    const name = (await list()).find((f) => f.title === 'value changed on body.name')!;
    await api.call('PUT', `/runs/${runId}/findings/${name.id}/triage`, { state: 'expected', reason: 'names are now title-cased' });
    expect((await list()).find((f) => f.title === 'value changed on body.name')!.verdict).toBe('expected');
    for (const field of ['body.name', 'status']) {
      expect((await api.call('DELETE', `/runs/${runId}/triage?route=${encodeURIComponent('GET /users/{id}')}&field=${field}`)).status).toBeLessThan(300);
    }
  });

  it('applies a new ignore rule and triage marks to counts and classification at once', async () => {
    const added = await api.call('POST', '/runs/release-42/rules', { name: 'names-renamed', kind: 'ignoreField', fields: ['body.name'], route: 'GET /users/*' });
    expect(added.status).toBe(201);
    expect(added.body.rules).toHaveLength(1);
    expect((await api.call('POST', '/runs/release-42/rules', { name: 'names-renamed', kind: 'ignoreField', fields: ['x'] })).status).toBe(409);

    let users = (await api.call('GET', '/runs/release-42/endpoints')).body.items.find((e: { route: string }) => e.route === 'GET /users/{id}');
    expect(users.differingExchanges).toBe(4); // only the status mismatches remain
    let fields = (await api.call('GET', `/runs/release-42/endpoints/${encodeURIComponent('GET /users/{id}')}/fields`)).body.items;
    expect(fields.find((f: { field: string }) => f.field === 'body.name').classification).toMatchObject({ verdict: 'ignored', basis: 'rule', rule: 'names-renamed' });

    const marked = await api.call('PUT', '/runs/release-42/triage', { route: 'GET /users/{id}', field: 'status', state: 'expected', reason: 'v42 reports overload as 500 on purpose' });
    expect(marked.status).toBe(200);
    expect(marked.body.classification).toMatchObject({ verdict: 'expected', basis: 'triage', reason: 'v42 reports overload as 500 on purpose' });
    users = (await api.call('GET', '/runs/release-42/endpoints')).body.items.find((e: { route: string }) => e.route === 'GET /users/{id}');
    expect(users.differingExchanges).toBe(0);

    const noiseOnStatus = await api.call('PUT', '/runs/release-42/triage', { route: 'GET /users/{id}', field: 'status', state: 'noise', reason: 'x' });
    expect(noiseOnStatus.status).toBe(400);

    expect((await api.call('DELETE', '/runs/release-42/rules/names-renamed')).status).toBe(204);
    expect((await api.call('DELETE', '/runs/release-42/rules/names-renamed')).status).toBe(404);
    expect((await api.call('DELETE', `/runs/release-42/triage?route=${encodeURIComponent('GET /users/{id}')}&field=status`)).status).toBe(204);
    users = (await api.call('GET', '/runs/release-42/endpoints')).body.items.find((e: { route: string }) => e.route === 'GET /users/{id}');
    expect(users.differingExchanges).toBe(40);
    fields = (await api.call('GET', '/runs/release-42/rules')).body;
    expect(fields).toMatchObject({ rules: [], triage: [] });
  });

  it('refuses invalid rules with a 400 naming the problem', async () => {
    const res = await api.call('POST', '/runs/release-42/rules', { name: 'bad', kind: 'equivalentFormat', field: 'body.x', format: 'regex', pattern: '(' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/pattern/);
    const unknownKind = await api.call('POST', '/runs/release-42/rules', { name: 'bad', kind: 'explode' });
    expect(unknownKind.status).toBe(400);
    expect(unknownKind.body.error.message).toMatch(/kind/);
  });
});
