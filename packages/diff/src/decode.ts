/**
 * Charset decoding of captured bodies (their content codings are removed by `decodeContent` from
 * `@shadowdiff/core` first).
 */
import { TextDecoder } from 'node:util';

/** 8 MiB: the default bound on a decompressed body. */
export const DEFAULT_MAX_DECODED_BYTES = 8 * 1024 * 1024;

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
