import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { diffExchange } from './diff-exchange.ts';
import { createDiffOptions } from './options.ts';
import { makeCapture, type ResponseSpec } from '../test/captures.ts';
import type { Difference } from './types.ts';

const options = createDiffOptions();
const bodyDiffs = (primary: ResponseSpec, candidate: ResponseSpec): Difference[] =>
  diffExchange(makeCapture({ primary, candidate }), options).differences.filter((d) => d.field.startsWith('body'));
const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');
const d = (field: string, path: string, kind: Difference['kind'], primary?: unknown, other?: unknown): Difference => ({
  side: 'candidate',
  field,
  path,
  kind,
  ...(primary !== undefined ? { primary } : {}),
  ...(other !== undefined ? { other } : {}),
});

describe('body content types', () => {
  it.each<[string, ResponseSpec, ResponseSpec, Difference[]]>([
    [
      'application/json',
      { json: { price: 1 } },
      { json: { price: 2 } },
      [d('body.price', 'body.price', 'changed', 1, 2)],
    ],
    [
      'a +json type with charset',
      { json: { a: 1 }, headers: { 'content-type': 'application/problem+json; charset=utf-8' } },
      { json: { a: 2 }, headers: { 'content-type': 'application/problem+json; charset=utf-8' } },
      [d('body.a', 'body.a', 'changed', 1, 2)],
    ],
    [
      'JSON formatted differently is equal',
      { bytes: Buffer.from('{"a":1,"b":[1,2]}'), headers: { 'content-type': 'application/json' } },
      { bytes: Buffer.from('{\n  "b": [1, 2],\n  "a": 1\n}'), headers: { 'content-type': 'application/json' } },
      [],
    ],
    [
      'form: parsed, repeated keys become arrays',
      { bytes: Buffer.from('a=1&tag=x&tag=y&name=J%C3%BCrgen+M'), headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      { bytes: Buffer.from('a=2&tag=x&tag=z&name=J%C3%BCrgen+M&new=1'), headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      [
        d('body.a', 'body.a', 'changed', '1', '2'),
        d('body.tag[*]', 'body.tag[1]', 'changed', 'y', 'z'),
        d('body.new', 'body.new', 'added', undefined, '1'),
      ],
    ],
    [
      'text: changed, added and removed lines',
      { text: 'one\ntwo\nthree\nfour\n' },
      { text: 'one\nTWO\nthree\ninserted\nfour\n' },
      [d('body.line[*]', 'body.line[2]', 'changed', 'two', 'TWO'), d('body.line[*]', 'body.line[4]', 'added', undefined, 'inserted')],
    ],
    [
      'text: a removed line',
      { text: 'a\nb\nc' },
      { text: 'a\nc' },
      [d('body.line[*]', 'body.line[2]', 'removed', 'b')],
    ],
    [
      'text: only line endings differ',
      { text: 'a\r\nb' },
      { text: 'a\nb' },
      [d('body', 'body', 'changed', 'a\r\nb', 'a\nb')],
    ],
    [
      'other types: size and sha256',
      { bytes: Buffer.from([1, 2, 3]), headers: { 'content-type': 'image/png' } },
      { bytes: Buffer.from([1, 2, 4, 5]), headers: { 'content-type': 'image/png' } },
      [d('body', 'body', 'changed', { size: 3, sha256: sha256(Buffer.from([1, 2, 3])) }, { size: 4, sha256: sha256(Buffer.from([1, 2, 4, 5])) })],
    ],
    [
      'no content type: compared as bytes',
      { bytes: Buffer.from('x') },
      { bytes: Buffer.from('y') },
      [d('body', 'body', 'changed', { size: 1, sha256: sha256('x') }, { size: 1, sha256: sha256('y') })],
    ],
    [
      'different formats: body changed with media types',
      { json: { a: 1 } },
      { text: 'Internal error' },
      [
        d(
          'body',
          'body',
          'changed',
          { mediaType: 'application/json', size: 7, sha256: sha256('{"a":1}') },
          { mediaType: 'text/plain', size: 14, sha256: sha256('Internal error') },
        ),
      ],
    ],
  ])('%s', (_name, primary, candidate, expected) => {
    expect(bodyDiffs(primary, candidate)).toEqual(expected);
  });

  it('caps the number of reported text lines', () => {
    const lines = (prefix: string) => Array.from({ length: 100 }, (_, i) => `${prefix}${i}`).join('\n');
    const diffs = bodyDiffs({ text: lines('a') }, { text: lines('b') });
    expect(diffs).toHaveLength(20);
    expect(diffs[19]).toEqual(d('body.line[*]', 'body.line[20]', 'changed', 'a19', 'b19'));
    const five = diffExchange(makeCapture({ primary: { text: lines('a') }, candidate: { text: lines('b') } }), createDiffOptions({ maxTextLineDiffs: 5 }));
    expect(five.differences).toHaveLength(5);
  });

  it('compares latin1 text by its declared charset', () => {
    const latin1 = { 'content-type': 'text/plain; charset=ISO-8859-1' };
    const diffs = bodyDiffs(
      { bytes: Buffer.from('caf\xe9\nna\xefve', 'latin1'), headers: latin1 },
      { bytes: Buffer.from('caf\xe9\nnaive', 'latin1'), headers: latin1 },
    );
    expect(diffs).toEqual([d('body.line[*]', 'body.line[2]', 'changed', 'naïve', 'naive')]);
  });

  it('equal text in two charsets is equal', () => {
    expect(
      bodyDiffs(
        { bytes: Buffer.from('café', 'latin1'), headers: { 'content-type': 'text/plain; charset=latin1' } },
        { bytes: Buffer.from('café', 'utf8'), headers: { 'content-type': 'text/plain; charset=utf-8' } },
      ),
    ).toEqual([]);
  });
});

describe('body encodings', () => {
  it.each(['gzip', 'br', 'deflate'] as const)('decodes %s before comparing', (encoding) => {
    expect(bodyDiffs({ json: { a: 1, b: 'x' } }, { json: { a: 1, b: 'x' }, encoding })).toEqual([]);
    expect(bodyDiffs({ json: { a: 1 }, encoding }, { json: { a: 2 }, encoding })).toEqual([d('body.a', 'body.a', 'changed', 1, 2)]);
  });

  it('reports a compression bomb as an invalid body without expanding it', () => {
    const bomb = gzipSync(Buffer.alloc(100 * 1000 * 1000));
    const capture = makeCapture({
      primary: { json: { ok: true } },
      candidate: { bytes: bomb, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } },
    });
    const before = process.memoryUsage().arrayBuffers;
    const result = diffExchange(capture, options);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(50 * 1024 * 1024);
    expect(result.differences.filter((x) => x.field === 'body')).toEqual([
      d('body', 'body', 'invalid_body', { size: 11, sha256: sha256('{"ok":true}') }, { error: 'decoded body exceeds 8388608 bytes (gzip)', size: bomb.length }),
    ]);
  });

  it('honours a custom decode bound', () => {
    const small = createDiffOptions({ maxDecodedBytes: 10 });
    const capture = makeCapture({ primary: { json: { a: 'x' } }, candidate: { json: { a: 'long enough' }, encoding: 'gzip' } });
    expect(diffExchange(capture, small).differences.find((x) => x.field === 'body')).toMatchObject({
      kind: 'invalid_body',
      other: { error: 'decoded body exceeds 10 bytes (gzip)' },
    });
  });

  it('the same undecodable bytes on both sides are equal', () => {
    const spec: ResponseSpec = { bytes: Buffer.from('not gzip'), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } };
    expect(bodyDiffs(spec, { ...spec, headers: { ...spec.headers, 'x-other': '1' } })).toEqual([]);
  });
});

describe('invalid and truncated bodies', () => {
  const json = { 'content-type': 'application/json' };

  it('a body claiming JSON that does not parse is an invalid_body difference', () => {
    const diffs = bodyDiffs({ json: { a: 1 } }, { bytes: Buffer.from('{"a":'), headers: json });
    expect(diffs).toEqual([
      d('body', 'body', 'invalid_body', { size: 7, sha256: sha256('{"a":1}') }, {
        error: expect.stringMatching(/^invalid JSON: /),
        size: 5,
        text: '{"a":',
      }),
    ]);
  });

  it('an invalid primary body is reported too', () => {
    const diffs = bodyDiffs({ bytes: Buffer.from('<html>oops'), headers: json }, { json: { a: 1 } });
    expect(diffs).toHaveLength(1);
    expect(diffs[0]).toMatchObject({ kind: 'invalid_body', primary: { size: 10, text: '<html>oops' }, other: { size: 7 } });
  });

  it('two invalid JSON bodies are compared as text', () => {
    expect(bodyDiffs({ bytes: Buffer.from('{oops'), headers: json }, { bytes: Buffer.from('{oops'), headers: json })).toEqual([]);
    expect(bodyDiffs({ bytes: Buffer.from('{oops 1'), headers: json }, { bytes: Buffer.from('{oops 2'), headers: json })).toEqual([
      d('body.line[*]', 'body.line[1]', 'changed', '{oops 1', '{oops 2'),
    ]);
  });

  it.each([
    ['primary', { json: { a: 1 }, truncated: true }, { json: { a: 2 } }],
    ['candidate', { json: { a: 1 } }, { json: { a: 2 }, truncated: true }],
    ['both', { text: 'x', truncated: true }, { text: 'y', truncated: true }],
  ] as [string, ResponseSpec, ResponseSpec][])('does not diff bodies when the %s body is truncated', (_which, primary, candidate) => {
    expect(bodyDiffs(primary, candidate)).toEqual([]);
  });

  it('still compares status and headers when a body is truncated', () => {
    const result = diffExchange(
      makeCapture({ primary: { status: 200, json: { a: 1 }, truncated: true }, candidate: { status: 404, json: { a: 2 } } }),
      options,
    );
    expect(result.differences.map((x) => x.field)).toEqual(['status']);
  });
});
