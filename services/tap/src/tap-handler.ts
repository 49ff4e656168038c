import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Capture, Logger } from '@shadowdiff/core';
import { BodyRecorder } from './body-recorder';
import { fastCaptureId } from './capture-id';
import { forwardRequest, type ForwardResult, type Upstream } from './forward';
import { firstHeader, headersRecord, scanRequestHeaders } from './headers';
import type { TapMetrics } from './metrics';
import type { MirrorDecision, PolicyRequest } from './mirror-policy';
import type { Redactor } from './redaction';
import { pathOf } from './route-matcher';
import { runShadowJob, type ShadowResult, type ShadowSettings, type ShadowSides } from './shadow-jobs';

export type { Upstream } from './forward';

export interface TapHandlerOptions {
  run: string;
  primary: Upstream;
  /** Where copies go: the candidate and, when configured, the secondary (each copy then counts twice toward the in-flight bound). */
  shadowSides: ShadowSides;
  shadowSettings: ShadowSettings;
  decide: (request: PolicyRequest) => MirrorDecision;
  maxBodyBytes: number;
  maxInFlightShadows: number;
  redactor: Redactor;
  /** Receives each finished, redacted capture; must not throw or block. */
  emit: (capture: Capture) => void;
  metrics: TapMetrics;
  logger: Logger;
}

/**
 * The inline tap's request handler. The client's request is streamed to the primary and the
 * primary's response streamed back untouched; only when the request has been read in full and
 * the primary has answered does a copy go to the shadow side(s), off the client's path. Copies
 * leave from this thread, like the primary's request, so their latencies compare with the
 * primary's. Once every side is done the capture is redacted and emitted.
 */
export function createTapHandler(options: TapHandlerOptions) {
  const { metrics } = options;
  const sides = options.shadowSides.secondary ? 2 : 1;
  let inFlight = 0;
  const okRequests = metrics.requests.labels({ outcome: 'ok' });
  const failedRequests = metrics.requests.labels({ outcome: 'primary_error' });
  const abortedRequests = metrics.requests.labels({ outcome: 'client_aborted' });
  const skipped = {
    route_excluded: metrics.skipped.labels({ reason: 'route_excluded' }),
    unsafe_method: metrics.skipped.labels({ reason: 'unsafe_method' }),
    sampled_out: metrics.skipped.labels({ reason: 'sampled_out' }),
  };
  const latency = {
    candidate: metrics.shadowLatency.labels({ side: 'candidate' }),
    secondary: metrics.shadowLatency.labels({ side: 'secondary' }),
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

  const record = (side: 'candidate' | 'secondary', response: Capture['candidate']): void => {
    metrics.shadowOutcomes.inc({ side, outcome: response.outcome });
    latency[side].observe(response.latencyMs / 1000);
  };

  const shadowDone = ({ job, candidate, secondary }: ShadowResult): void => {
    inFlight -= 1;
    metrics.inFlightShadows.dec(sides);
    record('candidate', candidate);
    if (secondary) record('secondary', secondary);
    const capture: Capture = {
      id: job.exchangeId,
      run: options.run,
      capturedAt: job.capturedAt,
      source: 'inline',
      requestId: job.requestId,
      request: { method: job.method, url: job.url, headers: headersRecord(job.forward), body: job.requestBody },
      primary: job.primary,
      candidate,
    };
    if (secondary) capture.secondary = secondary;
    try {
      options.redactor.capture(capture);
    } catch (error) {
      // Never queue what could not be redacted.
      metrics.dropped.inc({ reason: 'redaction_failed' });
      options.logger.error({ err: (error as Error).message, exchangeId: job.exchangeId }, 'capture dropped: redaction failed');
      return;
    }
    options.emit(capture);
  };
  const inFlightShadows = (): number => inFlight * sides;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const method = req.method!;
    const url = req.url!;
    const heads = scanRequestHeaders(req.rawHeaders);
    // Kept when the client sent one, added otherwise: primary and shadow side share it.
    const requestId = heads.requestId ?? randomUUID();
    if (heads.requestId === undefined) heads.forward.push('x-request-id', requestId);
    let mirror = false;
    const decision = options.decide({ method, url, header: (name) => firstHeader(req.headers, name) });
    if (decision !== 'mirror') skipped[decision].inc();
    else if (inFlightShadows() + sides > options.maxInFlightShadows) metrics.dropped.inc({ reason: 'shadow_limit' });
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
      if (inFlightShadows() + sides > options.maxInFlightShadows) {
        metrics.dropped.inc({ reason: 'shadow_limit' });
        return;
      }
      metrics.mirrored.inc();
      metrics.inFlightShadows.inc(sides);
      inFlight += 1;
      const job = {
        exchangeId,
        capturedAt,
        requestId,
        method,
        url,
        forward: heads.forward,
        requestBody: requestBody.toCaptured(),
        requestBytes: requestBody.size > 0 ? requestBody.bytes() : null,
        primary: primary.response,
      };
      void runShadowJob(job, options.shadowSides, options.shadowSettings).then(shadowDone);
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
  /** Waits until the copies in flight have been answered (or `graceMs` has passed). */
  const settled = async (graceMs: number): Promise<void> => {
    const deadline = Date.now() + graceMs;
    while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  };
  return { handle, settled };
}
