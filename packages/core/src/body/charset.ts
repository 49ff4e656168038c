/**
 * Text from body bytes in the charset their Content-Type names (content codings are removed
 * first, by `decodeContent`): the diff engine compares bodies read this way, and the API shows
 * them read the same way.
 */
import { TextDecoder } from 'node:util';

const lenient = new TextDecoder('utf-8');
const strict = new TextDecoder('utf-8', { fatal: true });
const decoders = new Map<string, TextDecoder | null>();

/** A decoder for a charset label, cached; undefined for a label no decoder knows. */
function decoderFor(charset: string, fatal: boolean): TextDecoder | undefined {
  const key = `${fatal ? 'fatal:' : ''}${charset}`;
  let decoder = decoders.get(key);
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(charset, { fatal });
    } catch {
      decoder = null;
    }
    // Labels come from response headers: keep the cache bounded.
    if (decoders.size < 64) decoders.set(key, decoder);
  }
  return decoder ?? undefined;
}

/** The charset parameter of a Content-Type value, lower case, or undefined. */
export function charsetOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return match?.[1]?.toLowerCase();
}

/** How `decodeText` treats bytes that are not text in the charset. */
export interface DecodeTextOptions {
  /** Throw on an invalid sequence (to tell text from binary) instead of writing U+FFFD. */
  fatal?: boolean;
}

/**
 * Bytes to text in the charset of the Content-Type (UTF-8 by default, and for a label no decoder
 * knows; any WHATWG label such as `iso-8859-1`/`latin1` works). A BOM is dropped. Invalid
 * sequences become U+FFFD, or throw a TypeError with `fatal`.
 */
export function decodeText(bytes: Uint8Array, contentType: string | undefined, options: DecodeTextOptions = {}): string {
  const fatal = options.fatal ?? false;
  const charset = charsetOf(contentType);
  const utf8 = fatal ? strict : lenient;
  const decoder = charset === undefined || charset === 'utf-8' || charset === 'utf8' ? utf8 : (decoderFor(charset, fatal) ?? utf8);
  return decoder.decode(bytes);
}
