import { gunzipSync, brotliDecompressSync, inflateSync } from 'node:zlib';

const MAX_PRESENTED_BYTES = 4 * 1024 * 1024;

interface Captured {
  headers?: Record<string, string | string[]>;
  body?: { base64: string; size: number; truncated: boolean };
  [key: string]: unknown;
}

function decode(bytes: Buffer, encoding: string | undefined): Buffer {
  const options = { maxOutputLength: MAX_PRESENTED_BYTES };
  switch (encoding?.toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return gunzipSync(bytes, options);
    case 'br':
      return brotliDecompressSync(bytes, options);
    case 'deflate':
      return inflateSync(bytes, options);
    default:
      return bytes;
  }
}

/**
 * A captured request or response for people to read: the body decoded to text (and parsed when
 * JSON) where possible, else left as base64.
 */
export function presentCaptured(value: unknown): unknown {
  const captured = value as Captured | null;
  if (!captured?.body) return captured;
  const { base64, size, truncated } = captured.body;
  const header = captured.headers?.['content-encoding'];
  const encoding = Array.isArray(header) ? header[0] : header;
  let text: string | undefined;
  let json: unknown;
  try {
    const bytes = decode(Buffer.from(base64, 'base64'), truncated ? undefined : encoding);
    const decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    text = decoded;
    try {
      json = decoded.length > 0 ? JSON.parse(decoded) : undefined;
    } catch {
      json = undefined;
    }
  } catch {
    text = undefined;
  }
  const body = text === undefined ? { encoding: 'base64', base64, size, truncated } : { encoding: 'text', text, ...(json !== undefined ? { json } : {}), size, truncated };
  return { ...captured, body };
}
