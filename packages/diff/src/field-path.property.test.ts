/**
 * Property-based tests of field paths and the glob compilers: field templates, field globs, name
 * and route globs, the ignored-header filter and rule compilation. Seeds are left to fast-check.
 */
import { ConfigError } from '@shadowdiff/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHeaderFilter } from './compare-headers.ts';
import { compileFieldGlob, compileNameGlob, type PathSegment, renderPath, renderTemplate } from './field-path.ts';
import type { RawDifference } from './raw-difference.ts';
import { compileRuleRoute, compileRules } from './rules.ts';
import { parseStoredRules } from './rule-schema.ts';

/** Strings made mostly of the characters globs and regular expressions care about. */
const globish = fc.string({
  unit: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('.', '[', ']', '"', '\\', '*', '*', 'a', 'b', ' ', '$', '(', ')', '?', '+', '^', '|', '{', '}', '/', '=') },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  ),
  maxLength: 16,
});
const anyString = fc.oneof(globish, fc.string(), fc.string({ unit: 'binary' }));

/** Object keys as JSON can carry them, including ones that must be bracket-quoted. */
const keyArb = fc.oneof(
  fc.constantFrom('a', 'price', 'items', '$ref', '_x', 'a.b', 'a b', '', '0', '*', '**', '[*]', 'a]', '"', '\\', 'x"]', '😀', '\n', '\u2028'),
  fc.string({ maxLength: 5 }),
  fc.string({ unit: 'binary', maxLength: 3 }),
  globish,
);
const segmentArb: fc.Arbitrary<PathSegment> = fc.oneof(
  { weight: 3, arbitrary: keyArb },
  { weight: 1, arbitrary: fc.nat(20) },
  { weight: 1, arbitrary: fc.record({ key: fc.constantFrom('id', 'sku'), value: fc.oneof(fc.integer(), fc.string({ maxLength: 3 }), fc.boolean()) }) },
);
/** Segments after the root `body`, as the comparers build them. */
const pathArb = fc.array(segmentArb, { maxLength: 6 });

/** The rendered form of each segment after the root, so that globs can be assembled from them. */
const renderedSegments = (segments: readonly PathSegment[]): string[] =>
  segments.map((s, i) => renderTemplate(['body', ...segments.slice(0, i + 1)]).slice(renderTemplate(['body', ...segments.slice(0, i)]).length));

describe('field templates and field globs', () => {
  it('compiling any string gives an anchored regular expression or a glob error, never a broken expression', () => {
    fc.assert(
      fc.property(anyString, (glob) => {
        let first: RegExp | Error;
        try {
          first = compileFieldGlob(glob);
        } catch (error) {
          first = error as Error;
        }
        if (first instanceof RegExp) {
          expect(first.source.startsWith('^') && first.source.endsWith('$')).toBe(true);
          expect(compileFieldGlob(glob).source).toBe(first.source);
        } else {
          expect(first.constructor).toBe(Error);
          expect(first.message).toMatch(/^(empty field glob|unclosed "\[" in field glob |empty segment in field glob )/);
          expect(() => compileFieldGlob(glob)).toThrow(first.message);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('a field template used as a glob matches itself and no other template', () => {
    fc.assert(
      fc.property(pathArb, pathArb, (a, b) => {
        const template = renderTemplate(['body', ...a]);
        const other = renderTemplate(['body', ...b]);
        const glob = compileFieldGlob(template);
        expect(glob.test(template)).toBe(true);
        expect(glob.test(other)).toBe(template === other);
      }),
      { numRuns: 500 },
    );
  });

  it('a template does not depend on which element an index or key match picks; distinct paths render distinctly', () => {
    fc.assert(
      fc.property(pathArb, pathArb, fc.nat(20), (segments, others, n) => {
        const template = renderTemplate(['body', ...segments]);
        expect(renderTemplate(['body', ...segments.map((s) => (typeof s === 'string' ? s : n))])).toBe(template);
        const hasIndex = segments.some((s) => typeof s !== 'string');
        expect(renderPath(['body', ...segments]) === template).toBe(!hasIndex);
        // A concrete path names one location: two different segment lists never share it.
        expect(renderPath(['body', ...segments]) === renderPath(['body', ...others])).toBe(JSON.stringify(segments) === JSON.stringify(others));
      }),
      { numRuns: 500 },
    );
  });

  it('`*` in place of any one segment matches, `**` in place of any run of segments matches, `body.*` only one level', () => {
    fc.assert(
      fc.property(pathArb, fc.nat(), fc.nat(), (segments, i, j) => {
        const template = renderTemplate(['body', ...segments]);
        const tokens = renderedSegments(segments);
        expect(`body${tokens.join('')}`).toBe(template);
        if (tokens.length > 0) {
          const at = i % tokens.length;
          const star = ['body', ...tokens.slice(0, at), '.*', ...tokens.slice(at + 1)].join('');
          expect(compileFieldGlob(star).test(template)).toBe(true);
        }
        const from = i % (tokens.length + 1);
        const to = from + (j % (tokens.length - from + 1));
        const globstar = ['body', ...tokens.slice(0, from), '.**', ...tokens.slice(to)].join('');
        expect(compileFieldGlob(globstar).test(template)).toBe(true);
        expect(compileFieldGlob('body.**').test(template)).toBe(true);
        expect(compileFieldGlob('**').test(template)).toBe(true);
        expect(compileFieldGlob('body.*').test(template)).toBe(segments.length === 1);
      }),
      { numRuns: 500 },
    );
  });
});

/** Header names as HTTP allows them (tokens), and globs over them with at most one `*`, anywhere. */
const TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'+-.^_`|~".split('');
const headerNameArb = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS, 'x', '-', 'a'), minLength: 1, maxLength: 8 });
const globPartArb = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS, 'x', '-'), maxLength: 4 });
const headerGlobArb = fc
  .tuple(globPartArb, fc.boolean(), fc.oneof(fc.constant(''), globPartArb), fc.constantFrom('', ' ', '\t'), fc.boolean())
  .map(([stem, star, tail, pad, upper]) => `${pad}${upper ? stem.toUpperCase() : stem}${star ? `*${tail}` : ''}${pad}`);
/** A header name sharing a prefix with a glob now and then, so that both outcomes are seen. */
const nameNearGlobArb = fc.tuple(headerGlobArb, headerNameArb, fc.nat(4)).map(([glob, tail, keep]) => `${glob.trim().replace('*', '').slice(0, keep)}${tail}`.toLowerCase());

describe('header names and globs', () => {
  it('the ignored-header filter and name globs never throw and always answer the same', () => {
    fc.assert(
      fc.property(fc.array(anyString, { maxLength: 4 }), anyString, (names, name) => {
        const skip = createHeaderFilter(names);
        expect(skip(name)).toBe(createHeaderFilter(names)(name));
        for (const glob of names) expect(compileNameGlob(glob).test(name)).toBe(compileNameGlob(glob).test(name));
      }),
      { numRuns: 300 },
    );
  });

  it('ignoreHeaders and the ignoreHeader rule agree on names with a `*` anywhere, in any case and padding', () => {
    fc.assert(
      fc.property(fc.array(headerGlobArb, { minLength: 1, maxLength: 3 }), fc.oneof(headerNameArb.map((n) => n.toLowerCase()), nameNearGlobArb), (globs, name) => {
        const skip = createHeaderFilter(globs);
        expect(skip(name)).toBe(globs.some((g) => compileNameGlob(g).test(name)));
        // The union of single-name filters.
        expect(skip(name)).toBe(globs.some((g) => createHeaderFilter([g])(name)));
      }),
      { numRuns: 500 },
    );
  });

  it('a name glob without `*` matches exactly its own name, case-insensitively', () => {
    fc.assert(
      fc.property(headerNameArb, headerNameArb, (a, b) => {
        expect(compileNameGlob(a).test(a.toUpperCase())).toBe(true);
        expect(compileNameGlob(a).test(b)).toBe(a.toLowerCase() === b.toLowerCase());
      }),
      { numRuns: 300 },
    );
  });
});

/** Path segments of templated routes: no `/`, no space. */
const routeSegmentArb = fc.oneof(fc.constantFrom('users', '{id}', 'v1', 'a.b', '(x)', '$', '+', '?'), fc.string({ unit: fc.constantFrom('a', 'b', '.', '{', '}', '(', '[', '\\', '^', '$', '|', '?', '+', '-'), maxLength: 5 }));
const routeArb = fc
  .tuple(fc.constantFrom('GET', 'POST', 'DELETE'), fc.array(routeSegmentArb, { minLength: 1, maxLength: 5 }))
  .map(([method, segments]) => ({ method, segments, route: `${method} /${segments.join('/')}` }));

describe('route globs', () => {
  it('never throw on any string; a route without `*` matches exactly itself', () => {
    fc.assert(
      fc.property(anyString, routeArb, routeArb, (glob, a, b) => {
        expect(compileRuleRoute(glob).source).toBe(compileRuleRoute(glob).source);
        expect(compileRuleRoute(a.route).test(a.route)).toBe(true);
        expect(compileRuleRoute(a.route).test(b.route)).toBe(a.route === b.route);
      }),
      { numRuns: 500 },
    );
  });

  it('`*` stands for the method or one path segment, `**` for any rest of the path', () => {
    fc.assert(
      fc.property(routeArb, fc.nat(), fc.boolean(), (r, i, anyMethod) => {
        const at = i % r.segments.length;
        const method = anyMethod ? '*' : r.method;
        const one = `${method} /${r.segments.map((s, k) => (k === at ? '*' : s)).join('/')}`;
        expect(compileRuleRoute(one).test(r.route)).toBe(true);
        const rest = `${method} /${[...r.segments.slice(0, at), '**'].join('/')}`;
        expect(compileRuleRoute(rest).test(r.route)).toBe(true);
        // One `*` never crosses a `/`: it does not stand for two segments.
        if (r.segments.length >= 2) {
          const shorter = `${method} /${[...r.segments.slice(0, -2), '*'].join('/')}`;
          expect(compileRuleRoute(shorter).test(r.route)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** Values of the wrong type here and there, the way a hand-written config or API call has them. */
const loose = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }, { weight: 1, arbitrary: fc.constant(undefined) });

const ruleArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  {
    weight: 6,
    arbitrary: fc
      .record(
        {
          name: loose(fc.constantFrom('r1', 'r2', 'r3', ' ', '')),
          kind: loose(fc.constantFrom('ignoreField', 'ignoreHeader', 'numericTolerance', 'arrayAsSet', 'arrayKeyedBy', 'equivalentFormat', 'subset', 'other')),
          route: loose(anyString),
          fields: loose(fc.array(loose(anyString), { maxLength: 3 })),
          headers: loose(fc.array(loose(anyString), { maxLength: 3 })),
          field: loose(anyString),
          key: loose(fc.constantFrom('id', '', 'sku')),
          absolute: loose(fc.oneof(fc.double(), fc.constant(-1))),
          relative: loose(fc.double()),
          format: loose(fc.constantFrom('uuid', 'iso-timestamp', 'regex', 'date')),
          pattern: loose(fc.oneof(anyString, fc.constantFrom('(', '[a-', '(?<a>x)(?<a>y)', 'a{2,1}', '\\'))),
        },
        { requiredKeys: [] },
      )
      .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined))),
  },
);

const differenceArb: fc.Arbitrary<RawDifference> = fc.record({
  kind: fc.constantFrom('changed', 'added', 'removed', 'type_changed', 'status'),
  field: fc.oneof(fc.constantFrom('body.a', 'body.items[*].price', 'header.x-a', 'status'), anyString),
  path: fc.constant('body'),
  primary: fc.oneof(fc.double(), fc.string({ maxLength: 6 })),
  other: fc.oneof(fc.double(), fc.string({ maxLength: 6 })),
  member: fc.boolean(),
});

describe('rule compilation', () => {
  it('any list of rules parses and compiles, or fails with one ConfigError naming each bad rule; compiled rules answer deterministically', () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { maxLength: 4 }), fc.oneof(fc.constantFrom('GET /users/{id}', 'POST /a'), anyString), differenceArb, (rules, route, difference) => {
        let compiled;
        try {
          compiled = compileRules(parseStoredRules(rules));
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          const { problems } = error as ConfigError;
          expect(problems.length).toBeGreaterThan(0);
          for (const problem of problems) {
            const index = Number(/^rules\[(\d+)\]/.exec(problem)?.[1]);
            expect(index).toBeLessThan(rules.length);
          }
          return;
        }
        const again = compileRules(parseStoredRules(rules));
        for (const side of ['candidate', 'secondary'] as const) {
          expect(compiled.forRoute(route).hiddenBy(difference, side)).toBe(again.forRoute(route).hiddenBy(difference, side));
        }
        expect(compiled.forRoute(route).arrayRules.map((r) => [r.match.source, r.key])).toEqual(again.forRoute(route).arrayRules.map((r) => [r.match.source, r.key]));
      }),
      { numRuns: 500 },
    );
  });
});
