import { ConfigError } from '@shadowdiff/core';
import { describe, expect, it } from 'vitest';
import { diffExchange } from './diff-exchange.ts';
import { createDiffOptions } from './options.ts';
import { parseStoredRules } from './rule-schema.ts';
import { withinTolerance } from './rules.ts';
import { type CaptureSpec, makeCapture } from '../test/captures.ts';
import type { DiffRule } from './rule-schema.ts';
import type { ExchangeDiff } from './types.ts';

const run = (rules: DiffRule[], spec: CaptureSpec): ExchangeDiff => diffExchange(makeCapture(spec), createDiffOptions({ rules }));
/** [path, kind] of reported and [path, kind, rule] of ignored differences. */
const summary = (result: ExchangeDiff) => ({
  reported: result.differences.map((d) => [d.path, d.kind]),
  ignored: result.ignored.map((d) => [d.path, d.kind, d.rule]),
});

describe('rules', () => {
  it.each<[string, DiffRule[], CaptureSpec, ReturnType<typeof summary>]>([
    [
      'ignoreField with * and **',
      [{ name: 'meta', kind: 'ignoreField', fields: ['body.meta.*', 'body.debug.**'] }],
      {
        primary: { json: { meta: { at: 1, deep: { x: 1 } }, debug: { a: [1] }, price: 1 } },
        candidate: { json: { meta: { at: 2, deep: { x: 2 } }, debug: { a: [1, 2] }, price: 2 } },
      },
      {
        reported: [['body.meta.deep.x', 'changed'], ['body.price', 'changed']],
        ignored: [['body.meta.at', 'changed', 'meta'], ['body.debug.a', 'array_length', 'meta']],
      },
    ],
    [
      'ignoreField on array element templates',
      [{ name: 'prices', kind: 'ignoreField', fields: ['body.items[*].updatedAt'] }],
      { primary: { json: { items: [{ updatedAt: 1, q: 1 }] } }, candidate: { json: { items: [{ updatedAt: 2, q: 2 }] } } },
      { reported: [['body.items[0].q', 'changed']], ignored: [['body.items[0].updatedAt', 'changed', 'prices']] },
    ],
    [
      'ignoreField can hide status',
      [{ name: 'no-status', kind: 'ignoreField', fields: ['status'] }],
      { primary: { status: 200 }, candidate: { status: 201 } },
      { reported: [], ignored: [['status', 'status', 'no-status']] },
    ],
    [
      'ignoreHeader with a wildcard',
      [{ name: 'tracing', kind: 'ignoreHeader', headers: ['X-Trace-*', 'server-timing'] }],
      {
        primary: { headers: { 'x-trace-id': 'a', 'server-timing': 'db;dur=1', 'x-keep': '1' } },
        candidate: { headers: { 'x-trace-id': 'b', 'server-timing': 'db;dur=2', 'x-keep': '2' } },
      },
      {
        reported: [['header.x-keep', 'changed']],
        ignored: [['header.server-timing', 'changed', 'tracing'], ['header.x-trace-id', 'changed', 'tracing']],
      },
    ],
    [
      'numericTolerance absolute',
      [{ name: 'cents', kind: 'numericTolerance', field: 'body.**.price', absolute: 0.01 }],
      { primary: { json: { price: 10, items: [{ price: 1.005 }, { price: 5 }] } }, candidate: { json: { price: 10.01, items: [{ price: 1 }, { price: 5.5 }] } } },
      {
        reported: [['body.items[1].price', 'changed']],
        ignored: [['body.price', 'changed', 'cents'], ['body.items[0].price', 'changed', 'cents']],
      },
    ],
    [
      'numericTolerance relative',
      [{ name: 'five-percent', kind: 'numericTolerance', field: 'body.total', relative: 0.05 }],
      { primary: { json: { total: 100, other: 100 } }, candidate: { json: { total: 104, other: 104 } } },
      { reported: [['body.other', 'changed']], ignored: [['body.total', 'changed', 'five-percent']] },
    ],
    [
      'numericTolerance does not cover type changes',
      [{ name: 'tol', kind: 'numericTolerance', field: 'body.n', absolute: 10 }],
      { primary: { json: { n: 1 } }, candidate: { json: { n: '1' } } },
      { reported: [['body.n', 'type_changed']], ignored: [] },
    ],
    [
      'arrayAsSet: order ignored, extra and missing elements reported',
      [{ name: 'tags', kind: 'arrayAsSet', field: 'body.tags' }],
      { primary: { json: { tags: ['a', 'b', 'c', 'c'], other: [1, 2] } }, candidate: { json: { tags: ['c', 'd', 'a', 'c'], other: [2, 1] } } },
      {
        reported: [['body.tags[1]', 'removed'], ['body.tags[1]', 'added'], ['body.other', 'order']],
        ignored: [],
      },
    ],
    [
      'arrayAsSet: same elements in another order is equal',
      [{ name: 'set', kind: 'arrayAsSet', field: 'body.**' }],
      { primary: { json: { a: [{ x: 1 }, { x: 2 }], b: [[1, 2], [3]] } }, candidate: { json: { a: [{ x: 2 }, { x: 1 }], b: [[3], [1, 2]] } } },
      { reported: [], ignored: [] },
    ],
    [
      'arrayKeyedBy: elements matched by key',
      [{ name: 'by-id', kind: 'arrayKeyedBy', field: 'body.items', key: 'id' }],
      {
        primary: { json: { items: [{ id: 1, p: 1 }, { id: 42, p: 2 }, { id: 7, p: 3 }] } },
        candidate: { json: { items: [{ id: 42, p: 9 }, { id: 1, p: 1 }, { id: 'new', p: 0 }] } },
      },
      {
        reported: [['body.items[id=42].p', 'changed'], ['body.items[id=7]', 'removed'], ['body.items[id="new"]', 'added']],
        ignored: [],
      },
    ],
    [
      'equivalentFormat uuid',
      [{ name: 'ids', kind: 'equivalentFormat', field: 'body.*.id', format: 'uuid' }],
      {
        primary: { json: { a: { id: '3f2b8c1e-9a4d-4e1f-8b2a-1c2d3e4f5a6b' }, b: { id: '3f2b8c1e-9a4d-4e1f-8b2a-1c2d3e4f5a6b' } } },
        candidate: { json: { a: { id: '00000000-0000-4000-8000-000000000000' }, b: { id: 'not-a-uuid' } } },
      },
      { reported: [['body.b.id', 'changed']], ignored: [['body.a.id', 'changed', 'ids']] },
    ],
    [
      'equivalentFormat iso-timestamp',
      [{ name: 'clock', kind: 'equivalentFormat', field: 'body.at', format: 'iso-timestamp' }],
      { primary: { json: { at: '2025-01-01T00:00:00Z' } }, candidate: { json: { at: '2025-06-01T10:00:00.5+02:00' } } },
      { reported: [], ignored: [['body.at', 'changed', 'clock']] },
    ],
    [
      'equivalentFormat regex (whole value)',
      [{ name: 'ver', kind: 'equivalentFormat', field: 'body.v', format: 'regex', pattern: 'v\\d+' }],
      { primary: { json: { v: 'v1' } }, candidate: { json: { v: 'v2x' } } },
      { reported: [['body.v', 'changed']], ignored: [] },
    ],
    [
      'subset: extra candidate members allowed, missing ones are not',
      [{ name: 'subset', kind: 'subset' }],
      {
        primary: { json: { a: 1, gone: 1, list: [1] }, headers: { 'x-a': '1' } },
        candidate: { json: { a: 1, extra: { x: 1 }, list: [1, 2] }, headers: { 'x-a': '1', 'x-new': '1' } },
      },
      {
        reported: [['header.x-new', 'added'], ['body.gone', 'removed'], ['body.list', 'array_length']],
        ignored: [['body.extra', 'added', 'subset']],
      },
    ],
    [
      'the first matching rule names the ignored difference',
      [
        { name: 'first', kind: 'ignoreField', fields: ['body.a'] },
        { name: 'second', kind: 'ignoreField', fields: ['body.**'] },
      ],
      { primary: { json: { a: 1, b: 1 } }, candidate: { json: { a: 2, b: 2 } } },
      { reported: [], ignored: [['body.a', 'changed', 'first'], ['body.b', 'changed', 'second']] },
    ],
  ])('%s', (_name, rules, spec, expected) => {
    expect(summary(run(rules, spec))).toEqual(expected);
  });

  it('subset applies to the candidate only', () => {
    const result = run([{ name: 'subset', kind: 'subset' }], {
      primary: { json: { a: 1 } },
      candidate: { json: { a: 1, b: 2 } },
      secondary: { json: { a: 1, b: 2 } },
    });
    expect(result.differences.map((d) => [d.side, d.path, d.kind])).toEqual([['secondary', 'body.b', 'added']]);
    expect(result.ignored.map((d) => [d.side, d.path, d.rule])).toEqual([['candidate', 'body.b', 'subset']]);
  });

  it('ignored differences keep their values (truncated) and side', () => {
    const result = run([{ name: 'meta', kind: 'ignoreField', fields: ['body.meta'] }], {
      primary: { json: { meta: 'x'.repeat(2000) } },
      candidate: { json: { meta: 'y' } },
    });
    expect(result.ignored).toEqual([
      { side: 'candidate', field: 'body.meta', path: 'body.meta', kind: 'changed', primary: `${'x'.repeat(1024)}…[truncated, 2000 chars]`, other: 'y', rule: 'meta' },
    ]);
  });

  it('keyed elements without a usable key are compared as a set', () => {
    const result = run([{ name: 'by-id', kind: 'arrayKeyedBy', field: 'body[*]', key: 'id' }], {
      primary: { json: [[{ id: 1, v: 1 }, { v: 'a' }, { id: 2 }, { id: 2, dup: true }]] },
      candidate: { json: [[{ v: 'b' }, { id: 2, dup: true }, { id: 1, v: 2 }, { id: 2 }]] },
    });
    expect(result.differences.map((d) => [d.field, d.path, d.kind])).toEqual([
      ['body[*][*].v', 'body[0][id=1].v', 'changed'],
      ['body[*][*]', 'body[0][1]', 'removed'],
      ['body[*][*]', 'body[0][0]', 'added'],
    ]);
  });

  it('scopes rules to routes', () => {
    const rules: DiffRule[] = [
      { name: 'users-only', kind: 'ignoreField', route: 'GET /users/*', fields: ['body.a'] },
      { name: 'exact', kind: 'arrayAsSet', route: 'GET /orders/{id}', field: 'body.tags' },
    ];
    const spec = (url: string): CaptureSpec => ({ url, primary: { json: { a: 1, tags: [1, 2] } }, candidate: { json: { a: 2, tags: [2, 1] } } });
    const options = createDiffOptions({ rules });
    expect(summary(diffExchange(makeCapture(spec('/users/7')), options))).toEqual({
      reported: [['body.tags', 'order']],
      ignored: [['body.a', 'changed', 'users-only']],
    });
    expect(summary(diffExchange(makeCapture(spec('/orders/9')), options))).toEqual({
      reported: [['body.a', 'changed']],
      ignored: [],
    });
    expect(summary(diffExchange(makeCapture(spec('/users/7/orders')), options)).ignored).toEqual([]);
  });

  it.each<[number, number, number | undefined, number | undefined, boolean]>([
    [100, 101, 1, undefined, true],
    [100, 101.5, 1, undefined, false],
    [100, 110, undefined, 0.1, true],
    [100, 112, undefined, 0.1, false],
    [100, 112, 20, 0.01, true],
    [-5, 5, undefined, 2, true],
    [0, 0.001, undefined, 0.5, false], // relative alone never covers a change from 0
  ])('withinTolerance(%d, %d, abs %s, rel %s) = %s', (a, b, absolute, relative, expected) => {
    expect(withinTolerance(a, b, absolute, relative)).toBe(expected);
  });
});

describe('rule validation', () => {
  it('parseStoredRules lists every problem of the rule language in one ConfigError', () => {
    const stored: unknown = [
      { name: 'a', kind: 'ignoreField', fields: [] },
      { name: 'b', kind: 'numericTolerance', field: 'body.x' },
      { name: 'c', kind: 'numericTolerance', field: 'body.x', absolute: -1 },
      { name: 'e', kind: 'equivalentFormat', field: 'body.x', format: 'date' },
      { name: 'g', kind: 'arrayKeyedBy', field: 'body.items', key: '' },
      { name: 'h', kind: 'nope' },
      { name: '', kind: 'subset' },
      { name: 'r', kind: 'subset', route: ' ' },
      'subset',
      { name: 'ok', kind: 'subset' },
    ];
    let error: unknown;
    try {
      parseStoredRules(stored);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'rules[0] (a): fields: Too small: expected array to have >=1 items',
      'rules[1] (b): give absolute, relative or both',
      'rules[2] (c): absolute: Too small: expected number to be >=0',
      'rules[3] (e): format: Invalid option: expected one of "uuid"|"iso-timestamp"|"regex"',
      'rules[4] (g): key: Too small: expected string to have >=1 characters',
      "rules[5] (h): kind: Invalid discriminator value. Expected 'ignoreField' | 'ignoreHeader' | 'numericTolerance' | 'arrayAsSet' | 'arrayKeyedBy' | 'equivalentFormat' | 'subset'",
      'rules[6] (): name: letters, digits, ".", "_" or "-", at most 100',
      'rules[7] (r): route: must not be blank',
      'rules[8]: Invalid input: expected object, received string',
    ]);
    expect(() => parseStoredRules({ rules: [] })).toThrow(/rules: Invalid input: expected array/);
    expect(parseStoredRules([{ name: 'ok', kind: 'subset' }])).toEqual([{ name: 'ok', kind: 'subset' }]);
  });

  it('lists what only compiling finds in one ConfigError, with the problems of the other options', () => {
    const rules: DiffRule[] = [
      { name: 'a', kind: 'subset' },
      { name: 'a', kind: 'arrayAsSet', field: 'body.x' },
      { name: 'd', kind: 'equivalentFormat', field: 'body.x', format: 'regex', pattern: '(' },
      { name: 'f', kind: 'arrayKeyedBy', field: 'body.items[', key: 'id' },
      { name: 'i', kind: 'ignoreField', fields: ['body.a', 'body..b'] },
    ];
    let error: unknown;
    try {
      createDiffOptions({ rules, maxDecodedBytes: 0 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'maxDecodedBytes must be a positive integer',
      'rules[1] (a): duplicate name "a"',
      'rules[2] (d): pattern: Invalid regular expression: /^(?:()$/: Unterminated group',
      'rules[3] (f): field: unclosed "[" in field glob "body.items["',
      'rules[4] (i): fields[1]: empty segment in field glob "body..b"',
    ]);
  });

  it('accepts a valid rule set and freezes the options', () => {
    const options = createDiffOptions({ rules: [{ name: 'ok', kind: 'subset' }] });
    expect(Object.isFrozen(options)).toBe(true);
    expect(options.maxDecodedBytes).toBe(8 * 1024 * 1024);
    expect(options.ignoreHeaders).toContain('date');
  });

  it('options built by hand are compiled on first use', () => {
    const result = diffExchange(makeCapture({ primary: { json: { a: 1 } }, candidate: { json: { a: 2 } } }), {
      ignoreHeaders: [],
      rules: [{ name: 'x', kind: 'ignoreField', fields: ['body.a'] }],
    });
    expect(result.ignored.map((d) => d.rule)).toEqual(['x']);
  });
});
