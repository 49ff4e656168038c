import { describe, expect, it } from 'vitest';
import { createHeaderFilter } from './compare-headers.ts';
import { compileIgnoredFields } from './ignored-fields.ts';

describe('fields hidden by ignoreField and ignoreHeader rules', () => {
  it('an ignoreField rule hides the fields its globs match', () => {
    const hides = compileIgnoredFields({ name: 'ids', kind: 'ignoreField', fields: ['body.items[*].id', 'body.meta.**'] })!;
    expect(['body.items[*].id', 'body.meta.at', 'body.meta.a.b', 'body.items[*].price', 'body.id'].filter(hides)).toEqual(['body.items[*].id', 'body.meta.at', 'body.meta.a.b']);
  });

  it('an ignoreHeader rule hides header fields only, its `*` anywhere in the name, as the ignoreHeaders option skips them', () => {
    const hides = compileIgnoredFields({ name: 'ids', kind: 'ignoreHeader', headers: ['X-*-Id', 'x-trace-*'] })!;
    const skip = createHeaderFilter(['X-*-Id', 'x-trace-*']);
    const names = ['x-request-id', 'x-trace-id', 'x-trace-', 'x-id', 'x--id', 'x-request-ids', 'a-request-id', 'content-type'];
    const hidden = ['x-request-id', 'x-trace-id', 'x-trace-', 'x--id'];
    expect(names.filter((name) => hides(`header.${name}`))).toEqual(hidden);
    expect(names.filter(skip)).toEqual(hidden);
    expect(hides('body.x-request-id')).toBe(false);
  });

  it('names every field glob that does not compile', () => {
    expect(() => compileIgnoredFields({ name: 'bad', kind: 'ignoreField', fields: ['body.a', 'body.[', ' '] })).toThrow(/fields\[1\]: .*; fields\[2\]: empty field glob/);
  });

  it('a rule that judges values hides no whole field', () => {
    expect(compileIgnoredFields({ name: 'price', kind: 'numericTolerance', field: 'body.price', absolute: 0.01 })).toBeUndefined();
  });
});
