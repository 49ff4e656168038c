import type { z } from 'zod';
import { decodeContent, decodeText, findHeader, firstHeaderValue } from '@shadowdiff/core';
import type { presentedCapturedSchema } from './schemas/responses.ts';

const MAX_PRESENTED_BYTES = 4 * 1024 * 1024;

interface Captured {
  headers?: Record<string, string | string[]>;
  body?: { base64: string; size: number; truncated: boolean };
  [key: string]: unknown;
}

/**
 * A captured request or response for people to read: the body decoded to text in its charset (and
 * parsed when JSON) where possible, else left as base64.
 */
export function presentCaptured(value: unknown): z.input<typeof presentedCapturedSchema> {
  const captured = value as Captured | null;
  if (!captured?.body) return captured as z.input<typeof presentedCapturedSchema>;
  const { base64, size, truncated } = captured.body;
  // Every coding of a stacked Content-Encoding (gzip, br, deflate, raw or zlib-wrapped), as the
  // diff engine removes them; a cut body cannot be decompressed and is shown as it is.
  const encoding = truncated ? undefined : findHeader(captured.headers ?? {}, 'content-encoding');
  let text: string | undefined;
  let json: unknown;
  try {
    const decodedBody = decodeContent(Buffer.from(base64, 'base64'), encoding, MAX_PRESENTED_BYTES);
    if (!decodedBody.ok) throw new Error(decodedBody.reason);
    const bytes = decodedBody.bytes;
    // In the charset the diff engine read it in; bytes that are not text in it stay base64.
    const decoded = decodeText(bytes, firstHeaderValue(captured.headers ?? {}, 'content-type'), { fatal: true });
    text = decoded;
    try {
      json = decoded.length > 0 ? JSON.parse(decoded) : undefined;
    } catch {
      json = undefined;
    }
  } catch {
    text = undefined;
  }
  const body = text === undefined ? { encoding: 'base64' as const, base64, size, truncated } : { encoding: 'text' as const, text, ...(json !== undefined ? { json } : {}), size, truncated };
  return { ...captured, body };
}
