import { describe, expect, it } from 'vitest';
import { charsetOf, decodeText } from './decode.ts';

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
