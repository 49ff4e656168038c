import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Capture, CapturedBody, CapturedResponse, Logger } from '@shadowdiff/core';
import { BodyRecorder } from './body-recorder';
import { fastCaptureId } from './capture-id';
import { forwardRequest, type ForwardResult, type Upstream } from './forward';
import { firstHeader, headersRecord, scanRequestHeaders } from './headers';
import type { TapMetrics } from './metrics';
import type { MirrorDecision, PolicyRequest } from './mirror-policy';
import type { Redactor } from './redaction';
import { pathOf } from './route-matcher';
import { callShadow } from './shadow-call';

export type { Upstream } from './forward';

export interface TapHandlerOptions {
  run: string;
  primary: Upstream;
  candidate: Upstream;
  secondary?: Upstream;
  decide: (request: PolicyRequest) => MirrorDecision;
  shadowTimeoutMs: number;
  maxBodyBytes: number;
  shadowHostSuffix: boolean;
  maxInFlightShadows: number;
  redactor: Redactor;
  /** Receives each finished, redacted capture; must not throw or block. */
  emit: (capture: Capture) => void;
  metrics: TapMetrics;
  logger: Logger;
}

/** Headers for a shadow side: the client's, Host marked `-shadow` when asked, plus the tap's own marks. */
function shadowHeaders(forward: readonly string[], suffix: boolean, run: string, exchangeId: string): string[] {
  const out = forward.slice();
  if (suffix) {
    for (let i = 0; i < out.length; i += 2) {
      if (out[i]!.length === 4 && out[i]!.toLowerCase() === 'host') out[i + 1] = `${out[i + 1]}-shadow`;
    }
  }
  out.push('x-shadowdiff-run', run, 'x-shadowdiff-exchange-id', exchangeId);
  return out;
}

/** What a mirrored exchange keeps while its copies are out: plain data, nothing of the client's connection. */
interface PendingExchange {
  exchangeId: string;
  capturedAt: string;
  requestId: string;
  method: string;
  url: string;
  forward: string[];
  requestBody: CapturedBody;
  requestBytes: Buffer | null;
  primary: CapturedResponse;
}

/**
 * The inline tap's request handler. The client's request is streamed to the primary and the
 * primary's response streamed back untouched; only when the request has been read in full and
 * the primary has answered does a copy go to the shadow side(s), off the client's path. Once
 * every side is done the capture is redacted and emitted.
 */
export function createTapHandler(options: TapHandlerOptions) {
  const { metrics } = options;
  const sides = options.secondary ? 2 : 1;
  const okRequests = metrics.requests.labels({ outcome: 'ok' });
  const failedRequests = metrics.requests.labels({ outcome: 'primary_error' });
  const abortedRequests = metrics.requests.labels({ outcome: 'client_aborted' });
  const skipped = {
    route_excluded: metrics.skipped.labels({ reason: 'route_excluded' }),
    unsafe_method: metrics.skipped.labels({ reason: 'unsafe_method' }),
    sampled_out: metrics.skipped.labels({ reason: 'sampled_out' }),
  };
  let inFlightShadows = 0;
  const sideMetrics = {
    candidate: { latency: metrics.shadowLatency.labels({ side: 'candidate' }) },
    secondary: { latency: metrics.shadowLatency.labels({ side: 'secondary' }) },
  };

  const primaryDone = (result: ForwardResult, method: string, url: string, requestId: string): void => {
    if (!result.error) {
      okRequests.inc();
      return;
    }
    if (result.clientAborted) {
      abortedRequests.inc();
      return;
    }
    failedRequests.inc();
    // The path without its query: queries may carry tokens.
    options.logger.warn({ err: result.error.message, method, path: pathOf(url), requestId }, 'primary request failed');
  };

  const callSide = (side: 'candidate' | 'secondary', upstream: Upstream, method: string, url: string, headers: string[], body: Buffer | null) => {
    inFlightShadows += 1;
    metrics.inFlightShadows.inc();
    return callShadow(upstream.dispatcher, {
      origin: upstream.origin,
      method,
      path: url,
      headers,
      body,
      timeoutMs: options.shadowTimeoutMs,
      maxBodyBytes: options.maxBodyBytes,
    }).then((response) => {
      inFlightShadows -= 1;
      metrics.inFlightShadows.dec();
      metrics.shadowOutcomes.inc({ side, outcome: response.outcome });
      sideMetrics[side].latency.observe(response.latencyMs / 1000);
      return response;
    });
  };

  // Defined apart from the request handler so that, while a slow shadow side answers, nothing
  // keeps the client's request and response objects alive: they would survive into the old
  // generation and make every young collection slower.
  const sendCopies = (x: PendingExchange): void => {
    metrics.mirrored.inc();
    const headers = shadowHeaders(x.forward, options.shadowHostSuffix, options.run, x.exchangeId);
    void Promise.all([
      callSide('candidate', options.candidate, x.method, x.url, headers, x.requestBytes),
      options.secondary ? callSide('secondary', options.secondary, x.method, x.url, headers, x.requestBytes) : undefined,
    ]).then(([candidate, secondary]) => {
      const capture: Capture = {
        id: x.exchangeId,
        run: options.run,
        capturedAt: x.capturedAt,
        source: 'inline',
        requestId: x.requestId,
        request: { method: x.method, url: x.url, headers: headersRecord(x.forward), body: x.requestBody },
        primary: x.primary,
        candidate,
      };
      if (secondary) capture.secondary = secondary;
      try {
        options.redactor.capture(capture);
      } catch (error) {
        // Never queue what could not be redacted.
        metrics.dropped.inc({ reason: 'redaction_failed' });
        options.logger.error({ err: (error as Error).message, exchangeId: x.exchangeId }, 'capture dropped: redaction failed');
        return;
      }
      options.emit(capture);
    });
  };

  return function handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method!;
    const url = req.url!;
    const heads = scanRequestHeaders(req.rawHeaders);
    // Kept when the client sent one, added otherwise: primary and shadow side share it.
    const requestId = heads.requestId ?? randomUUID();
    if (heads.requestId === undefined) heads.forward.push('x-request-id', requestId);
    let mirror = false;
    const decision = options.decide({ method, url, header: (name) => firstHeader(req.headers, name) });
    if (decision !== 'mirror') skipped[decision].inc();
    else if (inFlightShadows + sides > options.maxInFlightShadows) metrics.dropped.inc({ reason: 'shadow_limit' });
    else mirror = true;

    if (!mirror) {
      forwardRequest(req, res, { upstream: options.primary, method, url, headers: heads.forward, withBody: heads.hasBody }, (result) =>
        primaryDone(result, method, url, requestId),
      );
      return;
    }

    const exchangeId = fastCaptureId();
    const capturedAt = new Date().toISOString();
    const requestBody = new BodyRecorder(options.maxBodyBytes);
    let bodyDone = !heads.hasBody;
    let primary: ForwardResult | undefined;

    // The copy leaves once the client's request has been read in full and the primary has
    // answered: the client's response is written first, so no shadow work ever sits before it.
    const mirrorNow = (): void => {
      if (!bodyDone || !primary) return;
      if (primary.error) {
        metrics.dropped.inc({ reason: primary.clientAborted ? 'client_aborted' : 'primary_error' });
        return;
      }
      if (requestBody.truncated) {
        // A copy with a cut body would be a different request: do not mirror it.
        metrics.dropped.inc({ reason: 'request_too_large' });
        return;
      }
      if (inFlightShadows + sides > options.maxInFlightShadows) {
        metrics.dropped.inc({ reason: 'shadow_limit' });
        return;
      }
      sendCopies({
        exchangeId,
        capturedAt,
        requestId,
        method,
        url,
        forward: heads.forward,
        requestBody: requestBody.toCaptured(),
        requestBytes: requestBody.size > 0 ? requestBody.bytes() : null,
        primary: primary.response,
      });
    };

    forwardRequest(
      req,
      res,
      {
        upstream: options.primary,
        method,
        url,
        headers: heads.forward,
        withBody: heads.hasBody,
        requestBody,
        responseBody: new BodyRecorder(options.maxBodyBytes),
        onRequestBodyEnd: () => {
          bodyDone = true;
          mirrorNow();
        },
      },
      (result) => {
        primaryDone(result, method, url, requestId);
        primary = result;
        mirrorNow();
      },
    );
  };
}
