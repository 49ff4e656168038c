/**
 * Content-Encoding and charset decoding of captured bodies. Decompression is bounded: a body that
 * would expand beyond the limit (a compression bomb) is reported as undecodable, never expanded.
 */
import { TextDecoder } from 'node:util';
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';

/** 8 MiB: the default bound on a decompressed body. */
export const DEFAULT_MAX_DECODED_BYTES = 8 * 1024 * 1024;

/** Result of removing the content codings of a body. */
export type DecodeResult = { ok: true; bytes: Buffer } | { ok: false; reason: string };

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
export function decodeContent(bytes: Buffer, contentEncoding: string | undefined, maxDecodedBytes: number): DecodeResult {
  if (!contentEncoding || bytes.length === 0) return { ok: true, bytes };
  const codings = contentEncoding
    .toLowerCase()
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '' && c !== 'identity');
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

const utf8 = new TextDecoder('utf-8');
const decoders = new Map<string, TextDecoder | null>();

/** A decoder for a charset label, cached; unknown labels fall back to UTF-8. */
function decoderFor(charset: string): TextDecoder {
  let decoder = decoders.get(charset);
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(charset);
    } catch {
      decoder = null;
    }
    // Labels come from response headers: keep the cache bounded.
    if (decoders.size < 64) decoders.set(charset, decoder);
  }
  return decoder ?? utf8;
}

/** The charset parameter of a Content-Type value, lower case, or undefined. */
export function charsetOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return match?.[1]?.toLowerCase();
}

/**
 * Bytes to text in the charset of the Content-Type (UTF-8 by default; any WHATWG label such as
 * `iso-8859-1`/`latin1` works). Invalid sequences become U+FFFD; a BOM is dropped.
 */
export function decodeText(bytes: Uint8Array, contentType: string | undefined): string {
  const charset = charsetOf(contentType);
  const decoder = charset === undefined || charset === 'utf-8' || charset === 'utf8' ? utf8 : decoderFor(charset);
  return decoder.decode(bytes);
}
