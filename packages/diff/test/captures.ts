/**
 * Captures for the diff engine's tests, described the short way.
 */
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { Capture, CapturedResponse, Outcome } from '@shadowdiff/core';

/** One side's response, described the short way. */
export interface ResponseSpec {
  outcome?: Outcome;
  status?: number | null;
  headers?: Record<string, string | string[]>;
  /** Serialised with JSON.stringify; content-type application/json unless set in headers. */
  json?: unknown;
  /** Sent as UTF-8; content-type text/plain unless set in headers. */
  text?: string;
  /** Sent as is (no default content-type). */
  bytes?: Uint8Array;
  /** Compresses the body and sets content-encoding. */
  encoding?: 'gzip' | 'br' | 'deflate';
  truncated?: boolean;
  latencyMs?: number;
}

export interface CaptureSpec {
  method?: string;
  url?: string;
  primary?: ResponseSpec;
  candidate?: ResponseSpec;
  secondary?: ResponseSpec;
}

const compressors = { gzip: gzipSync, br: brotliCompressSync, deflate: deflateSync };

function hasHeader(headers: Record<string, unknown>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

/** A captured response from a spec: body base64-encoded, headers defaulted. */
export function makeResponse(spec: ResponseSpec = {}): CapturedResponse {
  const headers: Record<string, string | string[]> = { ...spec.headers };
  let body: Buffer = Buffer.alloc(0);
  if (spec.json !== undefined) {
    body = Buffer.from(JSON.stringify(spec.json), 'utf8');
    if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json';
  } else if (spec.text !== undefined) {
    body = Buffer.from(spec.text, 'utf8');
    if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'text/plain; charset=utf-8';
  } else if (spec.bytes !== undefined) {
    body = Buffer.from(spec.bytes);
  }
  if (spec.encoding) {
    body = compressors[spec.encoding](body);
    headers['content-encoding'] = spec.encoding;
  }
  const outcome = spec.outcome ?? 'ok';
  return {
    outcome,
    status: spec.status !== undefined ? spec.status : outcome === 'ok' ? 200 : null,
    headers,
    body: { base64: body.toString('base64'), size: body.length, truncated: spec.truncated ?? false },
    latencyMs: spec.latencyMs ?? 5,
    ...(outcome === 'ok' ? {} : { error: outcome }),
  };
}

/**
 * A capture whose candidate (and secondary, when given) default to copies of the primary, so a
 * test states only what differs.
 */
export function makeCapture(spec: CaptureSpec = {}): Capture {
  const primary = spec.primary ?? {};
  return {
    id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
    run: 'test',
    capturedAt: '2025-01-01T00:00:00.000Z',
    request: {
      method: spec.method ?? 'GET',
      url: spec.url ?? '/items/42',
      headers: {},
      body: { base64: '', size: 0, truncated: false },
    },
    primary: makeResponse(primary),
    candidate: makeResponse(spec.candidate ?? primary),
    ...(spec.secondary ? { secondary: makeResponse(spec.secondary) } : {}),
  };
}
