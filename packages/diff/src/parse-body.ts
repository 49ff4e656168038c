/**
 * Turns a captured body into something comparable, according to its content type.
 */
import { type CapturedResponse, type DecodeResult, decodeContent, decodeText, findHeader, firstHeaderValue, isFormContentType, isJsonContentType, mediaTypeOf } from '@shadowdiff/core';

/** How a body is compared. */
export type BodyFormat = 'json' | 'form' | 'text' | 'bytes';

/** A body ready for comparison. */
export type ParsedBody =
  | { format: 'json' | 'form'; value: unknown; bytes: Buffer; mediaType: string }
  | { format: 'text'; text: string; bytes: Buffer; mediaType: string }
  | { format: 'bytes'; bytes: Buffer; mediaType: string }
  /** Claims JSON but does not parse; `text` is what was read. */
  | { format: 'invalid_json'; text: string; error: string; bytes: Buffer; mediaType: string }
  /** Content coding could not be removed (corrupt, unsupported, or beyond the size bound). */
  | { format: 'undecodable'; error: string; bytes: Buffer; mediaType: string };

/** JSON (see `isJsonContentType`); form; `text/*`; bytes otherwise. */
export function bodyFormatOf(mediaType: string): BodyFormat {
  if (isJsonContentType(mediaType)) return 'json';
  if (isFormContentType(mediaType)) return 'form';
  if (mediaType.startsWith('text/')) return 'text';
  return 'bytes';
}

/**
 * A form body as an object; a key that repeats becomes an array of its values in order. Built
 * with `Object.fromEntries` so a `__proto__` key stays an ordinary member.
 */
export function parseForm(text: string): Record<string, string | string[]> {
  const grouped = new Map<string, string | string[]>();
  for (const [key, value] of new URLSearchParams(text)) {
    const existing = grouped.get(key);
    if (existing === undefined) grouped.set(key, value);
    else if (Array.isArray(existing)) existing.push(value);
    else grouped.set(key, [existing, value]);
  }
  return Object.fromEntries(grouped);
}

/** A body with its content codings removed (or the reason they could not be). */
export interface DecodedBody {
  contentType: string | undefined;
  mediaType: string;
  /** As captured, still encoded. */
  raw: Buffer;
  decoded: DecodeResult;
}

/** Removes the content codings of a response body, bounded by `maxDecodedBytes`. */
export function decodeBody(response: CapturedResponse, maxDecodedBytes: number): DecodedBody {
  const contentType = firstHeaderValue(response.headers, 'content-type');
  const raw = Buffer.from(response.body.base64, 'base64');
  const decoded = decodeContent(raw, findHeader(response.headers, 'content-encoding'), maxDecodedBytes);
  return { contentType, mediaType: mediaTypeOf(contentType), raw, decoded };
}

/** Parses a decoded body by its content type. Never throws on bad input. */
export function parseDecoded(body: DecodedBody): ParsedBody {
  const { contentType, mediaType } = body;
  if (!body.decoded.ok) return { format: 'undecodable', error: body.decoded.reason, bytes: body.raw, mediaType };
  const bytes = body.decoded.bytes;
  const format = bodyFormatOf(mediaType);
  switch (format) {
    case 'json': {
      const text = decodeText(bytes, contentType);
      try {
        return { format, value: JSON.parse(text), bytes, mediaType };
      } catch (error) {
        return { format: 'invalid_json', text, error: (error as Error).message, bytes, mediaType };
      }
    }
    case 'form':
      return { format, value: parseForm(decodeText(bytes, contentType)), bytes, mediaType };
    case 'text':
      return { format, text: decodeText(bytes, contentType), bytes, mediaType };
    default:
      return { format, bytes, mediaType };
  }
}
