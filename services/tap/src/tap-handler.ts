import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { newCaptureId, type Capture, type CapturedResponse, type Logger } from '@shadowdiff/core';
import { BodyRecorder } from './body-recorder';
import { endToEndRawHeaders, firstHeader, headersRecord, rawHeaderStrings } from './headers';
import type { TapMetrics } from './metrics';
import { callShadow } from './shadow-call';

/** An upstream the tap talks to: its origin and the connection pool to it. */
export interface Upstream {
  origin: string;
  dispatcher: Dispatcher;
}

export interface TapHandlerOptions {
  run: string;
  primary: Upstream;
  candidate: Upstream;
  secondary?: Upstream;
  shouldMirror: (method: string) => boolean;
  shadowTimeoutMs: number;
  maxBodyBytes: number;
  shadowHostSuffix: boolean;
  maxInFlightShadows: number;
  /** Receives each finished capture; must not throw or block. */
  emit: (capture: Capture) => void;
  metrics: TapMetrics;
  logger: Logger;
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/** The request body as an iterable for undici, copying each chunk into the recorder on the way. */
async function* teeBody(req: IncomingMessage, recorder: BodyRecorder | undefined): AsyncGenerator<Buffer> {
  for await (const chunk of req) {
    recorder?.add(chunk as Buffer);
    yield chunk as Buffer;
  }
}

function badGateway(res: ServerResponse, error: Error): void {
  if (res.headersSent) {
    res.destroy(error);
    return;
  }
  const body = JSON.stringify({ error: { code: 'primary_unavailable', message: 'the primary upstream did not answer' } });
  res.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * The tap's request handler. The client's request is streamed to the primary and the primary's
 * response streamed back untouched; only when the request has been read in full does a copy go
 * to the shadow side, off the client's path. The capture is emitted once every side is done.
 */
export function createTapHandler(options: TapHandlerOptions) {
  const { metrics } = options;
  let inFlightShadows = 0;

  return function handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    let mirror = options.shouldMirror(method);
    if (mirror && inFlightShadows >= options.maxInFlightShadows) {
      metrics.dropped.inc({ reason: 'shadow_limit' });
      mirror = false;
    }

    const requestHeaders = endToEndRawHeaders(req.rawHeaders, firstHeader(req.headers, 'connection'));
    let requestId = firstHeader(req.headers, 'x-request-id');
    if (requestId === undefined) {
      requestId = newCaptureId();
      requestHeaders.push('x-request-id', requestId);
    }
    const requestBody = mirror ? new BodyRecorder(options.maxBodyBytes) : undefined;
    const primaryBody = mirror ? new BodyRecorder(options.maxBodyBytes) : undefined;
    const exchangeId = mirror ? newCaptureId() : '';
    const capturedAt = new Date().toISOString();
    const started = performance.now();

    let primaryResult: CapturedResponse | undefined;
    let shadowResults: Promise<[CapturedResponse, CapturedResponse | undefined]> | undefined;

    const complete = (): void => {
      if (!mirror || !primaryResult || !shadowResults) return;
      const primary = primaryResult;
      shadowResults.then(([candidate, secondary]) => {
        const capture: Capture = {
          id: exchangeId,
          run: options.run,
          capturedAt,
          request: { method, url, headers: headersRecord(requestHeaders), body: requestBody!.toCaptured() },
          primary,
          candidate,
        };
        if (secondary) capture.secondary = secondary;
        options.emit(capture);
      });
    };
    const startShadows = (): void => {
      if (!mirror) return;
      if (requestBody!.truncated) {
        // A copy with a cut body would be a different request: do not mirror it.
        metrics.dropped.inc({ reason: 'request_too_large' });
        mirror = false;
        return;
      }
      metrics.mirrored.inc();
      const body = requestBody!.size > 0 ? requestBody!.bytes() : null;
      const shadowHeaders: string[] = [];
      for (let i = 0; i < requestHeaders.length; i += 2) {
        const name = requestHeaders[i]!;
        if (name.toLowerCase() === 'host' && options.shadowHostSuffix) shadowHeaders.push(name, `${requestHeaders[i + 1]}-shadow`);
        else shadowHeaders.push(name, requestHeaders[i + 1]!);
      }
      shadowHeaders.push('x-shadowdiff-run', options.run, 'x-shadowdiff-exchange-id', exchangeId);
      const call = (side: 'candidate' | 'secondary', upstream: Upstream): Promise<CapturedResponse> => {
        inFlightShadows += 1;
        metrics.inFlightShadows.inc();
        return callShadow(upstream.dispatcher, {
          origin: upstream.origin,
          method,
          path: url,
          headers: shadowHeaders,
          body,
          timeoutMs: options.shadowTimeoutMs,
          maxBodyBytes: options.maxBodyBytes,
        }).then((response) => {
          inFlightShadows -= 1;
          metrics.inFlightShadows.dec();
          metrics.shadowOutcomes.inc({ side, outcome: response.outcome });
          metrics.shadowLatency.observe({ side }, response.latencyMs / 1000);
          return response;
        });
      };
      shadowResults = Promise.all([
        call('candidate', options.candidate),
        options.secondary ? call('secondary', options.secondary) : Promise.resolve(undefined),
      ]);
      complete();
    };

    const withBody = hasBody(req);
    if (withBody) req.once('end', startShadows);

    let abortPrimary: ((reason?: Error) => void) | undefined;
    let primaryStatus = 0;
    let primaryHeaders: string[] = [];
    res.once('close', () => {
      if (!res.writableFinished) abortPrimary?.(new Error('client went away'));
    });

    options.primary.dispatcher.dispatch(
      {
        origin: options.primary.origin,
        method,
        path: url,
        headers: requestHeaders,
        // undici accepts any async iterable as a body; its types only name Readable.
        body: withBody ? (teeBody(req, requestBody) as unknown as Readable) : null,
      },
      {
        onConnect(abort) {
          abortPrimary = abort;
        },
        onHeaders(statusCode, rawHeaders, resume, statusText) {
          primaryStatus = statusCode;
          primaryHeaders = rawHeaderStrings(rawHeaders as unknown as Buffer[]);
          const clientHeaders = endToEndRawHeaders(primaryHeaders);
          res.writeHead(statusCode, statusText, clientHeaders);
          res.on('drain', resume);
          return true;
        },
        onData(chunk) {
          primaryBody?.add(chunk);
          return res.write(chunk);
        },
        onComplete() {
          res.end();
          metrics.requests.inc({ outcome: 'ok' });
          if (!mirror) return;
          primaryResult = {
            outcome: 'ok',
            status: primaryStatus,
            headers: headersRecord(primaryHeaders),
            body: primaryBody!.toCaptured(),
            latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
          };
          complete();
        },
        onError(error) {
          metrics.requests.inc({ outcome: 'primary_error' });
          options.logger.warn({ err: error.message, method, url }, 'primary request failed');
          mirror = false;
          badGateway(res, error);
        },
      },
    );
    if (!withBody) startShadows();
  };
}
