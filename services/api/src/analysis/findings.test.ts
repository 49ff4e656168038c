import { describe, expect, it } from 'vitest';
import type { DifferenceSample, DifferenceSignature } from '@shadowdiff/store';
import { buildFindings, type FindingInput } from './findings.ts';

const USERS = 'GET /users/{id}';
const ORDERS = 'GET /orders/{id}';

/** `n` exchanges of `route` in which each field of `fields` differed, with the given kinds and values. */
function exchanges(route: string, n: number, fields: Record<string, { kind: string; primary?: (i: number) => unknown; other?: (i: number) => unknown }>, from = 0) {
  const signature: DifferenceSignature = { route, fields: Object.keys(fields).sort(), exchanges: n };
  const samples: DifferenceSample[] = [];
  for (let i = from; i < from + Math.min(n, 5); i++) {
    for (const [field, d] of Object.entries(fields)) samples.push({ route, field, exchangeId: `${route}-${i}`, kind: d.kind, primaryValue: d.primary?.(i) ?? null, otherValue: d.other?.(i) ?? null });
  }
  return { signature, samples };
}

function input(parts: ReturnType<typeof exchanges>[], verdicts: Record<string, string> = {}, routeExchanges: Record<string, number> = { [USERS]: 100, [ORDERS]: 100 }): FindingInput {
  const fields = new Map<string, { route: string; field: string }>();
  for (const p of parts) for (const f of p.signature.fields) fields.set(`${p.signature.route} ${f}`, { route: p.signature.route, field: f });
  return {
    routeExchanges: new Map(Object.entries(routeExchanges)),
    fields: [...fields.values()].map((f) => ({ ...f, verdict: (verdicts[f.field] ?? 'real') as 'real' })),
    signatures: parts.map((p) => p.signature),
    samples: parts.flatMap((p) => p.samples),
  };
}

describe('findings', () => {
  it('groups fields that differ in the same exchanges into one finding', () => {
    const findings = buildFindings(input([exchanges(USERS, 40, { 'header.access-control-allow-origin': { kind: 'added' }, 'header.access-control-allow-methods': { kind: 'added' } })]));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ title: 'headers added: access-control-allow-methods, access-control-allow-origin', kind: 'added', exchanges: 40, routes: [{ route: USERS, exchanges: 40, rate: 0.4 }] });
  });

  it('keeps apart fields of one kind that differ in different exchanges', () => {
    const findings = buildFindings(input([exchanges(USERS, 30, { 'body.a': { kind: 'changed' } }), exchanges(USERS, 30, { 'body.b': { kind: 'changed' } }, 30)]));
    expect(findings.map((f) => f.title).sort()).toEqual(['value changed on body.a', 'value changed on body.b']);
  });

  it('folds the body and header differences of a status change into it', () => {
    const fields = { status: { kind: 'status', primary: () => 200, other: () => 500 }, 'body.error': { kind: 'added' }, 'body.id': { kind: 'removed' }, 'body.name': { kind: 'removed' }, 'header.content-type': { kind: 'changed' } };
    const findings = buildFindings(input([exchanges(USERS, 5, fields), exchanges(USERS, 20, { 'body.name': { kind: 'changed' } }, 5)]));
    expect(findings.map((f) => f.title)).toEqual(['value changed on body.name', 'status 200 → 500 (body replaced)']);
    const status = findings.find((f) => f.kind === 'status')!;
    expect(status.exchanges).toBe(5);
    expect(status.folded.map((f) => f.field)).toEqual(['body.error', 'body.id', 'body.name', 'header.content-type']);
    // body.name also changed outside the failing exchanges: that is its own finding, on those 20.
    expect(findings.find((f) => f.kind === 'changed')!.exchanges).toBe(20);
  });

  it('recognises a rename by equal values, and keeps a removal and an addition with other values apart', () => {
    const email = (i: number) => `user${i}@example.com`;
    const renamed = buildFindings(input([exchanges(USERS, 50, { 'body.email': { kind: 'removed', primary: email }, 'body.emailAddress': { kind: 'added', other: email }, 'body.loyaltyTier': { kind: 'added', other: () => 'gold' } })]));
    expect(renamed.map((f) => f.title).sort()).toEqual(['field added: body.loyaltyTier', 'field renamed body.email → body.emailAddress (same values)']);
    const replaced = buildFindings(input([exchanges(USERS, 50, { 'body.email': { kind: 'removed', primary: email }, 'body.contact': { kind: 'added', other: (i) => `+1-555-${i}` } })]));
    expect(replaced.map((f) => f.title).sort()).toEqual(['field added: body.contact', 'field removed: body.email']);
  });

  it('makes one finding of one signature across routes, a type change whatever its fields', () => {
    const total = { kind: 'type_changed', primary: () => 12.5, other: () => '12.50' };
    const findings = buildFindings(input([exchanges(USERS, 10, { 'body.items[*].total': total }), exchanges(ORDERS, 30, { 'body.total': total })]));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ title: 'type number → string on body.items[*].total, body.total (2 routes)', kind: 'type', exchanges: 40 });
    expect(findings[0]!.routes.map((r) => r.route).sort()).toEqual([ORDERS, USERS]);
    const order = buildFindings(input([exchanges(USERS, 10, { 'body.items': { kind: 'order' } }), exchanges(ORDERS, 10, { 'body.items': { kind: 'order' } })]));
    expect(order.map((f) => f.title)).toEqual(['array order changed on body.items (2 routes)']);
  });

  it('gives a finding the most serious verdict of its fields, real ones first, and keeps noise apart from real changes', () => {
    const findings = buildFindings(
      input([exchanges(USERS, 60, { 'body.state': { kind: 'changed' }, 'body.generatedAt': { kind: 'changed' }, 'body.traceId': { kind: 'changed' } })], { 'body.generatedAt': 'noise', 'body.traceId': 'noise' }),
    );
    expect(findings.map((f) => [f.title, f.verdict])).toEqual([
      ['value changed on body.state', 'real'],
      ['value changed on body.generatedAt, body.traceId', 'noise'],
    ]);
  });

  it('merges a sentence across routes only where its verdict is the same', () => {
    const noise = { 'body.traceId': { kind: 'changed' } };
    const findings = buildFindings({
      ...input([exchanges(USERS, 60, noise), exchanges(ORDERS, 8, noise)]),
      fields: [
        { route: USERS, field: 'body.traceId', verdict: 'noise' },
        { route: ORDERS, field: 'body.traceId', verdict: 'insufficient_data' },
      ],
    });
    expect(findings.map((f) => [f.title, f.verdict, f.routes.map((r) => r.route)])).toEqual([
      ['value changed on body.traceId', 'insufficient_data', [ORDERS]],
      ['value changed on body.traceId', 'noise', [USERS]],
    ]);
  });
});
