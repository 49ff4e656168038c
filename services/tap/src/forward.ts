import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { CapturedResponse, Outcome } from '@shadowdiff/core';
import { base64Of, type BodyRecorder } from './body-recorder.ts';
import { endToEndRawHeaders, headersRecord, rawHeaderStrings } from './headers.ts';
import { outcomeOf } from './failure-outcome.ts';

/** An upstream the tap talks to: its origin and the connection pool to it. */
export interface Upstream {
  origin: string;
  dispatcher: Dispatcher;
}

/** One client request to pass through to an upstream. */
export interface ForwardRequest {
  upstream: Upstream;
  method: string;
  url: string;
  /** Raw `[name, value…]` list to send. */
  headers: string[];
  /** Whether the client sends a body; it is streamed through as it arrives. */
  withBody: boolean;
  /** Keeps a copy of the request body's first bytes, when recording. */
  requestBody?: BodyRecorder;
  /** Called once the recorder has seen the whole request body (not when the client gives up midway). */
  onRequestBodyEnd?: () => void;
  /** Keeps a copy of the response body's first bytes, when recording. */
  responseBody?: BodyRecorder;
}

/**
 * An upstream's answer as recorded on the client's path: its raw parts, an exact copy of the
 * body's kept bytes. Encoding it for a capture (`capturedResponse`) is left to whoever assembles
 * the capture, off the client's path where it can be.
 */
export interface RecordedAnswer {
  outcome: Outcome;
  status: number | null;
  /** Raw `[name, value…]` list, as the upstream sent it. */
  rawHeaders: string[];
  body: Uint8Array | null;
  /** Bytes the body had in all (more than kept when truncated). */
  size: number;
  truncated: boolean;
  latencyMs: number;
  error?: string;
}

/** A recorded answer as a capture holds it: headers keyed by lower-case name, body in base64. */
export function capturedResponse(answer: RecordedAnswer): CapturedResponse {
  const response: CapturedResponse = {
    outcome: answer.outcome,
    status: answer.status,
    headers: headersRecord(answer.rawHeaders),
    body: { base64: base64Of(answer.body), size: answer.size, truncated: answer.truncated },
    latencyMs: answer.latencyMs,
  };
  if (answer.error !== undefined) response.error = answer.error;
  return response;
}

/** An exact copy of a recorder's kept bytes: a view into a socket's larger buffer would be copied whole when handed to another thread. */
export function keptBytes(recorder: BodyRecorder | undefined): Uint8Array | null {
  return recorder && recorder.size > 0 ? new Uint8Array(recorder.bytes()) : null;
}

/** How the upstream answered (what was recorded of it), or the failure. */
export interface ForwardResult {
  answer: RecordedAnswer;
  /** The failure, when the upstream gave no complete response. */
  error?: Error;
  /** True when the failure is the client's: it went away before the response was complete. */
  clientAborted?: boolean;
}

/**
 * The request body as an iterable for undici, copying each chunk into the recorder on the way.
 * `ended` runs when the last chunk has been recorded: the stream's own 'end' event can come
 * before this generator has been drained.
 */
async function* teeBody(req: IncomingMessage, recorder: BodyRecorder, ended?: () => void): AsyncGenerator<Buffer> {
  for await (const chunk of req) {
    recorder.add(chunk as Buffer);
    yield chunk as Buffer;
  }
  ended?.();
}

function badGateway(res: ServerResponse, error: Error): void {
  if (res.headersSent) {
    res.destroy(error);
    return;
  }
  const body = JSON.stringify({ error: { code: 'upstream_unavailable', message: 'the upstream did not answer' } });
  res.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function recorded(outcome: Outcome, status: number | null, rawHeaders: string[], recorder: BodyRecorder | undefined, started: number): RecordedAnswer {
  return {
    outcome,
    status,
    rawHeaders,
    body: keptBytes(recorder),
    size: recorder?.size ?? 0,
    truncated: recorder?.truncated ?? false,
    latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
  };
}

/**
 * Streams a client request to an upstream and the upstream's response back to the client as it
 * arrives: status, every header with its name case (hop-by-hop ones excepted) and the body
 * bytes, with backpressure both ways. A failed upstream becomes a 502 (or a cut connection once
 * the response has begun). `done` is called once, after the client's response has ended.
 */
export function forwardRequest(req: IncomingMessage, res: ServerResponse, request: ForwardRequest, done: (result: ForwardResult) => void): void {
  const started = performance.now();
  const recorder = request.responseBody;
  let abort: ((reason?: Error) => void) | undefined;
  let status = 0;
  let rawHeaders: string[] = [];
  // The client sees exactly the primary's headers: no Date of the tap's own.
  res.sendDate = false;
  let clientGone = false;
  res.once('close', () => {
    if (res.writableFinished) return;
    clientGone = true;
    abort?.(new Error('client went away'));
  });
  let body: Readable | IncomingMessage | null = null;
  if (request.withBody) {
    // undici accepts any async iterable as a body; its types only name Readable.
    body = request.requestBody ? (teeBody(req, request.requestBody, request.onRequestBodyEnd) as unknown as Readable) : req;
  }

  request.upstream.dispatcher.dispatch(
    { origin: request.upstream.origin, method: request.method, path: request.url, headers: request.headers, body },
    {
      onConnect(abortRequest) {
        abort = abortRequest;
      },
      onHeaders(statusCode, headers, resume, statusText) {
        status = statusCode;
        rawHeaders = rawHeaderStrings(headers as unknown as Buffer[]);
        res.writeHead(statusCode, statusText, endToEndRawHeaders(rawHeaders));
        res.on('drain', resume);
        return true;
      },
      onData(chunk) {
        recorder?.add(chunk);
        return res.write(chunk);
      },
      onComplete() {
        res.end();
        done({ answer: recorded('ok', status, recorder ? rawHeaders : [], recorder, started) });
      },
      onError(error) {
        badGateway(res, error);
        done({
          answer: { ...recorded(outcomeOf(error), null, [], recorder, started), error: error.message },
          error,
          ...(clientGone ? { clientAborted: true } : {}),
        });
      },
    },
  );
}
