import { brotliCompressSync, brotliDecompressSync, deflateRawSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { CapturedBody, CapturedResponse } from '../capture.ts';
import { compileJsonPath, replaceAtPath } from './json-paths.ts';
import { createRedactor } from './redactor.ts';

const key = Buffer.from('a-test-key-of-32-bytes-----------');
const redactor = createRedactor({ key, headers: ['x-session'], queryParams: ['access_token', 'X-Amz-Signature', 'code'], bodyPaths: ['$.password', '$.card.number', '$.items[*].token', '$..secret'], maxDecodedBytes: 1 << 20 });

const body = (bytes: Buffer, truncated = false): CapturedBody => ({ base64: bytes.toString('base64'), size: bytes.length, truncated });
const response = (headers: Record<string, string | string[]>, bytes: Buffer, truncated = false): CapturedResponse => ({
  outcome: 'ok',
  status: 200,
  headers,
  body: body(bytes, truncated),
  latencyMs: 1,
});
const decoded = (r: CapturedResponse): string => Buffer.from(r.body.base64, 'base64').toString();

describe('query parameters', () => {
  it('replaces the values of named parameters in any case, keeps names, order and the rest as they were', () => {
    const request = { method: 'GET', url: '/files/a.pdf?X-Amz-Credential=kept&x-amz-signature=abc123&ACCESS_TOKEN=t%2B1&page=2&code&flag#frag', headers: {}, body: body(Buffer.alloc(0)) };
    redactor.request(request);
    const hashed = (value: string) => redactor.hash(value);
    expect(request.url).toBe(`/files/a.pdf?X-Amz-Credential=kept&x-amz-signature=${hashed('abc123')}&ACCESS_TOKEN=${hashed('t+1')}&page=2&code=${hashed('')}&flag`);
    expect(request.url).not.toContain('abc123');
  });

  it('leaves URLs without a query, or with malformed escapes, whole and never throws', () => {
    const plain = { method: 'GET', url: '/users/42', headers: {}, body: body(Buffer.alloc(0)) };
    redactor.request(plain);
    expect(plain.url).toBe('/users/42');
    const odd = { method: 'GET', url: '/x?access_token=%E0%A4%A&&=&access_token', headers: {}, body: body(Buffer.alloc(0)) };
    redactor.request(odd);
    expect(odd.url).toBe(`/x?access_token=${redactor.hash('%E0%A4%A')}&&=&access_token=${redactor.hash('')}`);
  });
});

describe('JSON paths', () => {
  it('name keys, every element, indexes, quoted keys and keys at any depth', () => {
    const doc = { a: { b: 1 }, list: [{ t: 1 }, { t: 2 }], 'odd key': 3, deep: { x: [{ s: 1 }, { y: { s: 2 } }] } };
    const mark = () => 'X';
    expect(replaceAtPath(doc, compileJsonPath('$.a.b'), mark)).toBe(1);
    expect(replaceAtPath(doc, compileJsonPath('$.list[*].t'), mark)).toBe(2);
    expect(replaceAtPath(doc, compileJsonPath("$['odd key']"), mark)).toBe(1);
    expect(replaceAtPath(doc, compileJsonPath('$..s'), mark)).toBe(2);
    expect(replaceAtPath(doc, compileJsonPath('$.list[0]'), mark)).toBe(1);
    expect(doc).toEqual({ a: { b: 'X' }, list: ['X', { t: 'X' }], 'odd key': 'X', deep: { x: [{ s: 'X' }, { y: { s: 'X' } }] } });
    expect(() => compileJsonPath('password')).toThrow();
  });
});

describe('redaction', () => {
  it('replaces default and configured headers by a keyed hash, keeping cookie names and auth schemes', () => {
    const headers: Record<string, string | string[]> = {
      authorization: 'Bearer tok-123',
      cookie: 'sid=abc; theme=dark',
      'set-cookie': ['sid=abc; Path=/; HttpOnly', 'theme=dark'],
      'x-api-key': 'k-1',
      'x-session': 's-1',
      'content-type': 'text/plain',
    };
    redactor.request({ method: 'GET', url: '/', headers, body: body(Buffer.alloc(0)) });
    const h = redactor.hash;
    expect(headers).toEqual({
      authorization: `Bearer ${h('tok-123')}`,
      cookie: `sid=${h('abc')}; theme=${h('dark')}`,
      'set-cookie': [`sid=${h('abc')}; Path=/; HttpOnly`, `theme=${h('dark')}`],
      'x-api-key': h('k-1'),
      'x-session': h('s-1'),
      'content-type': 'text/plain',
    });
    expect(JSON.stringify(headers)).not.toMatch(/tok-123|abc|k-1|s-1|dark/);
  });

  it('redacts headers whatever the case of their names (ingested exchanges keep the sender\'s)', () => {
    const headers: Record<string, string | string[]> = { Authorization: 'Bearer tok-123', 'Set-Cookie': ['sid=abc'], 'X-Api-Key': 'k-1', 'Content-Type': 'text/plain' };
    redactor.response({ outcome: 'ok', status: 200, headers, body: body(Buffer.alloc(0)), latencyMs: 1 });
    const h = redactor.hash;
    expect(headers).toEqual({ Authorization: `Bearer ${h('tok-123')}`, 'Set-Cookie': [`sid=${h('abc')}`], 'X-Api-Key': h('k-1'), 'Content-Type': 'text/plain' });
  });

  it('hashes equal secrets equally under one key, differently under another', () => {
    const other = createRedactor({ key: Buffer.from('another-key-another-key'), headers: [], queryParams: [], bodyPaths: [], maxDecodedBytes: 1024 });
    expect(redactor.hash('s3cret')).toBe(redactor.hash('s3cret'));
    expect(redactor.hash('s3cret')).not.toBe(redactor.hash('s3cret2'));
    expect(redactor.hash('s3cret')).not.toBe(other.hash('s3cret'));
    expect(redactor.hash('s3cret')).toMatch(/^redacted:[0-9a-f]{32}$/);
  });

  it('redacts JSON body paths in requests and responses, leaving the rest as it was', () => {
    const doc = { user: 'ada', password: 'hunter2', card: { number: '4111111111111111', exp: '12/30' }, items: [{ token: 't1' }, { token: 't2' }], nested: { secret: 'x' } };
    const r = response({ 'content-type': 'application/json; charset=utf-8' }, Buffer.from(JSON.stringify(doc)));
    redactor.response(r);
    const out = JSON.parse(decoded(r));
    expect(out.user).toBe('ada');
    expect(out.card.exp).toBe('12/30');
    expect(out.password).toBe(redactor.hash('"hunter2"'));
    expect(out.card.number).toBe(redactor.hash('"4111111111111111"'));
    expect(out.items.map((i: { token: string }) => i.token)).toEqual([redactor.hash('"t1"'), redactor.hash('"t2"')]);
    expect(out.nested.secret).toMatch(/^redacted:/);
    expect(decoded(r)).not.toMatch(/hunter2|4111|"t1"|"x"/);
  });

  it('redacts inside gzip and brotli JSON bodies and encodes them again', () => {
    const doc = JSON.stringify({ password: 'hunter2', ok: true });
    const gz = response({ 'content-type': 'application/json', 'content-encoding': 'gzip' }, gzipSync(doc));
    const br = response({ 'content-type': 'application/json', 'content-encoding': 'br' }, brotliCompressSync(doc));
    redactor.response(gz);
    redactor.response(br);
    const fromGz = JSON.parse(gunzipSync(Buffer.from(gz.body.base64, 'base64')).toString());
    const fromBr = JSON.parse(brotliDecompressSync(Buffer.from(br.body.base64, 'base64')).toString());
    expect(fromGz).toEqual({ password: redactor.hash('"hunter2"'), ok: true });
    expect(fromBr).toEqual(fromGz);
  });

  it('redacts inside raw deflate and stacked encodings, and under text/json', () => {
    const doc = JSON.stringify({ password: 'hunter2', ok: true });
    const expected = { password: redactor.hash('"hunter2"'), ok: true };
    const raw = response({ 'content-type': 'application/json', 'content-encoding': 'deflate' }, deflateRawSync(doc));
    const stacked = response({ 'content-type': 'application/json', 'content-encoding': ['gzip', 'br'] }, brotliCompressSync(gzipSync(doc)));
    const textJson = response({ 'content-type': 'text/json; charset=utf-8' }, Buffer.from(doc));
    for (const r of [raw, stacked, textJson]) redactor.response(r);
    expect(JSON.parse(inflateSync(Buffer.from(raw.body.base64, 'base64')).toString())).toEqual(expected);
    expect(JSON.parse(gunzipSync(brotliDecompressSync(Buffer.from(stacked.body.base64, 'base64'))).toString())).toEqual(expected);
    expect(JSON.parse(decoded(textJson))).toEqual(expected);
  });

  it('redacts form bodies by top-level key', () => {
    const form = response({ 'content-type': 'application/x-www-form-urlencoded' }, Buffer.from('user=ada&password=hunter2'));
    redactor.response(form);
    expect(new URLSearchParams(decoded(form)).get('password')).toBe(redactor.hash('"hunter2"'));
    expect(decoded(form)).not.toMatch(/hunter2/);
  });

  it('withholds a JSON body it cannot parse when it may hold a secret, keeps it when it cannot', () => {
    const broken = response({ 'content-type': 'application/json' }, Buffer.from('{"password": "hunter2",'));
    redactor.response(broken);
    expect(broken.body).toMatchObject({ base64: '', truncated: true, withheld: expect.stringMatching(/invalid JSON/) });
    const harmless = response({ 'content-type': 'application/json' }, Buffer.from('{"name": "ada",'));
    redactor.response(harmless);
    expect(decoded(harmless)).toBe('{"name": "ada",');
    const escaped = response({ 'content-type': 'application/json' }, Buffer.from('{"pass\\u0077ord": "hunter2"}'));
    redactor.response(escaped);
    expect(decoded(escaped)).not.toMatch(/hunter2/);
  });

  it('withholds truncated compressed bodies and bodies in encodings it cannot read', () => {
    const gz = gzipSync(JSON.stringify({ password: 'hunter2', pad: 'x'.repeat(5000) }));
    const cut = response({ 'content-type': 'application/json', 'content-encoding': 'gzip' }, gz.subarray(0, 40), true);
    redactor.response(cut);
    expect(cut.body).toMatchObject({ base64: '', truncated: true, withheld: expect.any(String) });
    const zstd = response({ 'content-type': 'application/json', 'content-encoding': 'zstd' }, Buffer.from('whatever'));
    redactor.response(zstd);
    expect(zstd.body.base64).toBe('');
  });

  it('leaves bodies of other types alone', () => {
    const text = response({ 'content-type': 'text/plain' }, Buffer.from('password=hunter2'));
    redactor.response(text);
    expect(decoded(text)).toBe('password=hunter2');
  });
});
