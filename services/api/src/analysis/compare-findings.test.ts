import { describe, expect, it } from 'vitest';
import { compareFindings } from './compare-findings.ts';
import type { Finding } from './findings.ts';

interface Spec {
  title: string;
  fields: string[];
  verdict?: Finding['verdict'];
  exchanges: number;
  routeExchanges?: number;
  kind?: Finding['kind'];
  routes?: string[];
}

const finding = ({ title, fields, verdict = 'real', exchanges, routeExchanges = 100, kind = 'changed', routes = ['GET /a'] }: Spec): Finding => ({
  id: title,
  title,
  kind,
  verdict,
  exchanges,
  routes: routes.map((route) => ({ route, exchanges: exchanges / routes.length, rate: exchanges / routes.length / routeExchanges })),
  fields: routes.flatMap((route) => fields.map((field) => ({ route, field, verdict }))),
  folded: [],
  examples: [],
});

describe('comparing the findings of two runs', () => {
  it('names what is new and what is gone, leaving noise out', () => {
    const before = [finding({ title: 'value changed on body.a', fields: ['body.a'], exchanges: 10 }), finding({ title: 'value changed on body.ts', fields: ['body.ts'], verdict: 'noise', exchanges: 100 })];
    const after = [finding({ title: 'status 200 → 500 (body replaced)', fields: ['status'], exchanges: 5, kind: 'status' }), finding({ title: 'value changed on body.id', fields: ['body.id'], verdict: 'noise', exchanges: 100 })];
    const c = compareFindings(before, after);
    expect(c.new.map((f) => f.title)).toEqual(['status 200 → 500 (body replaced)']);
    expect(c.gone.map((f) => f.title)).toEqual(['value changed on body.a']);
    expect(c.changed).toEqual([]);
  });

  it('calls a finding changed when its rate moves by 5 points and a quarter of itself, its verdict flips or its fields change', () => {
    const before = [
      finding({ title: 'value changed on body.a', fields: ['body.a'], exchanges: 5 }),
      finding({ title: 'value changed on body.b', fields: ['body.b'], exchanges: 50 }),
      finding({ title: 'value changed on body.c', fields: ['body.c'], verdict: 'noise', exchanges: 30 }),
      finding({ title: 'value changed on body.d', fields: ['body.d'], exchanges: 30 }),
    ];
    const after = [
      finding({ title: 'value changed on body.a', fields: ['body.a'], exchanges: 20 }),
      finding({ title: 'value changed on body.b', fields: ['body.b'], exchanges: 54 }),
      finding({ title: 'value changed on body.c', fields: ['body.c'], exchanges: 30 }),
      finding({ title: 'value changed on body.d, body.e', fields: ['body.d', 'body.e'], exchanges: 30 }),
    ];
    const c = compareFindings(before, after);
    expect(c.changed.map((x) => [x.sentence, x.before.rate, x.after.rate, x.before.verdict, x.after.verdict, x.fieldsAdded])).toEqual([
      ['value changed on body.a', 0.05, 0.2, 'real', 'real', []],
      ['value changed on body.c', 0.3, 0.3, 'noise', 'real', []],
      ['value changed on body.d, body.e', 0.3, 0.3, 'real', 'real', ['body.e']],
    ]);
    expect(c.new).toEqual([]);
    expect(c.gone).toEqual([]);
  });

  it('matches a finding whatever routes it spans, by its kind and a field in common', () => {
    const before = [
      finding({ title: 'array order changed on body.items (2 routes)', fields: ['body.items'], exchanges: 20, kind: 'order', routes: ['GET /a', 'GET /b'] }),
      finding({ title: 'type number → string on body.total', fields: ['body.total'], exchanges: 10, kind: 'type' }),
    ];
    const after = [
      finding({ title: 'array order changed on body.items', fields: ['body.items'], exchanges: 10, kind: 'order' }),
      finding({ title: 'type number → string on body.total (2 routes)', fields: ['body.total'], exchanges: 20, kind: 'type', routes: ['GET /a', 'GET /b'] }),
    ];
    expect(compareFindings(before, after)).toEqual({ new: [], gone: [], changed: [] });
    // The same field changing in another way is another finding.
    const other = compareFindings(before, [finding({ title: 'field removed: body.total', fields: ['body.total'], exchanges: 10, kind: 'removed' })]);
    expect(other.new.map((f) => f.title)).toEqual(['field removed: body.total']);
    expect(other.gone.map((f) => f.title).sort()).toEqual(['array order changed on body.items (2 routes)', 'type number → string on body.total']);
  });
});
