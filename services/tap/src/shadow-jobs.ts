import type { CapturedBody, CapturedResponse } from '@shadowdiff/core';
import type { Upstream } from './forward';
import { callShadow } from './shadow-call';

/** A mirrored exchange on its way to the shadow side(s): everything the capture needs once the copies have been answered. */
export interface ShadowJob {
  exchangeId: string;
  capturedAt: string;
  requestId: string;
  method: string;
  url: string;
  /** The client's headers as forwarded to the primary (raw list). */
  forward: string[];
  requestBody: CapturedBody;
  /** The request body to send, exactly its bytes. */
  requestBytes: Uint8Array | null;
  primary: CapturedResponse;
}

/** How each shadow side answered a job. */
export interface ShadowResult {
  candidate: CapturedResponse;
  secondary?: CapturedResponse;
}

/** Where copies go. */
export interface ShadowSides {
  candidate: Upstream;
  secondary?: Upstream;
}

/** What every copy shares: the run's marks and the per-call bounds. */
export interface ShadowSettings {
  run: string;
  shadowHostSuffix: boolean;
  shadowTimeoutMs: number;
  maxBodyBytes: number;
}

/** `orders:8000` → `orders-shadow:8000`, as Envoy marks a mirrored Host: the suffix goes before the port. */
export function shadowHost(host: string): string {
  const colon = host.lastIndexOf(':');
  const hasPort = colon > 0 && !host.endsWith(']') && /^\d+$/.test(host.slice(colon + 1));
  return hasPort ? `${host.slice(0, colon)}-shadow${host.slice(colon)}` : `${host}-shadow`;
}

/** Headers for a shadow side: the client's, Host marked `-shadow` when asked, plus the tap's own marks. */
export function shadowHeaders(forward: readonly string[], suffix: boolean, run: string, exchangeId: string): string[] {
  const out = forward.slice();
  if (suffix) {
    for (let i = 0; i < out.length; i += 2) {
      if (out[i]!.length === 4 && out[i]!.toLowerCase() === 'host') out[i + 1] = shadowHost(out[i + 1]!);
    }
  }
  out.push('x-shadowdiff-run', run, 'x-shadowdiff-exchange-id', exchangeId);
  return out;
}

/** Sends the job's copies to the candidate (and secondary) at once; never rejects. */
export async function runShadowJob(job: ShadowJob, sides: ShadowSides, settings: ShadowSettings): Promise<ShadowResult> {
  const headers = shadowHeaders(job.forward, settings.shadowHostSuffix, settings.run, job.exchangeId);
  const body = job.requestBytes;
  const call = (upstream: Upstream): Promise<CapturedResponse> =>
    callShadow(upstream.dispatcher, {
      origin: upstream.origin,
      method: job.method,
      path: job.url,
      headers,
      body,
      timeoutMs: settings.shadowTimeoutMs,
      maxBodyBytes: settings.maxBodyBytes,
    });
  const [candidate, secondary] = await Promise.all([call(sides.candidate), sides.secondary ? call(sides.secondary) : undefined]);
  return secondary ? { candidate, secondary } : { candidate };
}
