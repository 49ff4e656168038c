import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import type { CapturedResponse, Outcome } from '@shadowdiff/core';
import { BodyRecorder } from '../body-recorder.ts';
import { outcomeOf } from '../failure-outcome.ts';
import { headersRecord, rawHeaderStrings } from '../headers.ts';

export interface ShadowRequest {
  origin: string;
  method: string;
  path: string;
  /** Raw `[name, value…]` list, already marked for the shadow side. */
  headers: string[];
  body: Uint8Array | null;
  timeoutMs: number;
  maxBodyBytes: number;
}

/**
 * Sends one copy to a shadow side and reads its response (the first `maxBodyBytes` kept),
 * all within `timeoutMs`. Never throws: a failure becomes the capture's outcome.
 */
export function callShadow(dispatcher: Dispatcher, request: ShadowRequest): Promise<CapturedResponse> {
  const started = performance.now();
  return new Promise((resolve) => {
    const recorder = new BodyRecorder(request.maxBodyBytes);
    let status: number | null = null;
    let headers: Record<string, string | string[]> = {};
    let abort: ((reason?: Error) => void) | undefined;
    let settled = false;
    const finish = (outcome: Outcome, error?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const response: CapturedResponse = {
        outcome,
        status: outcome === 'ok' ? status : null,
        headers,
        body: recorder.toCaptured(),
        latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
      };
      if (error !== undefined) response.error = (error as Error).message ?? String(error);
      resolve(response);
    };
    const timer = setTimeout(() => {
      const error = Object.assign(new Error(`no complete response within ${request.timeoutMs} ms`), { name: 'TimeoutError' });
      abort?.(error);
      finish('timeout', error);
    }, request.timeoutMs);

    dispatcher.dispatch(
      {
        origin: request.origin,
        method: request.method,
        path: request.path,
        headers: request.headers,
        body: request.body,
        headersTimeout: request.timeoutMs,
        bodyTimeout: request.timeoutMs,
      },
      {
        onConnect(abortRequest) {
          abort = abortRequest;
          if (settled) abortRequest();
        },
        onHeaders(statusCode, rawHeaders) {
          status = statusCode;
          headers = headersRecord(rawHeaderStrings(rawHeaders as unknown as Buffer[]));
          return true;
        },
        onData(chunk) {
          recorder.add(chunk);
          return true;
        },
        onComplete() {
          finish('ok');
        },
        onError(error) {
          finish(outcomeOf(error), error);
        },
      },
    );
  });
}
