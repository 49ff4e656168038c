import { compileRoutePattern } from '@shadowdiff/core';
import { describe, expect, it } from 'vitest';
import { diffExchange } from './diff-exchange.ts';
import { createDiffOptions } from './options.ts';
import { type CaptureSpec, makeCapture, type ResponseSpec } from '../test/captures.ts';
import type { Difference } from './types.ts';

const options = createDiffOptions();
const diffOf = (spec: CaptureSpec) => diffExchange(makeCapture(spec), options);
const candidateDiffs = (primary: ResponseSpec, candidate: ResponseSpec): Difference[] =>
  diffOf({ primary, candidate }).differences;

describe('diffExchange: outcomes and status', () => {
  it('reports nothing when the primary has no usable response', () => {
    expect(diffOf({ primary: { outcome: 'timeout' }, candidate: { json: { a: 1 } } })).toEqual({
      route: 'GET /items/{id}',
      differences: [],
      ignored: [],
    });
  });

  it.each(['timeout', 'refused', 'reset', 'error'] as const)('a candidate %s is one error difference on outcome', (outcome) => {
    expect(candidateDiffs({ json: { a: 1 } }, { outcome })).toEqual([
      { side: 'candidate', field: 'outcome', path: 'outcome', kind: 'error', primary: 'ok', other: outcome },
    ]);
  });

  it('reports a status difference', () => {
    expect(candidateDiffs({ status: 200, json: { a: 1 } }, { status: 500, json: { a: 1 } })).toEqual([
      { side: 'candidate', field: 'status', path: 'status', kind: 'status', primary: 200, other: 500 },
    ]);
  });

  it('compares the secondary too, with side secondary', () => {
    const result = diffOf({
      primary: { json: { a: 1 } },
      candidate: { json: { a: 1 } },
      secondary: { outcome: 'refused' },
    });
    expect(result.differences).toEqual([
      { side: 'secondary', field: 'outcome', path: 'outcome', kind: 'error', primary: 'ok', other: 'refused' },
    ]);
  });

  it('identical responses have no differences', () => {
    expect(diffOf({ primary: { json: { a: [1, { b: 2 }] }, headers: { 'x-v': '1' } } })).toEqual({
      route: 'GET /items/{id}',
      differences: [],
      ignored: [],
    });
  });

  it('templates the route, preferring configured patterns', () => {
    const withPatterns = createDiffOptions({ routePatterns: [compileRoutePattern('/items/:sku')] });
    expect(diffExchange(makeCapture({ url: '/items/42?x=1' }), options).route).toBe('GET /items/{id}');
    expect(diffExchange(makeCapture({ url: '/items/42?x=1' }), withPatterns).route).toBe('GET /items/{sku}');
  });
});

describe('diffExchange: headers', () => {
  it('compares case-insensitively, skips ignored headers, reports added/removed/changed', () => {
    const diffs = candidateDiffs(
      { headers: { 'Content-Type': 'text/plain', 'X-Gone': 'a', 'X-Same': 'v', Date: 'Mon', 'cache-control': 'no-store' } },
      { headers: { 'content-type': 'text/plain', 'x-new': 'b', 'x-same': 'v', date: 'Tue', 'Cache-Control': 'max-age=60' } },
    );
    expect(diffs).toEqual([
      { side: 'candidate', field: 'header.cache-control', path: 'header.cache-control', kind: 'changed', primary: 'no-store', other: 'max-age=60' },
      { side: 'candidate', field: 'header.x-gone', path: 'header.x-gone', kind: 'removed', primary: 'a' },
      { side: 'candidate', field: 'header.x-new', path: 'header.x-new', kind: 'added', other: 'b' },
    ]);
  });

  it('joins multi-valued headers and honours custom ignore lists with a trailing *', () => {
    const custom = createDiffOptions({ ignoreHeaders: ['x-trace-*'] });
    const capture = makeCapture({
      primary: { headers: { vary: ['accept', 'origin'], 'x-trace-id': '1' } },
      candidate: { headers: { vary: 'accept', 'x-trace-id': '2' } },
    });
    expect(diffExchange(capture, custom).differences).toEqual([
      { side: 'candidate', field: 'header.vary', path: 'header.vary', kind: 'changed', primary: 'accept, origin', other: 'accept' },
    ]);
  });

  it('flags a header that differs between two UUIDs as suspected noise', () => {
    const diffs = candidateDiffs(
      { headers: { 'x-correlation': '3f2b8c1e-9a4d-4e1f-8b2a-1c2d3e4f5a6b' } },
      { headers: { 'x-correlation': '00000000-0000-4000-8000-000000000000' } },
    );
    expect(diffs).toEqual([
      {
        side: 'candidate',
        field: 'header.x-correlation',
        path: 'header.x-correlation',
        kind: 'changed',
        primary: '3f2b8c1e-9a4d-4e1f-8b2a-1c2d3e4f5a6b',
        other: '00000000-0000-4000-8000-000000000000',
        suspectedNoise: true,
      },
    ]);
  });
});

describe('diffExchange: JSON difference kinds', () => {
  const body = (field: string, path: string, kind: Difference['kind'], primary?: unknown, other?: unknown): Difference => ({
    side: 'candidate',
    field,
    path,
    kind,
    ...(primary !== undefined ? { primary } : {}),
    ...(other !== undefined ? { other } : {}),
  });

  it.each<[string, unknown, unknown, Difference[]]>([
    ['changed', { a: 1 }, { a: 2 }, [body('body.a', 'body.a', 'changed', 1, 2)]],
    ['added', { a: 1 }, { a: 1, b: true }, [body('body.b', 'body.b', 'added', undefined, true)]],
    ['removed', { a: 1, b: null }, { a: 1 }, [body('body.b', 'body.b', 'removed', null)]],
    ['type_changed number→string', { a: 1 }, { a: '1' }, [body('body.a', 'body.a', 'type_changed', 1, '1')]],
    ['type_changed null→object', { a: null }, { a: { x: 1 } }, [body('body.a', 'body.a', 'type_changed', null, { x: 1 })]],
    ['type_changed array→object', { a: [1] }, { a: { 0: 1 } }, [body('body.a', 'body.a', 'type_changed', [1], { 0: 1 })]],
    ['type_changed at the root', [1], { a: 1 }, [body('body', 'body', 'type_changed', [1], { a: 1 })]],
    ['root scalar changed', 1, 2, [body('body', 'body', 'changed', 1, 2)]],
    [
      'nested array element field',
      { items: [{ price: 1 }, { price: 2 }, { price: 3 }, { price: 4 }] },
      { items: [{ price: 1 }, { price: 2 }, { price: 3 }, { price: 5 }] },
      [body('body.items[*].price', 'body.items[3].price', 'changed', 4, 5)],
    ],
    [
      'array_length plus common-prefix differences',
      { tags: ['a', 'b', 'c'] },
      { tags: ['a', 'x'] },
      [body('body.tags', 'body.tags', 'array_length', 3, 2), body('body.tags[*]', 'body.tags[1]', 'changed', 'b', 'x')],
    ],
    [
      'array_length when the candidate has more',
      { tags: ['a'] },
      { tags: ['a', 'b', 'c'] },
      [body('body.tags', 'body.tags', 'array_length', 1, 3)],
    ],
    [
      'order: same elements, other order',
      { ids: [1, 2, 3, { k: 'v' }] },
      { ids: [{ k: 'v' }, 3, 2, 1] },
      [body('body.ids', 'body.ids', 'order', [1, 2, 3, { k: 'v' }], [{ k: 'v' }, 3, 2, 1])],
    ],
    [
      'root array order',
      [{ a: 1 }, { a: 2 }],
      [{ a: 2 }, { a: 1 }],
      [body('body', 'body', 'order', [{ a: 1 }, { a: 2 }], [{ a: 2 }, { a: 1 }])],
    ],
    [
      'nested arrays',
      { m: [[1, 2], [3]] },
      { m: [[1, 9], [3, 4]] },
      [body('body.m[*][*]', 'body.m[0][1]', 'changed', 2, 9), body('body.m[*]', 'body.m[1]', 'array_length', 1, 2)],
    ],
    [
      'keys that are not identifiers are bracket-quoted',
      { 'a.b': 1, 'x-y': { ' ': 2 } },
      { 'a.b': 2, 'x-y': { ' ': 3 } },
      [body('body["a.b"]', 'body["a.b"]', 'changed', 1, 2), body('body["x-y"][" "]', 'body["x-y"][" "]', 'changed', 2, 3)],
    ],
    [
      'an added empty key (which deep-diff alone misses)',
      { a: 1 },
      { a: 1, '': 0 },
      [body('body[""]', 'body[""]', 'added', undefined, 0)],
    ],
    [
      'unicode keys and values',
      { '😀': 'café', name: '名前' },
      { '😀': 'cafe', name: '名前🎉' },
      [body('body["😀"]', 'body["😀"]', 'changed', 'café', 'cafe'), body('body.name', 'body.name', 'changed', '名前', '名前🎉')],
    ],
    [
      'differences in document order',
      { a: 1, list: [1], z: 1 },
      { a: 2, list: [2], z: 2 },
      [
        body('body.a', 'body.a', 'changed', 1, 2),
        body('body.list[*]', 'body.list[0]', 'changed', 1, 2),
        body('body.z', 'body.z', 'changed', 1, 2),
      ],
    ],
  ])('%s', (_name, primary, candidate, expected) => {
    expect(candidateDiffs({ json: primary }, { json: candidate })).toEqual(expected);
  });

  it('a __proto__ member is compared as data', () => {
    const primary = { headers: { 'content-type': 'application/json' }, bytes: Buffer.from('{"__proto__":{"x":1}}') };
    const candidate = { headers: { 'content-type': 'application/json' }, bytes: Buffer.from('{"__proto__":{"x":2}}') };
    expect(candidateDiffs(primary, candidate)).toEqual([body('body.__proto__.x', 'body.__proto__.x', 'changed', 1, 2)]);
  });

  it('flags suspected noise on volatile values, never hiding them', () => {
    const diffs = candidateDiffs(
      { json: { id: '3f2b8c1e-9a4d-4e1f-8b2a-1c2d3e4f5a6b', at: '2025-01-01T00:00:00Z', ms: 1735689600000, token: 'deadbeef0123456789abcdef', n: 1 } },
      { json: { id: '00000000-0000-4000-8000-000000000000', at: '2025-01-01T00:00:01Z', ms: 1735689600999, token: 'cafebabe9876543210fedcba', n: 2 } },
    );
    expect(diffs.map((d) => [d.field, d.suspectedNoise ?? false])).toEqual([
      ['body.id', true],
      ['body.at', true],
      ['body.ms', true],
      ['body.token', true],
      ['body.n', false],
    ]);
  });

  it('truncates stored values', () => {
    const diffs = candidateDiffs({ json: { s: 'a'.repeat(3000), big: Array.from({ length: 500 }, (_, i) => i) } }, { json: { s: 'b'.repeat(3000), big: { n: 1 } } });
    expect(diffs).toEqual([
      body('body.s', 'body.s', 'changed', `${'a'.repeat(1024)}…[truncated, 3000 chars]`, `${'b'.repeat(1024)}…[truncated, 3000 chars]`),
      body('body.big', 'body.big', 'type_changed', { $truncated: 'array of 500 items' }, { n: 1 }),
    ]);
  });
});

describe('diffExchange: large documents', () => {
  it('handles a document 200 levels deep', () => {
    const nest = (leaf: unknown) => {
      let value: unknown = { leaf };
      for (let i = 0; i < 199; i++) value = i % 2 === 0 ? { n: value } : [value];
      return value;
    };
    const diffs = candidateDiffs({ json: nest(1) }, { json: nest(2) });
    expect(diffs).toHaveLength(1);
    expect(diffs[0]!.kind).toBe('changed');
    expect(diffs[0]!.path).toBe(`body${'.n[0]'.repeat(99)}.n.leaf`);
    expect(diffs[0]!.field).toBe(`body${'.n[*]'.repeat(99)}.n.leaf`);
  });

  it('falls back to a whole-body difference when nesting is too deep to walk', () => {
    const deep = (leaf: number) => `${'['.repeat(20000)}${leaf}${']'.repeat(20000)}`;
    const json = { 'content-type': 'application/json' };
    const diffs = candidateDiffs({ headers: json, bytes: Buffer.from(deep(1)) }, { headers: json, bytes: Buffer.from(deep(2)) });
    expect(diffs).toEqual([
      {
        side: 'candidate',
        field: 'body',
        path: 'body',
        kind: 'changed',
        primary: { size: 40001, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
        other: { size: 40001, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
      },
    ]);
  });

  it('a document too deep to walk that is only written differently has no differences', () => {
    const json = { 'content-type': 'application/json' };
    const compact = `${'['.repeat(20000)}1${']'.repeat(20000)}`;
    const spaced = `${'[ '.repeat(20000)}1${' ]'.repeat(20000)}`;
    expect(candidateDiffs({ headers: json, bytes: Buffer.from(compact) }, { headers: json, bytes: Buffer.from(spaced) })).toEqual([]);
  });

  it('compares an object of 200k members that are objects in linear time', () => {
    // deep-diff matches keys by searching a list: 200k such members took half a minute.
    const members = (changed: number) => Array.from({ length: 200_000 }, (_, i) => `"k${i}":{"v":${i === 123_456 ? changed : i}}`).join(',');
    const json = { 'content-type': 'application/json' };
    const primary = Buffer.from(`{${members(-1)},"gone":{}}`);
    const candidate = Buffer.from(`{${members(-2)},"":{"x":1}}`);
    const start = performance.now();
    const diffs = candidateDiffs({ bytes: primary, headers: json }, { bytes: candidate, headers: json });
    expect(performance.now() - start).toBeLessThan(5_000);
    expect(diffs).toEqual([
      body('body.k123456.v', 'body.k123456.v', 'changed', -1, -2),
      body('body.gone', 'body.gone', 'removed', {}),
      body('body[""]', 'body[""]', 'added', undefined, { x: 1 }),
    ]);
  });

  it('handles an object with 10k keys', () => {
    const wide = (changed: number) => Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i === 7777 ? changed : i]));
    const primary = { ...wide(-1), extra: { deep: 1 } };
    const candidate = wide(-2);
    expect(candidateDiffs({ json: primary }, { json: { ...candidate, added: 'x' } })).toEqual([
      body('body.k7777', 'body.k7777', 'changed', -1, -2),
      body('body.extra', 'body.extra', 'removed', { deep: 1 }),
      body('body.added', 'body.added', 'added', undefined, 'x'),
    ]);
  });

  it('handles an array of 10k elements', () => {
    const list = Array.from({ length: 10_000 }, (_, i) => ({ id: i, v: i }));
    const changed = list.map((e) => (e.id === 9000 ? { ...e, v: 0 } : e));
    expect(candidateDiffs({ json: list }, { json: changed })).toEqual([body('body[*].v', 'body[9000].v', 'changed', 9000, 0)]);
  });
});

function body(field: string, path: string, kind: Difference['kind'], primary?: unknown, other?: unknown): Difference {
  return {
    side: 'candidate',
    field,
    path,
    kind,
    ...(primary !== undefined ? { primary } : {}),
    ...(other !== undefined ? { other } : {}),
  };
}
