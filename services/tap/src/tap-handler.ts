import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { firstHeaderValue, type Logger } from '@shadowdiff/core';
import { BodyRecorder } from './body-recorder.ts';
import { fastCaptureId } from './capture-id.ts';
import type { CopyShedding } from './copy-shedding.ts';
import { forwardRequest, keptBytes, type ForwardResult, type Upstream } from './forward.ts';
import { scanRequestHeaders } from './headers.ts';
import type { TapMetrics } from './metrics.ts';
import type { MirrorDecision, PolicyRequest } from './mirror-policy.ts';
import { pathOf } from './route-matcher.ts';
import type { ShadowJob } from './shadow/shadow-jobs.ts';
import type { Shadows } from './shadow/shadows.ts';

export interface TapHandlerOptions {
  run: string;
  primary: Upstream;
  /** Whether a secondary gets copies too (each copy then counts twice toward the in-flight bound). */
  hasSecondary: boolean;
  /** What sends the copies and queues the captures (the shadow thread in production). */
  shadows: Shadows;
  decide: (request: PolicyRequest) => MirrorDecision;
  maxBodyBytes: number;
  maxInFlightShadows: number;
  /** Sheds copies while the serving thread is busy. */
  shedding: CopyShedding;
  metrics: TapMetrics;
  logger: Logger;
}

/**
 * The inline tap's request handler. The client's request is streamed to the primary and the
 * primary's response streamed back untouched; only when the request has been read in full and
 * the primary has answered is the exchange handed to the shadows (the shadow thread), which send
 * the copies and queue the capture, off the client's path.
 */
export function createTapHandler(options: TapHandlerOptions) {
  const { metrics } = options;
  const sides = options.hasSecondary ? 2 : 1;
  const okRequests = metrics.requests.labels({ outcome: 'ok' });
  const failedRequests = metrics.requests.labels({ outcome: 'primary_error' });
  const abortedRequests = metrics.requests.labels({ outcome: 'client_aborted' });
  const skipped = {
    route_excluded: metrics.skipped.labels({ reason: 'route_excluded' }),
    unsafe_method: metrics.skipped.labels({ reason: 'unsafe_method' }),
    sampled_out: metrics.skipped.labels({ reason: 'sampled_out' }),
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

  const { shadows } = options;
  const inFlightShadows = (): number => shadows.inFlight * sides;
  metrics.readInFlightFrom(inFlightShadows);

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const method = req.method!;
    const url = req.url!;
    const heads = scanRequestHeaders(req.rawHeaders);
    // Kept when the client sent one, added otherwise: primary and shadow side share it.
    const requestId = heads.requestId ?? randomUUID();
    if (heads.requestId === undefined) heads.forward.push('x-request-id', requestId);
    let mirror = false;
    const decision = options.decide({ method, url, header: (name) => firstHeaderValue(req.headers, name) });
    if (decision !== 'mirror') skipped[decision].inc();
    else if (inFlightShadows() + sides > options.maxInFlightShadows) metrics.dropped.inc({ reason: 'shadow_limit' });
    else if (!options.shedding.admit()) metrics.dropped.inc({ reason: 'tap_busy' });
    else mirror = true;

    if (!mirror) {
      forwardRequest(req, res, { upstream: options.primary, method, url, headers: heads.forward, withBody: heads.hasBody }, (result) =>
        primaryDone(result, method, url, requestId),
      );
      return;
    }

    const capturedAtMs = Date.now();
    const exchangeId = fastCaptureId(capturedAtMs);
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
      const job: ShadowJob = {
        exchangeId,
        capturedAtMs,
        requestId,
        method,
        url,
        forward: heads.forward,
        requestBody: keptBytes(requestBody),
        primary: primary.answer,
      };
      shadows.send(job);
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
  return handle;
}
