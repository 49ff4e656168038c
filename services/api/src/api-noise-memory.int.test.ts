import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@shadowdiff/testkit';
import { runCli } from '@shadowdiff/testkit';
import { findingComparisonSchema, findingListSchema } from './schemas/findings.ts';
import { fieldListSchema } from './schemas/responses.ts';
import { seedExchanges, startTestApi, type TestApi } from '../test/seed.ts';

const ROUTE = 'GET /carts/{id}';

/**
 * Noise remembered across runs of a service: what an earlier run judged noise (by its secondary
 * or by a person) starts as noise in the next run, which has no secondary; what was real there
 * is judged afresh; a mark on the new run overrides what was learned.
 */
describe('noise memory across runs of a service', () => {
  let db: TestDatabase;
  let api: TestApi;

  const create = async (name: string, service: string): Promise<string> => {
    const res = await api.call('POST', '/runs', { name, service });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const fields = async (run: string) =>
    new Map(fieldListSchema.parse((await api.call('GET', `/runs/${run}/endpoints/${encodeURIComponent(ROUTE)}/fields?examples=0`)).body).items.map((f) => [f.field, f.classification]));

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    api = await startTestApi(db.pool);
    // The first run has a secondary: body.updatedAt differs on both sides (noise), body.total on
    // the candidate only (real); body.sessionHint is marked noise by a person.
    const first = await create('cart-v1', 'cart');
    await seedExchanges(db.pool, first, 40, () => ({
      route: ROUTE,
      withSecondary: true,
      differences: [{ field: 'body.updatedAt' }, { field: 'body.updatedAt', side: 'secondary' }, { field: 'body.total' }, { field: 'body.sessionHint' }],
    }));
    expect((await api.call('PUT', '/runs/cart-v1/triage', { route: ROUTE, field: 'body.sessionHint', state: 'noise', reason: 'per-session hint' })).status).toBe(200);
    // The next run of the service has no secondary, and one field that never differed before.
    const second = await create('cart-v2', 'cart');
    const differences = [{ field: 'body.updatedAt' }, { field: 'body.total' }, { field: 'body.sessionHint' }, { field: 'body.currency' }];
    await seedExchanges(db.pool, second, 30, () => ({ route: ROUTE, differences }));
    // A run of another service learns nothing from cart's runs.
    await seedExchanges(db.pool, await create('orders-v2', 'orders'), 30, () => ({ route: ROUTE, differences }));
  });

  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it('starts what an earlier run judged noise, by statistics or by a person, as noise, and names that run', async () => {
    const v2 = await fields('cart-v2');
    expect(v2.get('body.updatedAt')).toMatchObject({ verdict: 'noise', basis: 'learned', reason: 'noise in run cart-v1 (learned)' });
    expect(v2.get('body.sessionHint')).toMatchObject({ verdict: 'noise', basis: 'learned' });
    // Real there, judged afresh here (and with no secondary, real); new fields are judged as ever.
    expect(v2.get('body.total')).toMatchObject({ verdict: 'real', basis: 'no_secondary' });
    expect(v2.get('body.currency')).toMatchObject({ verdict: 'real', basis: 'no_secondary' });
    const other = await fields('orders-v2');
    expect(other.get('body.updatedAt')).toMatchObject({ verdict: 'real', basis: 'no_secondary' });
    // The findings of the quiet second run: its real changes, and the learned noise on one line.
    const findings = findingListSchema.parse((await api.call('GET', '/runs/cart-v2/findings')).body).items;
    expect(findings.filter((f) => f.verdict === 'real').flatMap((f) => f.fields.map((x) => x.field)).sort()).toEqual(['body.currency', 'body.total']);
    expect(findings.filter((f) => f.verdict === 'noise').flatMap((f) => f.fields.map((x) => x.field)).sort()).toEqual(['body.sessionHint', 'body.updatedAt']);
  });

  it('lets a mark on the new run override what was learned', async () => {
    const mark = await api.call('PUT', '/runs/cart-v2/triage', { route: ROUTE, field: 'body.updatedAt', state: 'real', reason: 'v2 must keep updatedAt stable' });
    expect(mark.status).toBe(200);
    expect((await fields('cart-v2')).get('body.updatedAt')).toMatchObject({ verdict: 'real', basis: 'triage', reason: 'v2 must keep updatedAt stable' });
    // The earlier run is untouched by it.
    expect((await fields('cart-v1')).get('body.updatedAt')).toMatchObject({ verdict: 'noise', basis: 'secondary' });
  });

  it('compares two runs by their findings, in the API and with shadowdiff diff-runs', async () => {
    const res = await api.call('GET', '/runs/cart-v2/findings/compare?baseline=cart-v1');
    expect(res.status).toBe(200);
    const c = findingComparisonSchema.parse(res.body);
    // v2's real change now also takes in body.currency (new) and body.updatedAt (marked real on v2,
    // noise before): the same finding, grown.
    expect(c.new).toEqual([]);
    expect(c.gone).toEqual([]);
    expect(c.changed.map((x) => [x.sentence, x.before.verdict, x.after.verdict, x.fieldsAdded, x.fieldsRemoved])).toEqual([
      ['value changed on body.currency, body.total, body.updatedAt', 'real', 'real', ['body.currency', 'body.updatedAt'], []],
    ]);
    expect((await api.call('GET', '/runs/cart-v2/findings/compare?baseline=nope')).status).toBe(404);

    const cli = runCli(['diff-runs', 'cart-v1', 'cart-v2', '--api', api.url]);
    expect(await cli.exited(), cli.stderr()).toBe(0);
    expect(cli.stdout()).toBe(
      'cart-v2 against cart-v1\n\nChanged:\n  real              value changed on body.currency, body.total, body.updatedAt  100.0% → 100.0% (now also body.currency, body.updatedAt)\n',
    );
  });

  it('learns again once an earlier run changes: a mark added there or taken back, more exchanges stored', async () => {
    const total = async (): Promise<unknown> => (await fields('cart-v2')).get('body.total');
    expect(await total()).toMatchObject({ verdict: 'real', basis: 'no_secondary' });
    expect((await api.call('PUT', '/runs/cart-v1/triage', { route: ROUTE, field: 'body.total', state: 'noise', reason: 'varies per cart' })).status).toBe(200);
    expect(await total()).toMatchObject({ verdict: 'noise', basis: 'learned', reason: 'noise in run cart-v1 (learned)' });
    expect((await api.call('DELETE', `/runs/cart-v1/triage?route=${encodeURIComponent(ROUTE)}&field=body.total`)).status).toBe(204);
    expect(await total()).toMatchObject({ verdict: 'real', basis: 'no_secondary' });
    // The secondary differs on body.total too from now on: noise there by its statistics.
    await seedExchanges(db.pool, (await api.call('GET', '/runs/cart-v1')).body.id, 400, () => ({
      route: ROUTE,
      withSecondary: true,
      differences: [{ field: 'body.total' }, { field: 'body.total', side: 'secondary' }],
    }));
    expect((await fields('cart-v1')).get('body.total')).toMatchObject({ verdict: 'noise', basis: 'secondary' });
    expect(await total()).toMatchObject({ verdict: 'noise', basis: 'learned' });
  });
});
