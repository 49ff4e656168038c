import { describe, expect, it } from 'vitest';
import { findHeader, firstHeaderValue } from './header-values.ts';

describe('header values', () => {
  it('reads the first value of a header, repeated or not, ignoring the case of the name', () => {
    const headers = { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'], 'X-Trace': 't', empty: undefined };
    expect(firstHeaderValue(headers, 'content-type')).toBe('application/json');
    expect(firstHeaderValue(headers, 'set-cookie')).toBe('a=1');
    expect(firstHeaderValue(headers, 'x-trace')).toBe('t');
    expect(firstHeaderValue(headers, 'empty')).toBeUndefined();
    expect(firstHeaderValue(headers, 'missing')).toBeUndefined();
    expect(firstHeaderValue({ 'x-list': [] }, 'x-list')).toBeUndefined();
    expect(findHeader(headers, 'set-cookie')).toEqual(['a=1', 'b=2']);
  });

  it('reads the first value of a header from the pairs of a recorded message, ignoring the case of the name', () => {
    const pairs = [['Host', 'api.example'], ['Set-Cookie', 'a=1'], ['set-cookie', 'b=2']] as const;
    expect(firstHeaderValue(pairs, 'host')).toBe('api.example');
    expect(firstHeaderValue(pairs, 'set-cookie')).toBe('a=1');
    expect(firstHeaderValue(pairs, 'content-length')).toBeUndefined();
  });
});
