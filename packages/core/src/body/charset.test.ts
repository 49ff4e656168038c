import { describe, expect, it } from 'vitest';
import { charsetOf, decodeText } from './charset.ts';

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

  it('throws on bytes that are not text in the charset when asked to, to tell text from binary', () => {
    expect(() => decodeText(Buffer.from([0xff, 0xfe, 0x00, 0xc3]), 'application/octet-stream', { fatal: true })).toThrow(TypeError);
    expect(decodeText(Buffer.from([0x68, 0xe9]), 'text/plain; charset=iso-8859-1', { fatal: true })).toBe('hé');
  });

  it('reads the charset parameter', () => {
    expect(charsetOf('text/html; charset=ISO-8859-1')).toBe('iso-8859-1');
    expect(charsetOf('text/html')).toBeUndefined();
  });
});
