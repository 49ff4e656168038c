import { describe, expect, it } from 'vitest';
import { compileFieldGlob, type PathSegment, renderPath, renderTemplate } from './field-path.ts';
import { compileRuleRoute } from './rules.ts';

describe('renderTemplate / renderPath', () => {
  it.each<[PathSegment[], string, string]>([
    [['body'], 'body', 'body'],
    [['body', 'items', 3, 'price'], 'body.items[*].price', 'body.items[3].price'],
    [['body', 'a.b'], 'body["a.b"]', 'body["a.b"]'],
    [['body', '😀', 'x'], 'body["😀"].x', 'body["😀"].x'],
    [['body', '3'], 'body["3"]', 'body["3"]'],
    [['body', ''], 'body[""]', 'body[""]'],
    [['body', 'items', { key: 'id', value: 42 }, 'price'], 'body.items[*].price', 'body.items[id=42].price'],
    [['body', 'items', { key: 'sku', value: 'A-1' }], 'body.items[*]', 'body.items[sku="A-1"]'],
    [['body', 0, 1], 'body[*][*]', 'body[0][1]'],
  ])('%j → %s / %s', (segments, template, path) => {
    expect(renderTemplate(segments)).toBe(template);
    expect(renderPath(segments)).toBe(path);
  });
});

describe('compileFieldGlob', () => {
  it.each([
    ['body.meta.*', 'body.meta.trace', true],
    ['body.meta.*', 'body.meta["a.b"]', true],
    ['body.meta.*', 'body.meta.trace.id', false],
    ['body.meta.*', 'body.meta', false],
    ['body.meta.**', 'body.meta', true],
    ['body.meta.**', 'body.meta.trace.id', true],
    ['body.meta.**', 'body.meta[*].x', true],
    ['body.meta.**', 'body.metadata', false],
    ['body.items[*].price', 'body.items[*].price', true],
    ['body.items[*].price', 'body.items[*].priceCents', false],
    ['body.*.price', 'body.items.price', true],
    ['body.**.price', 'body.a.b[*].price', true],
    ['body.**.price', 'body.price', true],
    ['body.trace*', 'body.traceId', true],
    ['body.trace*', 'body.trace', true],
    ['body.trace*', 'body.trace.id', false],
    ['body["a.b"]', 'body["a.b"]', true],
    ['body["a.b"]', 'body.a.b', false],
    ['header.x-*', 'header.x-request-id', true],
    ['header.*', 'header.content-type', true],
    ['**', 'status', true],
    ['**', 'body["a\u2028b"]', true],
    ['**', 'body["\u2029"].x', true],
    ['*', 'status', true],
    ['*', 'body.a', false],
  ])('%s matches %s: %s', (glob, field, expected) => {
    expect(compileFieldGlob(glob).test(field)).toBe(expected);
  });

  it('rejects malformed globs', () => {
    expect(() => compileFieldGlob('body.items[*')).toThrow(/unclosed/);
    expect(() => compileFieldGlob('body..x')).toThrow(/empty segment/);
    expect(() => compileFieldGlob(' ')).toThrow(/empty/);
  });
});

describe('compileRuleRoute', () => {
  it.each([
    ['GET /users/*', 'GET /users/{id}', true],
    ['GET /users/*', 'GET /users/{id}/orders', false],
    ['GET /users/**', 'GET /users/{id}/orders', true],
    ['* /users/{id}', 'POST /users/{id}', true],
    ['GET /users/{id}', 'GET /users/{id}', true],
    ['GET /users/{id}', 'PUT /users/{id}', false],
  ])('%s matches %s: %s', (glob, route, expected) => {
    expect(compileRuleRoute(glob).test(route)).toBe(expected);
  });
});
