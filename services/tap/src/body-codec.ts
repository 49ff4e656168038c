import { brotliCompressSync, brotliDecompressSync, constants, deflateSync, gzipSync, inflateSync, gunzipSync } from 'node:zlib';

/**
 * Decodes a body by its Content-Encoding, inflating at most `maxBytes`; undefined when it cannot
 * (an unknown encoding, corrupt or oversized data).
 */
export function decodeBody(raw: Buffer, encoding: string, maxBytes: number): Buffer | undefined {
  try {
    switch (encoding) {
      case 'identity':
      case '':
        return raw;
      case 'gzip':
      case 'x-gzip':
        return gunzipSync(raw, { maxOutputLength: maxBytes });
      case 'deflate':
        return inflateSync(raw, { maxOutputLength: maxBytes });
      case 'br':
        return brotliDecompressSync(raw, { maxOutputLength: maxBytes });
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

/** Encodes a body again after redaction, fast settings: it is compared decoded, never served. */
export function encodeBody(body: Buffer, encoding: string): Buffer | undefined {
  switch (encoding) {
    case 'identity':
    case '':
      return body;
    case 'gzip':
    case 'x-gzip':
      return gzipSync(body, { level: 1 });
    case 'deflate':
      return deflateSync(body, { level: 1 });
    case 'br':
      return brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } });
    default:
      return undefined;
  }
}
