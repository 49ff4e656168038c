import { brotliCompressSync, constants, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { charsetOf, decodeContent, decodeText } from './decode.ts';

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

describe('decodeText', () => {
  it.each([
    ['application/json', Buffer.from('héllo 😀', 'utf8'), 'héllo 😀'],
    ['text/plain; charset=UTF-8', Buffer.from('héllo', 'utf8'), 'héllo'],
    ['text/plain; charset=iso-8859-1', Buffer.from([0x68, 0xe9, 0x6c, 0x6c, 0x6f]), 'héllo'],
    ['text/plain; charset="latin1"', Buffer.from([0xc4, 0xd6, 0xdc]), 'ÄÖÜ'],
    ['text/plain; charset=no-such-charset', Buffer.from('ok', 'utf8'), 'ok'],
    [undefined, Buffer.from([0xef, 0xbb, 0xbf, 0x61]), 'a'], // BOM dropped
  ])('%s', (contentType, bytes, expected) => {
    expect(decodeText(bytes, contentType)).toBe(expected);
  });

  it('reads the charset parameter', () => {
    expect(charsetOf('text/html; charset=ISO-8859-1')).toBe('iso-8859-1');
    expect(charsetOf('text/html')).toBeUndefined();
  });
});
