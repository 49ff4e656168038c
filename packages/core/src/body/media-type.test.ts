import { describe, expect, it } from 'vitest';
import { isFormContentType, isJsonContentType, mediaTypeOf } from './media-type.ts';

describe('media types', () => {
  it.each([
    ['application/json', true],
    ['Application/JSON; charset=utf-8', true],
    ['text/json', true],
    ['application/problem+json', true],
    ['application/vnd.api+json; charset=utf-8', true],
    ['application/json-seq', false],
    ['application/jsonx', false],
    ['text/plain', false],
    ['', false],
    [undefined, false],
  ])('%s is JSON: %s', (contentType, expected) => {
    expect(isJsonContentType(contentType)).toBe(expected);
  });

  it.each([
    ['application/x-www-form-urlencoded', true],
    ['Application/X-WWW-Form-Urlencoded; charset=utf-8', true],
    ['application/x-www-form-urlencoded-extra', false],
    ['multipart/form-data', false],
    [undefined, false],
  ])('%s is a form: %s', (contentType, expected) => {
    expect(isFormContentType(contentType)).toBe(expected);
  });

  it('reads the media type without parameters, lower case', () => {
    expect(mediaTypeOf(' Text/HTML ; charset=UTF-8')).toBe('text/html');
    expect(mediaTypeOf(undefined)).toBe('');
  });
});
