/**
 * Property-based tests of route templating: any request target gives a route, ids and query
 * strings never split a route, and configured patterns round-trip. Seeds are left to fast-check.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRoutePattern, pathOf, templateRoute } from './route-templates.ts';

const anyString = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('/', '?', '#', ':', '*', '.', '(', '[', '\\', '{', '}', 'a', '1', '-'), maxLength: 20 }));
const methodArb = fc.oneof(fc.constantFrom('GET', 'get', 'Post', 'DELETE', 'ß', 'ǅ'), fc.string({ maxLength: 6 }));

/** Path segments that are never taken for ids: no digits, no hex-only runs, at most 11 letters. */
const wordArb = fc.string({ unit: fc.constantFrom(...'ghijklmnopqrstuvwxyz-_.'.split('')), minLength: 1, maxLength: 11 });

const HEX = '0123456789abcdefABCDEF'.split('');
const OPAQUE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'.split('');
/** Identifier-like segments of every kind templating recognises. */
const idArb = fc.oneof(
  fc.integer().map(String),
  fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String),
  fc.uuid(),
  fc.string({ unit: fc.constantFrom(...HEX), minLength: 12, maxLength: 40 }),
  fc
    .tuple(fc.string({ unit: fc.constantFrom(...OPAQUE), minLength: 18, maxLength: 40 }), fc.integer({ min: 0, max: 9 }), fc.constantFrom('a', 'Z'))
    .map(([body, digit, letter]) => `${letter}${body}${digit}`),
);

/** A path of words and id slots: `[['users'], null, ['orders']]` is `/users/<id>/orders`. */
const shapeArb = fc.array(fc.option(wordArb, { nil: null }), { minLength: 1, maxLength: 5 });
const fill = (shape: readonly (string | null)[], ids: readonly string[]): string => `/${shape.map((w, i) => w ?? ids[i % ids.length]).join('/')}`;

/** The path part of a route, given the method it was made with. */
const pathOfRoute = (route: string, method: string): string => route.slice(method.toUpperCase().length + 1);

describe('templateRoute', () => {
  it('never throws on any method, target or configured pattern, and always answers the same', () => {
    fc.assert(
      fc.property(methodArb, anyString, fc.array(anyString, { maxLength: 3 }), (method, url, patternTexts) => {
        const patterns = patternTexts.map(compileRoutePattern);
        const route = templateRoute(method, url, patterns);
        expect(route.startsWith(`${method.toUpperCase()} `)).toBe(true);
        expect(templateRoute(method, url, patternTexts.map(compileRoutePattern))).toBe(route);
      }),
      { numRuns: 500 },
    );
  });

  it('the query string and fragment never change the route', () => {
    fc.assert(
      fc.property(methodArb, anyString, anyString, fc.constantFrom('?', '#'), fc.array(anyString, { maxLength: 2 }), (method, url, suffix, mark, patternTexts) => {
        const patterns = patternTexts.map(compileRoutePattern);
        const path = pathOf(url);
        expect(templateRoute(method, `${path}${mark}${suffix}`, patterns)).toBe(templateRoute(method, path, patterns));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every segment but ids, and is idempotent: templating a route path again changes nothing', () => {
    fc.assert(
      fc.property(methodArb, anyString, (method, url) => {
        const route = templateRoute(method, url);
        const templated = pathOfRoute(route, method);
        const original = (pathOf(url) || '/').split('/');
        const segments = templated.split('/');
        expect(segments).toHaveLength(original.length);
        segments.forEach((segment, i) => expect([original[i], '{id}']).toContain(segment));
        expect(templateRoute(method, templated)).toBe(route);
      }),
      { numRuns: 500 },
    );
  });

  it('requests that differ only in their ids share one route, with {id} exactly where the ids were', () => {
    fc.assert(
      fc.property(methodArb, shapeArb, fc.array(idArb, { minLength: 1, maxLength: 3 }), fc.array(idArb, { minLength: 1, maxLength: 3 }), (method, shape, a, b) => {
        const expected = `${method.toUpperCase()} /${shape.map((w) => w ?? '{id}').join('/')}`;
        expect(templateRoute(method, fill(shape, a))).toBe(expected);
        expect(templateRoute(method, `${fill(shape, b)}?page=${a[0]}`)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});

/**
 * Pattern segments: literal text (any characters a path segment holds, regular-expression
 * specials included), `:name`, `*`, and a final `**`.
 *
 * Literal `?` and `#` are left out: `/search?q=:term` compiles but never matches, since patterns
 * are tried on the path with its query string and fragment removed, and the configuration
 * accepts such a pattern without a word (reported, not changed here).
 */
const literalArb = fc.string({ unit: fc.constantFrom('a', 'b', 'z', '.', '(', ')', '[', ']', '+', '$', '^', '|', '\\', '{', '}', '-', '%', '~', ' ', 'é'), minLength: 1, maxLength: 6 }).filter((s) => s !== '*' && s !== '**');
type PatternSegment = { literal: string } | { param: string } | { star: true };
const patternSegmentArb: fc.Arbitrary<PatternSegment> = fc.oneof(
  literalArb.map((literal) => ({ literal })),
  wordArb.map((param) => ({ param })),
  fc.constant({ star: true as const }),
);
/** What a segment of a request path may hold: anything but `/`, `?` and `#`. */
const valueArb = fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !/[/?#]/.test(s));

describe('compileRoutePattern', () => {
  it('round-trips: a path rendered from a pattern is templated back to the pattern, with any query and trailing slash', () => {
    fc.assert(
      fc.property(
        methodArb,
        fc.array(patternSegmentArb, { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        fc.array(valueArb, { minLength: 1, maxLength: 6 }),
        fc.array(valueArb, { maxLength: 3 }),
        fc.boolean(),
        fc.option(anyString, { nil: undefined }),
        (method, segments, globstar, values, rest, slash, query) => {
          const pattern = `/${segments.map((s) => ('literal' in s ? s.literal : 'param' in s ? `:${s.param}` : '*')).join('/')}${globstar ? '/**' : ''}`;
          const compiled = compileRoutePattern(pattern);
          const concrete = segments.map((s, i) => ('literal' in s ? s.literal : values[i % values.length]!));
          const path = `/${concrete.join('/')}${globstar ? `/${rest.join('/')}` : ''}${slash && !globstar ? '/' : ''}`;
          const url = query === undefined ? path : `${path}?${query}`;
          const expected = `${method.toUpperCase()} ${compiled.template}`;
          expect(templateRoute(method, url, [compiled])).toBe(expected);
          // The template, read as a path, is its own route.
          expect(templateRoute(method, compiled.template, [compiled])).toBe(expected);
          expect(compileRoutePattern(pattern)).toEqual(compiled);
        },
      ),
      { numRuns: 500 },
    );
  });
});
