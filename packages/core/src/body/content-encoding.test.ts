import { brotliCompressSync, constants, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { contentCodings, decodeContent, encodeContent } from './content-encoding.ts';

const text = Buffer.from('{"hello":"wörld"}', 'utf8');
const MiB = 1024 * 1024;

describe('decodeContent', () => {
  it.each([
    ['gzip', gzipSync(text)],
    ['x-gzip', gzipSync(text)],
    ['br', brotliCompressSync(text)],
    ['deflate', deflateSync(text)],
    ['deflate', deflateRawSync(text)], // raw deflate, as some servers send it
    ['identity', text],
    ['GZIP', gzipSync(text)],
    ['deflate, gzip', gzipSync(deflateSync(text))],
  ])('%s', (encoding, encoded) => {
    const result = decodeContent(encoded, encoding, 8 * MiB);
    expect(result).toEqual({ ok: true, bytes: text });
  });

  it('undoes codings given on repeated header lines', () => {
    expect(decodeContent(brotliCompressSync(gzipSync(text)), ['gzip', 'br'], MiB)).toEqual({ ok: true, bytes: text });
  });

  it('passes bytes through without a content-encoding', () => {
    expect(decodeContent(text, undefined, 10)).toEqual({ ok: true, bytes: text });
  });

  it.each(['gzip', 'br', 'deflate'] as const)('bounds a %s compression bomb (100 MB of zeros) instead of expanding it', (encoding) => {
    const zeros = Buffer.alloc(100 * 1000 * 1000);
    const bomb = encoding === 'gzip' ? gzipSync(zeros) : encoding === 'br'
          ? brotliCompressSync(zeros, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } })
          : deflateSync(zeros);
    expect(bomb.length).toBeLessThan(200_000);
    const result = decodeContent(bomb, encoding, 8 * MiB);
    expect(result).toEqual({ ok: false, reason: `decoded body exceeds ${8 * MiB} bytes (${encoding})` });
  });

  it('reports corrupt and unsupported codings', () => {
    expect(decodeContent(Buffer.from('not gzip'), 'gzip', MiB)).toMatchObject({ ok: false, reason: expect.stringMatching(/^cannot decode gzip: /) });
    expect(decodeContent(text, 'zstd', MiB)).toEqual({
      ok: false,
      reason: 'cannot decode zstd: unsupported content-encoding "zstd"',
    });
  });
});

describe('encodeContent', () => {
  it.each(['gzip', 'x-gzip', 'br', 'deflate', 'identity', '', 'deflate, gzip', 'GZIP, br'])('%s round-trips through decodeContent', (encoding) => {
    const encoded = encodeContent(text, encoding);
    expect(encoded).toBeDefined();
    expect(decodeContent(encoded!, encoding, MiB)).toEqual({ ok: true, bytes: text });
  });

  it('is undefined for a coding it cannot apply', () => {
    expect(encodeContent(text, 'gzip, zstd')).toBeUndefined();
  });

  it('lists the codings in the order they were applied', () => {
    expect(contentCodings(' GZIP , identity,br')).toEqual(['gzip', 'br']);
    expect(contentCodings(['deflate', 'gzip'])).toEqual(['deflate', 'gzip']);
    expect(contentCodings(undefined)).toEqual([]);
  });
});
