/**
 * Content-Encoding of captured bodies, removed to compare or redact them and applied again after
 * redaction. Decompression is bounded: a body that would expand beyond the limit (a compression
 * bomb) is reported as undecodable, never expanded.
 */
import { brotliCompressSync, brotliDecompressSync, constants, deflateSync, gunzipSync, gzipSync, inflateRawSync, inflateSync } from 'node:zlib';

/** Result of removing the content codings of a body. */
export type DecodeResult = { ok: true; bytes: Buffer } | { ok: false; reason: string };

/** A Content-Encoding header: one value, or the values of repeated header lines. */
export type ContentEncoding = string | readonly string[] | undefined;

/** The codings of a Content-Encoding value, lower case, in the order they were applied; `identity` left out. */
export function contentCodings(contentEncoding: ContentEncoding): string[] {
  if (!contentEncoding) return [];
  const value = typeof contentEncoding === 'string' ? contentEncoding : contentEncoding.join(',');
  return value
    .toLowerCase()
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '' && c !== 'identity');
}

function isOutputTooLarge(error: unknown): boolean {
  return (
    error instanceof RangeError ||
    (error instanceof Error && (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
  );
}

function decodeOne(bytes: Buffer, coding: string, maxOutputLength: number): Buffer {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return gunzipSync(bytes, { maxOutputLength });
    case 'br':
      return brotliDecompressSync(bytes, { maxOutputLength });
    case 'deflate':
      // RFC 9110 says zlib-wrapped, but some servers send raw deflate: accept both.
      try {
        return inflateSync(bytes, { maxOutputLength });
      } catch (error) {
        if (isOutputTooLarge(error)) throw error;
        return inflateRawSync(bytes, { maxOutputLength });
      }
    default:
      throw new Error(`unsupported content-encoding ${JSON.stringify(coding)}`);
  }
}

/**
 * Removes the content codings listed in a Content-Encoding value (`gzip`, `br`, `deflate`, or a
 * comma-separated chain, undone in reverse order), each step bounded by `maxDecodedBytes`.
 */
export function decodeContent(bytes: Buffer, contentEncoding: ContentEncoding, maxDecodedBytes: number): DecodeResult {
  const codings = contentCodings(contentEncoding);
  if (codings.length === 0 || bytes.length === 0) return { ok: true, bytes };
  let current = bytes;
  for (let i = codings.length - 1; i >= 0; i--) {
    try {
      current = decodeOne(current, codings[i]!, maxDecodedBytes);
    } catch (error) {
      if (isOutputTooLarge(error)) {
        return { ok: false, reason: `decoded body exceeds ${maxDecodedBytes} bytes (${codings[i]})` };
      }
      return { ok: false, reason: `cannot decode ${codings[i]}: ${(error as Error).message}` };
    }
  }
  return { ok: true, bytes: current };
}

function encodeOne(bytes: Buffer, coding: string): Buffer | undefined {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return gzipSync(bytes, { level: 1 });
    case 'br':
      return brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } });
    case 'deflate':
      return deflateSync(bytes, { level: 1 });
    default:
      return undefined;
  }
}

/**
 * Applies the codings of a Content-Encoding value again, in order, with the fastest settings: a
 * body encoded again (after redaction) is compared decoded, never served. Undefined when a
 * coding is not supported.
 */
export function encodeContent(bytes: Buffer, contentEncoding: ContentEncoding): Buffer | undefined {
  let current: Buffer | undefined = bytes;
  for (const coding of contentCodings(contentEncoding)) {
    current = encodeOne(current, coding);
    if (current === undefined) return undefined;
  }
  return current;
}
