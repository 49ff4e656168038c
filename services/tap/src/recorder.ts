import type { IncomingMessage, ServerResponse } from 'node:http';
import { isShadowHost, type Capture, type Logger, type Redactor } from '@shadowdiff/core';
import { captureFromHalves, type Half, type HalfPairer, type HalfSide } from '@shadowdiff/queue';
import type { Tap } from './app.ts';
import { BodyRecorder } from './body-recorder.ts';
import { fastCaptureId } from './capture-id.ts';
import { capturedResponse, forwardRequest } from './forward.ts';
import { headersRecord, scanRequestHeaders } from './headers.ts';
import type { TapMetrics } from './metrics.ts';
import { closeServer, createProxyServer, createUpstream } from './proxy-server.ts';
import { compileRoutes, pathOf } from './route-matcher.ts';

/** A recorder in front of one side of a mesh mirror. */
export interface RecorderOptions {
  run: string;
  upstreamUrl: string;
  /** `auto`: a request whose Host ends in `-shadow` is the candidate's half. */
  side: 'auto' | HalfSide;
  maxBodyBytes: number;
  routes?: { include?: readonly string[]; exclude?: readonly string[] };
  /** Halves on their way to Redis at once; beyond it they are dropped and counted. */
  maxPendingHalves: number;
}

export interface RecorderDeps {
  pairer: HalfPairer;
  /** Receives each paired, redacted capture. */
  emit: (capture: Capture) => void;
  redactor: Redactor;
  metrics: TapMetrics;
  logger: Logger;
}

/**
 * The recorder's server (not yet listening). It proxies every request to its upstream exactly as
 * the inline tap does to the primary, records this side's half (redacted) and hands it to the
 * pairer; whichever recorder completes a pair emits the capture.
 */
export function createRecorder(options: RecorderOptions, deps: RecorderDeps): Tap {
  const { metrics } = deps;
  const upstream = createUpstream(options.upstreamUrl, 256);
  const include = compileRoutes(options.routes?.include ?? []);
  const exclude = compileRoutes(options.routes?.exclude ?? []);
  let pending = 0;

  const submit = (half: Half): void => {
    if (pending >= options.maxPendingHalves) {
      metrics.dropped.inc({ reason: 'buffer_full' });
      return;
    }
    pending += 1;
    deps.pairer.submit(half).then(
      (result) => {
        pending -= 1;
        metrics.halves.inc({ side: half.side });
        if (!result.paired) return;
        metrics.pairs.inc();
        deps.emit(captureFromHalves(result.primary, result.candidate, { run: options.run, id: fastCaptureId(), source: 'mesh' }));
      },
      (error: Error) => {
        pending -= 1;
        metrics.dropped.inc({ reason: 'redis_unavailable' });
        deps.logger.debug({ err: error.message, requestId: half.requestId }, 'half dropped: redis unavailable');
      },
    );
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const method = req.method!;
    const url = req.url!;
    const heads = scanRequestHeaders(req.rawHeaders);
    const requestId = heads.requestId;
    const plain = { upstream, method, url, headers: heads.forward, withBody: heads.hasBody };
    const ok = (): void => metrics.requests.inc({ outcome: 'ok' });
    if (requestId === undefined) {
      metrics.dropped.inc({ reason: 'no_request_id' });
      forwardRequest(req, res, plain, ok);
      return;
    }
    if (include || exclude) {
      const path = pathOf(url);
      if (exclude?.(method, path) || (include && !include(method, path))) {
        metrics.skipped.inc({ reason: 'route_excluded' });
        forwardRequest(req, res, plain, ok);
        return;
      }
    }
    const side: HalfSide = options.side === 'auto' ? (isShadowHost(heads.host) ? 'candidate' : 'primary') : options.side;
    const capturedAt = new Date().toISOString();
    const requestBody = side === 'primary' ? new BodyRecorder(options.maxBodyBytes) : undefined;
    forwardRequest(req, res, { ...plain, ...(requestBody ? { requestBody } : {}), responseBody: new BodyRecorder(options.maxBodyBytes) }, (result) => {
      metrics.requests.inc({ outcome: result.clientAborted ? 'client_aborted' : result.error ? 'upstream_error' : 'ok' });
      const half: Half = { side, requestId, capturedAt, response: capturedResponse(result.answer) };
      if (requestBody) half.request = { method, url, headers: headersRecord(heads.forward), body: requestBody.toCaptured() };
      try {
        if (half.request) deps.redactor.request(half.request);
        deps.redactor.response(half.response);
      } catch (error) {
        metrics.dropped.inc({ reason: 'redaction_failed' });
        deps.logger.error({ err: (error as Error).message, requestId }, 'half dropped: redaction failed');
        return;
      }
      submit(half);
    });
  };

  const server = createProxyServer(handle, metrics);
  return {
    server,
    async close() {
      await closeServer(server);
      await upstream.dispatcher.close();
      // Halves already on their way to Redis get a moment to arrive.
      const deadline = Date.now() + 5000;
      while (pending > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    },
  };
}
