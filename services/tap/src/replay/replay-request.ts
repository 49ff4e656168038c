/**
 * A recorded exchange turned into what the tap would send and what it would have captured: the
 * request's header list for the sides, and the recorded response as the primary's answer.
 */
import type { CapturedResponse } from '@shadowdiff/core';
import type { HeaderPairs, RecordedExchange, RecordedResponse } from '@shadowdiff/recordings';
import { base64Of } from '../body-recorder.ts';
import { headersRecord } from '../headers.ts';

/** Headers about one connection or one framing of the body: the sending side sets its own. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'content-length', 'expect']);

/** The raw `[name, value…]` list a side is sent: the recorded headers, the Host first, framing left to the sender. */
export function replayHeaders(exchange: RecordedExchange): string[] {
  const out: string[] = [];
  const recorded = exchange.request.headers.filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase()));
  const hasHost = recorded.some(([name]) => name.toLowerCase() === 'host');
  if (!hasHost && exchange.request.host) out.push('host', exchange.request.host);
  for (const [name, value] of recorded) out.push(name, value);
  return out;
}

/** Headers that describe encoded bytes, wrong once a recording kept the body decoded. */
const ENCODING_HEADERS = new Set(['content-encoding', 'content-length', 'transfer-encoding']);

const rawOf = (pairs: HeaderPairs, drop: Set<string>): string[] => pairs.filter(([name]) => !drop.has(name.toLowerCase())).flatMap(([name, value]) => [name, value]);

/** The recorded response as the primary's answer, its body kept up to `maxBodyBytes` as the tap keeps it. */
export function recordedPrimary(response: RecordedResponse, maxBodyBytes: number): CapturedResponse {
  const kept = response.body.length > maxBodyBytes ? response.body.subarray(0, maxBodyBytes) : response.body;
  return {
    outcome: 'ok',
    status: response.status,
    headers: headersRecord(rawOf(response.headers, response.decoded ? ENCODING_HEADERS : new Set())),
    body: { base64: base64Of(kept), size: response.truncated?.size ?? response.body.length, truncated: response.truncated !== undefined || kept.length < response.body.length },
    latencyMs: response.latencyMs ?? 0,
  };
}
