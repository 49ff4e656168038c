import { shadowHost, type CapturedResponse } from '@shadowdiff/core';
import type { RecordedAnswer, Upstream } from '../forward.ts';
import { callShadow } from './shadow-call.ts';

/**
 * A mirrored exchange on its way to the shadow side(s): everything the capture needs once the
 * copies have been answered, as raw as the client's path recorded it (the capture is encoded on
 * the shadow side).
 */
export interface ShadowJob {
  exchangeId: string;
  /** When the client's request arrived (Unix milliseconds). */
  capturedAtMs: number;
  requestId: string;
  method: string;
  url: string;
  /** The client's headers as forwarded to the primary (raw list). */
  forward: string[];
  /** The request body, exactly its bytes (a request whose body was cut is never mirrored). */
  requestBody: Uint8Array | null;
  primary: RecordedAnswer;
}

/** How each shadow side answered a job. */
export interface ShadowResult {
  candidate: CapturedResponse;
  secondary?: CapturedResponse;
  /** Set when the secondary answer is a control copy's (the primary's second answer). */
  control?: true;
}

/** Where copies go. */
export interface ShadowSides {
  candidate: Upstream;
  secondary?: Upstream;
  /** Without a secondary: the primary, and the share (0–1) of safe copies also sent to it as controls. */
  control?: { upstream: Upstream; share: number };
}

/** Methods a control copy may repeat on the primary: they change nothing there. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The header that marks a control copy, so the primary's logs and metrics can tell it apart. */
export const CONTROL_HEADER = 'x-shadowdiff-control';

/**
 * Whether this exchange gets a control copy: safe methods only, a share of them chosen by the
 * exchange id (its random tail), so the decision is the same wherever it is made.
 */
export function takesControlCopy(job: Pick<ShadowJob, 'method' | 'exchangeId'>, share: number): boolean {
  if (share <= 0 || !SAFE_METHODS.has(job.method.toUpperCase())) return false;
  const tail = Number.parseInt(job.exchangeId.replaceAll('-', '').slice(-8), 16);
  return Number.isFinite(tail) && tail / 0x1_0000_0000 < share;
}

/** What every copy shares: the run's marks and the per-call bounds. */
export interface ShadowSettings {
  run: string;
  shadowHostSuffix: boolean;
  shadowTimeoutMs: number;
  maxBodyBytes: number;
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
  const body = job.requestBody;
  const call = (upstream: Upstream, withHeaders: string[] = headers): Promise<CapturedResponse> =>
    callShadow(upstream.dispatcher, {
      origin: upstream.origin,
      method: job.method,
      path: job.url,
      headers: withHeaders,
      body,
      timeoutMs: settings.shadowTimeoutMs,
      maxBodyBytes: settings.maxBodyBytes,
    });
  const control = !sides.secondary && sides.control && takesControlCopy(job, sides.control.share) ? sides.control.upstream : undefined;
  // The control copy goes to the primary as the client's request did (no -shadow Host), marked,
  // at the same moment as the candidate's, from the same thread: the two are timed alike.
  const controlHeaders = control ? [...shadowHeaders(job.forward, false, settings.run, job.exchangeId), CONTROL_HEADER, '1'] : [];
  const [candidate, secondary] = await Promise.all([
    call(sides.candidate),
    sides.secondary ? call(sides.secondary) : control ? call(control, controlHeaders) : undefined,
  ]);
  if (!secondary) return { candidate };
  return control ? { candidate, secondary, control: true } : { candidate, secondary };
}
