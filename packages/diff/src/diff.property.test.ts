/**
 * Property-based tests of the diff engine: equality, symmetry, robustness on arbitrary bytes and
 * bounded work on deep or wide documents. Seeds are left to fast-check (printed on failure).
 */
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { type Capture, type CapturedResponse, charsetOf, decodeContent, decodeText, OUTCOMES } from '@shadowdiff/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ArrayRule, canonicalKey, compareJson } from './compare-json.ts';
import { diffExchange } from './diff-exchange.ts';
import { compileFieldGlob } from './field-path.ts';
import { createDiffOptions, DEFAULT_IGNORED_HEADERS } from './options.ts';
import { decodeBody, parseDecoded } from './parse-body.ts';
import type { RawDifference } from './raw-difference.ts';
import { makeCapture } from '../test/captures.ts';
import { type Difference, DIFFERENCE_KINDS, type DiffOptions } from './types.ts';

// ---------------------------------------------------------------------------------------------
// Arbitraries

/** Object keys, with the ones that have tripped JSON walkers before. */
const keyArb = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 5 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) },
  { weight: 3, arbitrary: fc.constantFrom('', '__proto__', 'constructor', 'toString', 'a.b', '[*]', '0', 'id', 'a', 'b', ' ', '😀', '"', '\\') },
);

/** Scalars from a small domain too, so that equal values meet by chance. */
const scalarArb = fc.oneof(
  fc.constantFrom(null, true, false, 0, 1, -1, 'a', 'b', ''),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
);

/** A value exactly as `JSON.parse` gives it (own `__proto__` members, no -0). */
const asParsed = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

type Json = unknown;
type Pair = [Json, Json];

const { json: rawJsonArb } = fc.letrec<{ json: Json; array: Json[]; object: Record<string, Json> }>((tie) => ({
  json: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalarArb, tie('array'), tie('object')),
  array: fc.array(tie('json'), { maxLength: 5 }),
  object: fc.uniqueArray(fc.tuple(keyArb, tie('json')), { maxLength: 5, selector: ([k]) => k }).map((entries) => Object.fromEntries(entries)),
}));
const jsonArb = rawJsonArb.map(asParsed);

type Member = { both: Pair } | { left: Json } | { right: Json };

function objectPair(entries: readonly [string, Member][], reorder: boolean): Pair {
  const left: [string, Json][] = [];
  const right: [string, Json][] = [];
  for (const [key, member] of entries) {
    if ('both' in member) {
      left.push([key, member.both[0]]);
      right.push([key, member.both[1]]);
    } else if ('left' in member) left.push([key, member.left]);
    else right.push([key, member.right]);
  }
  if (reorder) right.reverse();
  return [Object.fromEntries(left), Object.fromEntries(right)];
}

/**
 * Two documents that share structure: equal parts, changed leaves, members and elements on one
 * side only, reordered arrays and objects above the 64 keys where the engine changes strategy.
 */
const { pair: rawPairArb } = fc.letrec<{ pair: Pair; arrayPair: Pair; objectPair: Pair; widePair: Pair }>((tie) => ({
  pair: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    rawJsonArb.map((v): Pair => [v, v]),
    fc.tuple(scalarArb, scalarArb),
    fc.tuple(rawJsonArb, rawJsonArb),
    tie('arrayPair'),
    tie('objectPair'),
    tie('widePair'),
  ),
  arrayPair: fc
    .tuple(fc.array(tie('pair'), { maxLength: 5 }), fc.array(rawJsonArb, { maxLength: 2 }), fc.array(rawJsonArb, { maxLength: 2 }), fc.boolean())
    .map(([pairs, onlyLeft, onlyRight, reverse]): Pair => {
      const right = [...pairs.map((p) => p[1]), ...onlyRight];
      return [[...pairs.map((p) => p[0]), ...onlyLeft], reverse ? right.reverse() : right];
    }),
  objectPair: fc
    .tuple(
      fc.uniqueArray(
        fc.tuple(
          keyArb,
          fc.oneof(
            tie('pair').map((both): Member => ({ both })),
            rawJsonArb.map((left): Member => ({ left })),
            rawJsonArb.map((right): Member => ({ right })),
          ),
        ),
        { maxLength: 6, selector: ([k]) => k },
      ),
      fc.boolean(),
    )
    .map(([entries, reorder]) => objectPair(entries, reorder)),
  widePair: fc
    .tuple(
      fc.uniqueArray(
        fc.tuple(
          fc.oneof(keyArb, fc.nat(200).map((n) => `k${n}`)),
          fc.oneof(
            { weight: 6, arbitrary: scalarArb.map((v): Member => ({ both: [v, v] })) },
            { weight: 2, arbitrary: fc.tuple(scalarArb, scalarArb).map((both): Member => ({ both })) },
            { weight: 1, arbitrary: tie('pair').map((both): Member => ({ both })) },
            { weight: 1, arbitrary: scalarArb.map((left): Member => ({ left })) },
            { weight: 1, arbitrary: scalarArb.map((right): Member => ({ right })) },
          ),
        ),
        { minLength: 60, maxLength: 75, selector: ([k]) => k },
      ),
      fc.boolean(),
    )
    .map(([entries, reorder]) => objectPair(entries, reorder)),
}));
const pairArb = rawPairArb.map(([a, b]): Pair => [asParsed(a), asParsed(b)]);

/** How arrays are compared: index by index, as multisets, or matched by `id`. */
const arrayRulesArb = fc.constantFrom<readonly ArrayRule[]>([], [{ match: compileFieldGlob('body.**') }], [{ match: compileFieldGlob('body.**'), key: 'id' }]);

/** A different but equivalent way of writing the same JSON text. */
interface JsonStyle {
  space: string;
  reverseKeys: boolean;
  exponent: boolean;
  escapeNonAscii: boolean;
}
const styleArb: fc.Arbitrary<JsonStyle> = fc.record({
  space: fc.constantFrom('', ' ', '\n', '\t', '\r\n  '),
  reverseKeys: fc.boolean(),
  exponent: fc.boolean(),
  escapeNonAscii: fc.boolean(),
});

function serialize(value: Json, style: JsonStyle): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return style.exponent ? value.toExponential() : JSON.stringify(value);
  if (typeof value === 'string') {
    const quoted = JSON.stringify(value);
    return style.escapeNonAscii ? quoted.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : quoted;
  }
  const s = style.space;
  if (Array.isArray(value)) return `[${s}${value.map((v) => serialize(v, style)).join(`,${s}`)}${s}]`;
  const object = value as Record<string, Json>;
  const keys = Object.keys(object);
  if (style.reverseKeys) keys.reverse();
  return `{${s}${keys.map((k) => `${serialize(k, style)}${s}:${s}${serialize(object[k], style)}`).join(`,${s}`)}${s}}`;
}

const compressors: Record<string, (bytes: Buffer) => Buffer> = {
  gzip: gzipSync,
  'x-gzip': gzipSync,
  br: brotliCompressSync,
  deflate: deflateSync,
  'deflate-raw': deflateRawSync,
  identity: (bytes) => bytes,
};

/** Applies codings in the order a Content-Encoding header lists them; returns the header too. */
function encode(bytes: Buffer, codings: readonly string[]): { bytes: Buffer; header: string } {
  const out = codings.reduce((current, coding) => compressors[coding]!(current), bytes);
  return { bytes: out, header: codings.map((c) => (c === 'deflate-raw' ? 'deflate' : c)).join(', ') };
}

const codingArb = fc.constantFrom(...Object.keys(compressors));

/** Content types: the ones the engine knows, charsets real and bogus, and anything at all. */
const contentTypeArb = fc.oneof(
  fc.constantFrom(
    'application/json',
    'Application/JSON; charset=UTF-8',
    'application/problem+json; charset=utf-16le',
    'application/json; charset=shift_jis',
    'application/x-www-form-urlencoded',
    'text/plain; charset=iso-8859-1',
    'text/html; charset="utf-16be"',
    'text/csv; charset=no-such-charset',
    'text/',
    'image/png',
    ';charset=',
    '',
  ),
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.tuple(fc.constantFrom('application/json', 'text/plain', 'x/y'), fc.string()).map(([t, p]) => `${t}; charset=${p}`),
);

/** Content-Encoding values: real codings, chains, unknown ones and noise. */
const contentEncodingArb = fc.oneof(
  fc.constantFrom('gzip', 'x-gzip', 'br', 'deflate', 'identity', 'GZIP', ' gzip , br ', 'zstd', 'compress', ',', 'gzip,,identity'),
  fc.array(fc.oneof(fc.constantFrom('gzip', 'br', 'deflate', 'identity'), fc.string({ maxLength: 4 })), { maxLength: 4 }).map((c) => c.join(',')),
  fc.string(),
);

/** Payloads before content coding: JSON, form, text, raw bytes. */
const payloadArb: fc.Arbitrary<Buffer> = fc.oneof(
  jsonArb.map((v) => Buffer.from(JSON.stringify(v))),
  fc.string().map((s) => Buffer.from(s)),
  fc.string({ unit: 'binary' }).map((s) => Buffer.from(s, 'utf16le')),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 })).map((d) => Buffer.from(new URLSearchParams(d).toString())),
);

/** A body and its Content-Encoding: properly encoded, encoded and then cut, or mislabelled. */
const encodedBodyArb: fc.Arbitrary<{ bytes: Buffer; encoding: string | undefined }> = fc.oneof(
  fc.tuple(payloadArb, fc.array(codingArb, { maxLength: 3 })).map(([payload, codings]) => {
    const { bytes, header } = encode(payload, codings);
    return { bytes, encoding: header || undefined };
  }),
  fc.tuple(payloadArb, fc.array(codingArb, { minLength: 1, maxLength: 2 }), fc.nat()).map(([payload, codings, cut]) => {
    const { bytes, header } = encode(payload, codings);
    return { bytes: bytes.subarray(0, cut % (bytes.length + 1)), encoding: header };
  }),
  fc.tuple(payloadArb, fc.option(contentEncodingArb, { nil: undefined })).map(([bytes, encoding]) => ({ bytes, encoding })),
);

const headerNameArb = fc.constantFrom('content-type', 'Content-Type', 'content-encoding', 'Content-Encoding', 'x-a', 'X-A', 'etag', 'vary', 'x-trace-id');
const headerValueArb = fc.oneof(fc.string({ maxLength: 8 }), fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }));

/** Any response a tap could have captured, and some it could not. */
const anyResponseArb: fc.Arbitrary<CapturedResponse> = fc
  .record({
    outcome: fc.oneof({ weight: 5, arbitrary: fc.constant('ok' as const) }, { weight: 1, arbitrary: fc.constantFrom(...OUTCOMES) }),
    status: fc.oneof(fc.constantFrom(200, 404, 500), fc.integer({ min: 100, max: 999 }), fc.constant(null)),
    extraHeaders: fc.dictionary(headerNameArb, headerValueArb, { maxKeys: 3 }),
    contentType: fc.option(fc.oneof(contentTypeArb, fc.array(contentTypeArb, { minLength: 1, maxLength: 2 })), { nil: undefined }),
    body: fc.oneof(
      { weight: 6, arbitrary: encodedBodyArb.map(({ bytes, encoding }) => ({ base64: bytes.toString('base64'), size: bytes.length, encoding })) },
      { weight: 1, arbitrary: fc.string().map((base64) => ({ base64, size: base64.length, encoding: undefined })) },
    ),
    truncated: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  })
  .map(({ outcome, status, extraHeaders, contentType, body, truncated }) => {
    const headers: Record<string, string | string[]> = { ...extraHeaders };
    if (contentType !== undefined) headers['content-type'] = contentType;
    if (body.encoding !== undefined) headers['content-encoding'] = body.encoding;
    return {
      outcome,
      status,
      headers,
      body: { base64: body.base64, size: body.size, truncated },
      latencyMs: 1,
    };
  });

function captureOf(primary: CapturedResponse, candidate: CapturedResponse, secondary?: CapturedResponse): Capture {
  const capture: Capture = { ...makeCapture(), primary, candidate };
  if (secondary) capture.secondary = secondary;
  return capture;
}

const optionsArb = fc.constantFrom<DiffOptions>(
  createDiffOptions(),
  createDiffOptions({ maxDecodedBytes: 64, maxTextLineDiffs: 2, maxValueChars: 8, ignoreHeaders: [] }),
  createDiffOptions({
    rules: [
      { name: 'keyed', kind: 'arrayKeyedBy', field: 'body.**', key: 'id' },
      { name: 'tolerance', kind: 'numericTolerance', field: '**', relative: 0.1 },
      { name: 'format', kind: 'equivalentFormat', field: 'body.*', format: 'regex', pattern: '[a-z]+' },
      { name: 'subset', kind: 'subset' },
      { name: 'ignore', kind: 'ignoreField', fields: ['body.a*', 'header.x-*'] },
    ],
  }),
  createDiffOptions({ rules: [{ name: 'set', kind: 'arrayAsSet', field: 'body.**' }] }),
);

// ---------------------------------------------------------------------------------------------
// Helpers

/** A stable text of a difference, for comparing lists as multisets. */
const keyOf = (d: object): string => canonicalKey(d);
const multiset = (ds: readonly object[]): string[] => ds.map(keyOf).sort();

const MIRRORED_KIND: Readonly<Record<string, string>> = { added: 'removed', removed: 'added' };

/**
 * The difference the swapped comparison reports: `added` and `removed` trade places, every other
 * kind stays, and the two values swap sides.
 */
function mirror<T extends { kind: string; primary?: unknown; other?: unknown }>(d: T): T {
  const { primary, other, ...rest } = d;
  const out = { ...rest, kind: MIRRORED_KIND[d.kind] ?? d.kind } as T;
  if (other !== undefined) out.primary = other;
  if (primary !== undefined) out.other = primary;
  return out;
}

const isLine = (d: Difference): boolean => d.field === 'body.line[*]';
const count = (ds: readonly Difference[], kind: string): number => ds.filter((d) => d.kind === kind).length;

function diffAll(a: Json, b: Json, rules: readonly ArrayRule[]): RawDifference[] {
  const out: RawDifference[] = [];
  compareJson(a, b, ['body'], rules, out);
  return out;
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

/** Every difference is well formed, and what would be stored of it stays small. */
function expectWellFormed(result: ReturnType<typeof diffExchange>): void {
  expect(typeof result.route).toBe('string');
  for (const d of [...result.differences, ...result.ignored]) {
    expect(DIFFERENCE_KINDS).toContain(d.kind);
    expect(['candidate', 'secondary']).toContain(d.side);
    expect(typeof d.field).toBe('string');
    expect(typeof d.path).toBe('string');
    for (const value of [d.primary, d.other]) {
      if (value !== undefined) expect(JSON.stringify(value).length).toBeLessThanOrEqual(16 * 1024);
    }
  }
}

const jsonHeaders = { 'content-type': 'application/json' };
/** Default options that also leave out the headers these tests vary on purpose. */
const bodyOnly = createDiffOptions({ ignoreHeaders: [...DEFAULT_IGNORED_HEADERS, 'content-type', 'content-encoding'], maxTextLineDiffs: 1_000_000 });

// ---------------------------------------------------------------------------------------------

describe('diff engine: equality', () => {
  it('a JSON value compared with a copy of itself has no differences, however arrays are compared', () => {
    fc.assert(
      fc.property(jsonArb, arrayRulesArb, (value, rules) => {
        expect(diffAll(value, asParsed(value), rules)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('a JSON body written differently (spacing, key order, number notation, escapes, charset, coding) has no differences', () => {
    fc.assert(
      fc.property(
        jsonArb,
        styleArb,
        fc.constantFrom('utf-8', 'utf-16le'),
        fc.array(codingArb, { maxLength: 2 }),
        (value, style, charset, codings) => {
          const text = serialize(value, style);
          expect(JSON.parse(text)).toEqual(value);
          const body = encode(Buffer.from(text, charset === 'utf-8' ? 'utf8' : 'utf16le'), codings);
          const headers: Record<string, string> = { 'content-type': `application/json; charset=${charset}` };
          if (body.header) headers['content-encoding'] = body.header;
          const capture = makeCapture({ primary: { json: value }, candidate: { bytes: body.bytes, headers } });
          expect(diffExchange(capture, bodyOnly)).toMatchObject({ differences: [], ignored: [] });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a form body with its keys in another order has no differences', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.string({ maxLength: 4 }), fc.array(fc.string({ maxLength: 4 }), { minLength: 1, maxLength: 3 })), { selector: ([k]) => k, maxLength: 6 }), (entries) => {
        const form = (list: typeof entries): Buffer => Buffer.from(new URLSearchParams(list.flatMap(([k, vs]) => vs.map((v): [string, string] => [k, v]))).toString());
        const headers = { 'content-type': 'application/x-www-form-urlencoded' };
        const capture = makeCapture({ primary: { bytes: form(entries), headers }, candidate: { bytes: form([...entries].reverse()), headers } });
        expect(diffExchange(capture, bodyOnly).differences).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('any captured response compared with itself has no differences', () => {
    fc.assert(
      fc.property(anyResponseArb, optionsArb, (response, options) => {
        const result = diffExchange(captureOf(response, structuredClone(response), structuredClone(response)), options);
        expect(result).toMatchObject({ differences: [], ignored: [] });
      }),
      { numRuns: 300 },
    );
  });
});

describe('diff engine: swapping the two sides', () => {
  // The mirror: `added` <-> `removed`; `changed`, `type_changed`, `array_length`, `order`,
  // `status` and `invalid_body` stay what they are; field, path, member flag and suspected noise
  // stay; the two values swap. `error` is the exception: a failed primary gives nothing at all.
  it('mirrors every JSON difference, whatever the array rules', () => {
    fc.assert(
      fc.property(pairArb, arrayRulesArb, ([a, b], rules) => {
        const forward = diffAll(a, b, rules);
        const backward = diffAll(b, a, rules);
        expect(multiset(backward)).toEqual(multiset(forward.map(mirror)));
        // Equal documents and only they have no differences.
        expect(forward.length === 0).toBe(canonicalKey(a) === canonicalKey(b));
      }),
      { numRuns: 400 },
    );
  });

  it('mirrors whole exchanges: status, headers and bodies of any kind', () => {
    const jsonResponse = fc
      .record({ status: fc.constantFrom(200, 404), headers: fc.dictionary(headerNameArb.filter((h) => !h.startsWith('content')), headerValueArb, { maxKeys: 2 }) })
      .map(({ status, headers }) => ({ status, headers: { ...headers, ...jsonHeaders } }));
    const jsonExchange = fc.tuple(pairArb, jsonResponse, jsonResponse).map(([[a, b], ra, rb]) => [
      makeCapture({ primary: { ...ra, json: a } }).primary,
      makeCapture({ primary: { ...rb, json: b } }).primary,
    ]);
    const anyExchange = fc.tuple(anyResponseArb, anyResponseArb).map(([a, b]) => [
      { ...a, outcome: 'ok' as const },
      { ...b, outcome: 'ok' as const },
    ]);
    fc.assert(
      fc.property(fc.oneof(jsonExchange, anyExchange), optionsArb, ([a, b], base) => {
        // Subset rules are one-sided by design; the rest of the options are used as they are.
        const options = createDiffOptions({ ...base, rules: (base.rules ?? []).filter((r) => r.kind !== 'subset'), maxTextLineDiffs: 1_000_000 });
        const forward = diffExchange(captureOf(a!, b!), options);
        const backward = diffExchange(captureOf(b!, a!), options);
        for (const [f, r] of [
          [forward.differences, backward.differences],
          [forward.ignored, backward.ignored],
        ] as const) {
          expect(multiset(r.filter((d) => !isLine(d)))).toEqual(multiset(f.filter((d) => !isLine(d)).map(mirror)));
          // Text lines are aligned by a longest common subsequence, whose tie-breaks may pair
          // other lines; what any alignment keeps is removed - added = lines(primary) - lines(other).
          const lf = f.filter(isLine);
          const lr = r.filter(isLine);
          expect(lf.length === 0).toBe(lr.length === 0);
          expect(count(lr, 'removed') - count(lr, 'added')).toBe(count(lf, 'added') - count(lf, 'removed'));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a failed primary gives no differences; a failed other side gives one error difference', () => {
    fc.assert(
      fc.property(anyResponseArb, fc.constantFrom(...OUTCOMES.filter((o) => o !== 'ok')), (response, outcome) => {
        const ok = { ...response, outcome: 'ok' as const };
        const failed = { ...response, outcome, status: null };
        expect(diffExchange(captureOf(failed, ok), createDiffOptions()).differences).toEqual([]);
        expect(diffExchange(captureOf(ok, failed), createDiffOptions()).differences).toEqual([
          { side: 'candidate', field: 'outcome', path: 'outcome', kind: 'error', primary: 'ok', other: outcome },
        ]);
      }),
      { numRuns: 50 },
    );
  });
});

describe('diff engine: arbitrary input never throws', () => {
  it('diffExchange returns a well-formed result for any bytes, content type and content-encoding', () => {
    fc.assert(
      fc.property(anyResponseArb, anyResponseArb, fc.option(anyResponseArb, { nil: undefined }), optionsArb, (primary, candidate, secondary, options) => {
        expectWellFormed(diffExchange(captureOf(primary, candidate, secondary), options));
      }),
      { numRuns: 400 },
    );
  });

  it('decodeContent, decodeText, charsetOf, decodeBody and parseDecoded return, never throw', () => {
    fc.assert(
      fc.property(
        anyResponseArb,
        fc.uint8Array({ maxLength: 200 }),
        contentEncodingArb,
        contentTypeArb,
        fc.integer({ min: 1, max: 1 << 20 }),
        (response, bytes, encoding, contentType, bound) => {
          const decoded = decodeContent(Buffer.from(bytes), encoding, bound);
          if (decoded.ok) expect(decoded.bytes.length).toBeLessThanOrEqual(Math.max(bound, bytes.length));
          else expect(decoded.reason).toEqual(expect.any(String));
          expect(typeof decodeText(bytes, contentType)).toBe('string');
          const charset = charsetOf(contentType);
          if (charset !== undefined) expect(charset).toBe(charset.toLowerCase());
          const parsed = parseDecoded(decodeBody(response, bound));
          expect(['json', 'form', 'text', 'bytes', 'invalid_json', 'undecodable']).toContain(parsed.format);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('diff engine: deep and wide documents', () => {
  const TIME_BOUND_MS = 5_000;

  type Step = { array: boolean; sibling: boolean; key: string };
  const stepArb: fc.Arbitrary<Step> = fc.record({ array: fc.boolean(), sibling: fc.boolean(), key: fc.constantFrom('a', 'n', '', 'a.b', '😀') });

  /** `depth` levels of the steps, repeated, around `leaf`; `space` between the tokens. */
  function nested(steps: readonly Step[], depth: number, leaf: string, space: string): string {
    const open: string[] = [];
    const close: string[] = [];
    for (let i = 0; i < depth; i++) {
      const step = steps[i % steps.length]!;
      const sibling = step.sibling ? `0,${space}` : '';
      if (step.array) {
        open.push(`[${space}${sibling}`);
        close.push(`${space}]`);
      } else {
        open.push(`{${space}${step.sibling ? `"x":${space}0,${space}` : ''}${JSON.stringify(step.key)}${space}:${space}`);
        close.push(`${space}}`);
      }
    }
    return `${open.join('')}${leaf}${close.reverse().join('')}`;
  }

  it('10,000 levels of nesting finish in time and report one body difference at most, none when only the spelling differs', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constant(10_000), fc.integer({ min: 1_000, max: 10_000 })),
        fc.array(stepArb, { minLength: 1, maxLength: 3 }),
        fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom<[string, string]>(['1', '1'], ['"x"', '"x"']) },
          { weight: 2, arbitrary: fc.constantFrom<[string, string]>(['1', '2'], ['"x"', '"y"'], ['1', 'null']) },
        ),
        fc.constantFrom(' ', '\n'),
        (depth, steps, [leafA, leafB], space) => {
          const primary = Buffer.from(nested(steps, depth, leafA, ''));
          const candidate = Buffer.from(nested(steps, depth, leafB, space));
          const { value: result, ms } = timed(() =>
            diffExchange(makeCapture({ primary: { bytes: primary, headers: jsonHeaders }, candidate: { bytes: candidate, headers: jsonHeaders } }), bodyOnly),
          );
          expect(ms).toBeLessThan(TIME_BOUND_MS);
          expectWellFormed(result);
          if (leafA === leafB) expect(result.differences).toEqual([]);
          else {
            expect(result.differences).toHaveLength(1);
            expect(['changed', 'type_changed']).toContain(result.differences[0]!.kind);
          }
        },
      ),
      { numRuns: 6 },
    );
  }, 60_000);

  type Mutation = { kind: 'change' | 'swap' | 'grow' | 'shrink'; at: number; to: number };
  const mutationArb: fc.Arbitrary<Mutation> = fc.record({ kind: fc.constantFrom('change', 'swap', 'grow', 'shrink'), at: fc.nat(), to: fc.nat() });
  const elementOf = (shape: 'number' | 'string' | 'object' | 'array', i: number): Json =>
    shape === 'number' ? i : shape === 'string' ? `s${i}` : shape === 'object' ? { id: i, v: i % 7 } : [i, i % 3];

  function mutateArray(list: Json[], mutations: readonly Mutation[], element: (i: number) => Json): Json[] {
    const out = [...list];
    for (const m of mutations) {
      if (m.kind === 'change') out[m.at % out.length] = { changed: m.to };
      else if (m.kind === 'swap') {
        const i = m.at % out.length;
        const j = m.to % out.length;
        [out[i], out[j]] = [out[j], out[i]];
      } else if (m.kind === 'grow') out.push(element(out.length));
      else out.pop();
    }
    return out;
  }

  function mutateObject(object: Record<string, Json>, mutations: readonly Mutation[], element: (i: number) => Json): Record<string, Json> {
    const out = { ...object };
    const keys = Object.keys(object);
    for (const m of mutations) {
      const k = keys[m.at % keys.length]!;
      if (m.kind === 'change') out[k] = { changed: m.to };
      else if (m.kind === 'swap') {
        const other = keys[m.to % keys.length]!;
        [out[k], out[other]] = [out[other], out[k]];
      } else if (m.kind === 'grow') out[`new${m.to}`] = element(m.to);
      else delete out[k];
    }
    return out;
  }

  /** The unmutated documents, built once per shape: building them costs more than diffing them. */
  const wideDocuments = new Map<string, { value: Json; bytes: Buffer }>();
  function wideDocument(container: 'array' | 'object', shape: Parameters<typeof elementOf>[0]): { value: Json; bytes: Buffer } {
    const key = `${container}/${shape}`;
    let document = wideDocuments.get(key);
    if (!document) {
      const value =
        container === 'array'
          ? Array.from({ length: 1_000_000 }, (_, i) => elementOf(shape, i))
          : Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`k${i}`, elementOf(shape, i)]));
      document = { value, bytes: Buffer.from(JSON.stringify(value)) };
      wideDocuments.set(key, document);
    }
    return document;
  }

  it('an array of 1,000,000 elements or an object of 200,000 members finishes in time, with differences bounded by the edits', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('array', 'object'),
        fc.constantFrom('number', 'string', 'object', 'array'),
        fc.array(mutationArb, { maxLength: 3 }),
        fc.constantFrom(0, 1),
        (container, shape, mutations, indent) => {
          const element = (i: number): Json => elementOf(shape, i);
          const primary = wideDocument(container, shape);
          const candidate =
            container === 'array'
              ? mutateArray(primary.value as Json[], mutations, element)
              : mutateObject(primary.value as Record<string, Json>, mutations, element);
          const capture = makeCapture({
            primary: { bytes: primary.bytes, headers: jsonHeaders },
            candidate: { bytes: Buffer.from(JSON.stringify(candidate, null, indent)), headers: jsonHeaders },
          });
          const { value: result, ms } = timed(() => diffExchange(capture, bodyOnly));
          expect(ms).toBeLessThan(TIME_BOUND_MS);
          expectWellFormed(result);
          // A changed element differs in at most two members, a swap in two elements, a length
          // change is one array_length (or one added / removed member).
          expect(result.differences.length).toBeLessThanOrEqual(4 * mutations.length);
          if (mutations.length === 0) expect(result.differences).toEqual([]);
        },
      ),
      { numRuns: 3 },
    );
  }, 120_000);
});
